/**
 * The maintained balances behind /stats/balance (migration 0050, src/repositories/stats-counters.ts):
 * after every kind of write (positions replaced as the sync engine and the demo do, deactivation,
 * erasure, account removal) the rows equal a from-scratch recomputation from the positions written
 * here in plain SQL, and the endpoint's holdings equal the grouping query over the positions;
 * concurrent writers from several PostgreSQL connections keep them exact; the migration's backfill
 * of an existing database gives the figures the grouping query gave before it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Migrator, sql, type Kysely } from 'kysely';
import pg from 'pg';
import { DIALECTS, PG_URL, forEachDialect, testConfig, type TestEnv, dropSchema } from './support/harness.js';
import { seedAccount, seedUser } from './support/seed.js';
import type { Database } from '../src/db/schema.js';
import { createDb, type DbHandle } from '../src/db/create-db.js';
import { TortieMigrationProvider } from '../src/db/migrations/index.js';
import { createContainer } from '../src/container.js';
import { dbContext } from '../src/repositories/db-context.js';
import { LedgerRepository } from '../src/repositories/ledger.repository.js';
import { AccountsRepository } from '../src/repositories/accounts.repository.js';
import { UsersRepository } from '../src/repositories/users.repository.js';
import type { StatsRepository } from '../src/repositories/stats.repository.js';
import type { AccountScope, PositionRecord } from '../src/domain/records.js';
import { TestClock, isoOf } from '../src/lib/clock.js';
import { isPositive, normalize, sum } from '../src/lib/decimal.js';

const NOW = Date.parse('2026-06-15T12:00:00.000Z');
const BTC = 'bitcoin';
const ETH = 'ethereum';
const SOL = 'solana';
const USDC = 'usd-coin';

const pos = (asset_id: string, asset_symbol: string, quantity: string): PositionRecord => ({ asset_id, asset_symbol, quantity });

interface Figures {
  /** `asset_id symbol` → exact quantity and number of positions. */
  rows: Record<string, { quantity: string; positions: number }>;
  /** asset → holders (assets nobody holds left out). */
  holders: Record<string, number>;
}

/** SPEC §5.11 from the positions of active users, in plain SQL; sums made exactly here. */
async function recomputed(db: Kysely<Database>, enterpriseId: string): Promise<Figures> {
  const r = await sql<{ user_id: string; asset_id: string; asset_symbol: string; quantity: string | number }>`
    select p.user_id, p.asset_id, p.asset_symbol, p.quantity
      from asset_positions p join users u on u.id = p.user_id
     where p.enterprise_id = ${enterpriseId} and u.erased_at is null and u.deactivated = 0`.execute(db);
  const rows = new Map<string, string[]>();
  const holders = new Map<string, Set<string>>();
  for (const p of r.rows) {
    const key = `${p.asset_id} ${p.asset_symbol}`;
    rows.set(key, [...(rows.get(key) ?? []), String(p.quantity)]);
    if (isPositive(String(p.quantity))) holders.set(p.asset_id, (holders.get(p.asset_id) ?? new Set()).add(p.user_id));
  }
  return {
    rows: Object.fromEntries([...rows].map(([k, qs]) => [k, { quantity: sum(qs), positions: qs.length }])),
    holders: Object.fromEntries([...holders].map(([a, s]) => [a, s.size])),
  };
}

/** The maintained rows as stored (rows counting nothing left out). */
async function stored(db: Kysely<Database>, enterpriseId: string): Promise<Figures> {
  const r = await db.selectFrom('stats_asset_balances').selectAll().where('enterprise_id', '=', enterpriseId).execute();
  const rows: Figures['rows'] = {};
  const holders: Figures['holders'] = {};
  for (const b of r) {
    const quantity = normalize(String(b.quantity));
    if (Number(b.positions) !== 0 || quantity !== '0') rows[`${b.asset_id} ${b.asset_symbol}`] = { quantity, positions: Number(b.positions) };
    if (Number(b.holders) !== 0) holders[b.asset_id] = (holders[b.asset_id] ?? 0) + Number(b.holders);
  }
  return { rows, holders };
}

/** The maintained holdings equal the grouping query over the positions (which the provider filter keeps). */
async function expectSameHoldings(stats: StatsRepository, db: Kysely<Database>, enterpriseId: string): Promise<void> {
  const providers = (await db.selectFrom('accounts').select('provider_id').distinct().where('enterprise_id', '=', enterpriseId).execute()).map((r) => r.provider_id);
  const byId = (a: { asset_id: string }, b: { asset_id: string }) => (a.asset_id < b.asset_id ? -1 : 1);
  const grouped = providers.length ? await stats.holdingsByAsset(enterpriseId, providers) : [];
  expect((await stats.holdingsByAsset(enterpriseId)).sort(byId)).toEqual(grouped.sort(byId));
}

async function expectExact(t: TestEnv, enterpriseId: string): Promise<Figures> {
  const db = t.deps.ctx.db;
  const fresh = await recomputed(db, enterpriseId);
  expect(await stored(db, enterpriseId)).toEqual(fresh);
  await expectSameHoldings(t.deps.repos.stats, db, enterpriseId);
  return fresh;
}

forEachDialect((env) => {
  it('follow every write: positions replaced, deactivation, erasure, account removal', async () => {
    const t = env();
    t.clock.set(NOW);
    const e = await t.newEnterprise('Balanced');
    const other = await t.newEnterprise('Other tenant');
    const { ledger, users, accounts } = t.deps.repos;
    const replace = (scope: AccountScope, positions: PositionRecord[]) => ledger.replacePositions(t.deps.ctx.db, scope, positions, isoOf(t.clock.now()));
    expect(await expectExact(t, e.enterpriseId)).toEqual({ rows: {}, holders: {} });

    const ada = await seedUser(t.deps, e.enterpriseId);
    const a1 = await seedAccount(t.deps, e.enterpriseId, ada, { providerId: 'kraken', positions: [pos(BTC, 'BTC', '1.5'), pos(ETH, 'ETH', '0.000000000000000001')] });
    const a2 = await seedAccount(t.deps, e.enterpriseId, ada, { providerId: 'coinbase', positions: [pos(BTC, 'BTC', '-0.5'), pos(USDC, 'USDC', '0')] });
    const a3 = await seedAccount(t.deps, e.enterpriseId, ada, { providerId: 'ethereum', positions: [pos(ETH, 'eth', '2.000000000000000001')] });
    const bob = await seedUser(t.deps, e.enterpriseId, { deactivatedOn: '2026-06-01' });
    await seedAccount(t.deps, e.enterpriseId, bob, { providerId: 'kraken', status: 'disconnected', positions: [pos(BTC, 'BTC', '5')] });
    const cy = await seedUser(t.deps, e.enterpriseId);
    const c1 = await seedAccount(t.deps, e.enterpriseId, cy, { providerId: 'kraken', positions: [pos(BTC, 'XBT', '0.1'), pos(SOL, 'SOL', '7')] });
    const dee = await seedUser(t.deps, e.enterpriseId);
    const d1 = await seedAccount(t.deps, e.enterpriseId, dee, { providerId: 'coinbase', positions: [pos(ETH, 'ETH', '3')] });
    const d2 = await seedAccount(t.deps, e.enterpriseId, dee, { providerId: 'kraken', positions: [pos(ETH, 'ETH', '1')] });
    const stranger = await seedUser(t.deps, other.enterpriseId);
    await seedAccount(t.deps, other.enterpriseId, stranger, { positions: [pos(BTC, 'BTC', '7')] });
    let f = await expectExact(t, e.enterpriseId);
    expect(f.holders).toEqual({ [BTC]: 2, [ETH]: 2, [SOL]: 1 });
    expect(f.rows[`${BTC} BTC`]).toEqual({ quantity: '1', positions: 2 });

    const scope = (userId: string, accountId: string, providerId: string): AccountScope => ({ enterpriseId: e.enterpriseId, userId, accountId, providerId });
    // the sync engine replacing an account's positions: assets change, go, come, turn negative
    await replace(scope(ada, a1, 'kraken'), [pos(BTC, 'BTC', '0.25'), pos(SOL, 'SOL', '3')]);
    await expectExact(t, e.enterpriseId);
    await replace(scope(ada, a1, 'kraken'), []);
    f = await expectExact(t, e.enterpriseId);
    expect(f.holders[BTC]).toBe(1); // ada's only BTC is now negative
    await replace(scope(ada, a2, 'coinbase'), [pos(BTC, 'BTC', '2'), pos(USDC, 'USDC', '10.5')]);
    await replace(scope(ada, a3, 'ethereum'), [pos(ETH, 'ETH', '-1')]);
    await replace(scope(cy, c1, 'kraken'), [pos(BTC, 'XBT', '0.1'), pos(SOL, 'SOL', '7')]); // the same again: nothing moves
    await replace(scope(dee, d2, 'kraken'), [pos(ETH, 'ETH', '0')]);
    f = await expectExact(t, e.enterpriseId);
    expect(f.holders).toEqual({ [BTC]: 2, [ETH]: 1, [SOL]: 1, [USDC]: 1 });
    // positions written inside a caller's transaction (as the sync engine and the demo do)
    await t.deps.ctx.db.transaction().execute(async (trx) => {
      await ledger.replacePositions(trx, scope(dee, d1, 'coinbase'), [pos(ETH, 'ETH', '4'), pos(BTC, 'BTC', '0.000000000000000003')], isoOf(NOW));
      await ledger.replacePositions(trx, scope(dee, d2, 'kraken'), [pos(ETH, 'ETH', '1')], isoOf(NOW));
    });
    await expectExact(t, e.enterpriseId);

    // deactivation, erasure and account removal
    await users.deactivate(e.enterpriseId, cy, '2026-06-15', isoOf(NOW));
    f = await expectExact(t, e.enterpriseId);
    expect(f.holders[SOL]).toBeUndefined();
    // a deactivated user's account synced once more (its share stays out)
    await replace(scope(cy, c1, 'kraken'), [pos(SOL, 'SOL', '70')]);
    await expectExact(t, e.enterpriseId);
    expect(await accounts.removeForUser(e.enterpriseId, dee, [d1])).toEqual([d1]);
    await expectExact(t, e.enterpriseId);
    await users.erase(e.enterpriseId, ada, '2026-06-15', isoOf(NOW));
    f = await expectExact(t, e.enterpriseId);
    expect(f.holders).toEqual({ [ETH]: 1 });
    await users.erase(e.enterpriseId, dee, '2026-06-15', isoOf(NOW));
    expect(await expectExact(t, e.enterpriseId)).toEqual({ rows: {}, holders: {} });
    // the other tenant never moved
    expect((await expectExact(t, other.enterpriseId)).holders).toEqual({ [BTC]: 1 });
  });

  it('follow a demo generation, then deactivation and erasure of its users', async () => {
    const t = env();
    t.clock.set(NOW);
    const r = await t.deps.services.demo.generate({ users: 40, transactionsPerUser: 3, seed: 'balances' });
    const f = await expectExact(t, r.enterprise_id);
    expect(Object.keys(f.holders).length).toBeGreaterThan(3);
    const active = await t.deps.ctx.db.selectFrom('users').select('id').where('enterprise_id', '=', r.enterprise_id).where('deactivated', '=', 0).orderBy('id').limit(2).execute();
    await t.deps.repos.users.deactivate(r.enterprise_id, active[0]!.id, '2026-06-15', isoOf(NOW));
    await t.deps.repos.users.erase(r.enterprise_id, active[1]!.id, '2026-06-15', isoOf(NOW));
    await expectExact(t, r.enterprise_id);
  });

  it('stay exact under concurrent writes to the same users from several connections', async () => {
    const t = env();
    t.clock.set(NOW);
    const e = await t.newEnterprise();
    const seeded: { user: string; accounts: string[] }[] = [];
    for (let i = 0; i < 4; i++) {
      const user = await seedUser(t.deps, e.enterpriseId);
      const accs: string[] = [];
      for (const providerId of ['kraken', 'coinbase', 'ethereum', 'kraken']) accs.push(await seedAccount(t.deps, e.enterpriseId, user, { providerId, positions: [pos(BTC, 'BTC', '1')] }));
      seeded.push({ user, accounts: accs });
    }
    const handles: DbHandle[] = [];
    const schema = t.dialect === 'postgres' ? (await sql<{ s: string }>`select current_schema() as s`.execute(t.deps.ctx.db)).rows[0]!.s : undefined;
    if (t.dialect === 'postgres') for (let i = 0; i < 4; i++) handles.push(createDb(PG_URL, { schema, poolSize: 3 }));
    const repos = (handles.length ? handles.map((h) => dbContext(h.db, h.dialect)) : [t.deps.ctx]).map((ctx) => ({ ctx, ledger: new LedgerRepository(ctx), accounts: new AccountsRepository(ctx), users: new UsersRepository(ctx) }));
    try {
      const ops: Promise<unknown>[] = [];
      let k = 0;
      const next = () => repos[k++ % repos.length]!;
      for (const [i, { user, accounts: accs }] of seeded.entries()) {
        const providers = ['kraken', 'coinbase', 'ethereum', 'kraken'];
        // every account's BTC sold at once (the user stops holding BTC exactly once) while ETH arrives
        for (const [j, id] of accs.entries()) {
          if (i > 0 && j === 0) continue; // removed below
          const r = next();
          ops.push(r.ledger.replacePositions(r.ctx.db, { enterpriseId: e.enterpriseId, userId: user, accountId: id, providerId: providers[j]! }, [pos(BTC, 'BTC', '0'), pos(ETH, 'ETH', `0.${j + 1}`)], isoOf(NOW)));
        }
        const r = next();
        if (i === 0) ops.push(r.users.deactivate(e.enterpriseId, user, '2026-06-15', isoOf(NOW)));
        else ops.push(r.accounts.removeForUser(e.enterpriseId, user, [accs[0]!]));
      }
      await Promise.all(ops);
    } finally {
      for (const h of handles) await h.destroy();
    }
    const f = await expectExact(t, e.enterpriseId);
    expect(f.holders).toEqual({ [ETH]: 3 });
  });
});

// ---------------------------------------------------------------------------------------------
// Migration 0050 on a database with data

describe.each(DIALECTS)('%s: migration 0050 backfills the balances of an existing database', (dialect) => {
  it('gives the figures the grouping query gave before it', async () => {
    const dir = mkdtempSync(join(tmpdir(), `tortie-m0050-${dialect}-`));
    const schema = `t_${randomBytes(6).toString('hex')}`;
    const url = dialect === 'sqlite' ? `sqlite:${join(dir, 'old.db')}` : PG_URL;
    const dbh = dialect === 'sqlite' ? createDb(url) : createDb(PG_URL, { schema, poolSize: 3 });
    try {
      if (dialect === 'postgres') await dbh.db.schema.createSchema(schema).execute();
      const migrator = new Migrator({ db: dbh.db, provider: new TortieMigrationProvider(dialect), migrationTableSchema: dialect === 'postgres' ? schema : undefined, allowUnorderedMigrations: true });
      expect((await migrator.migrateTo('0040-stats-counters')).error).toBeUndefined();
      const db = dbh.db;
      const enterprises = ['e-one', 'e-two'];
      for (const id of enterprises) await db.insertInto('enterprises').values({ id, name: id, base_currency: 'USD', is_demo: 1, created_at: isoOf(NOW) }).execute();
      const assets: [string, string][] = [[BTC, 'BTC'], [BTC, 'XBT'], [ETH, 'ETH'], [ETH, 'eth'], [SOL, 'SOL'], [USDC, 'USDC']];
      const quantities = ['1.000000000000000001', '0', '-0.3', '12345.6789', '0.000000000000000007', '2'];
      let n = 0;
      for (let i = 0; i < 30; i++) {
        const id = `u-${String(i).padStart(3, '0')}`;
        const enterprise = enterprises[i % 2]!;
        const deactivated = i % 5 === 0 ? 1 : 0;
        const erased = i % 11 === 0 ? isoOf(NOW) : null;
        await db
          .insertInto('users')
          .values({ id, enterprise_id: enterprise, email: `${id}@example.com`, email_lower: `${id}@example.com`, full_name: id, consented_at: isoOf(NOW), deactivated_on: deactivated || erased ? '2026-06-01' : null, deactivated: deactivated || erased ? 1 : 0, erased_at: erased, tokens_revoked_before: null, created_at: isoOf(NOW) })
          .execute();
        for (let j = 0; j < 1 + (i % 3); j++) {
          const account = `${id}-a${j}`;
          const provider = ['kraken', 'coinbase', 'ethereum'][(i + j) % 3]!;
          await db
            .insertInto('accounts')
            .values({ id: account, enterprise_id: enterprise, user_id: id, provider_id: provider, display_label: null, connection_type: 'sandbox', addresses: '[]', status: 'active', status_cause: null, credentials_enc: null, created_at: isoOf(NOW), last_synced_at: null, next_sync_at: null, sync_cursor: null, reconciliation: null })
            .execute();
          const held = new Set<string>();
          for (let k = 0; k < 3; k++) {
            const [asset_id, asset_symbol] = assets[(i * 7 + j * 3 + k) % assets.length]!;
            if (held.has(asset_id)) continue;
            held.add(asset_id);
            await db
              .insertInto('asset_positions')
              .values({ enterprise_id: enterprise, user_id: id, account_id: account, provider_id: provider, asset_id, asset_symbol, asset_name: null, network: null, quantity: quantities[n++ % quantities.length]!, updated_at: isoOf(NOW), raw: null, connector_version: null })
              .execute();
          }
        }
      }
      const clock = new TestClock(NOW);
      const c = createContainer(testConfig(dir, url), { clock, dbHandle: dbh, schema: dialect === 'postgres' ? schema : undefined });
      const allProviders = ['kraken', 'coinbase', 'ethereum'];
      const before = await Promise.all(enterprises.map((id) => c.repos.stats.holdingsByAsset(id, allProviders)));
      expect(before[0]!.length).toBeGreaterThan(2);

      expect(await dbh.migrate()).toContain('0050-stats-balances');
      for (const [i, id] of enterprises.entries()) {
        expect(await stored(db, id)).toEqual(await recomputed(db, id));
        const byId = (a: { asset_id: string }, b: { asset_id: string }) => (a.asset_id < b.asset_id ? -1 : 1);
        expect((await c.repos.stats.holdingsByAsset(id)).sort(byId)).toEqual(before[i]!.sort(byId));
      }
      // and the rows follow the next writes
      await c.repos.ledger.replacePositions(db, { enterpriseId: 'e-one', userId: 'u-002', accountId: 'u-002-a0', providerId: 'ethereum' }, [pos(BTC, 'XBT', '3')], isoOf(NOW));
      await c.repos.users.deactivate('e-one', 'u-004', '2026-06-15', isoOf(NOW));
      expect(await stored(db, 'e-one')).toEqual(await recomputed(db, 'e-one'));
    } finally {
      await dbh.destroy();
      if (dialect === 'postgres') await dropSchema(schema);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
