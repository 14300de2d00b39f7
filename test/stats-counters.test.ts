/**
 * The maintained counters behind /stats/users and /stats/accounts (migration 0040,
 * src/repositories/stats-counters.ts): after every kind of write they equal a from-scratch
 * recomputation written here in plain SQL from SPEC §5.9–10, and the endpoints answer those
 * figures; concurrent writers from several connections keep them exact; the migration's backfill
 * of an existing database gives the figures the aggregate queries gave before it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Migrator, sql, type Kysely } from 'kysely';
import pg from 'pg';
import type { LightMyRequestResponse } from 'fastify';
import { DIALECTS, PG_URL, forEachDialect, testConfig, type TestEnv, dropSchema } from './support/harness.js';
import { latestCode } from './support/connect-outbox.js';
import { seedAccount, seedUser } from './support/seed.js';
import type { Database } from '../src/db/schema.js';
import { createDb, type DbHandle } from '../src/db/create-db.js';
import { TortieMigrationProvider } from '../src/db/migrations/index.js';
import { createContainer } from '../src/container.js';
import { dbContext } from '../src/repositories/db-context.js';
import { AccountsRepository } from '../src/repositories/accounts.repository.js';
import { SyncRepository } from '../src/repositories/sync.repository.js';
import { DAY_MS, TestClock, isoOf } from '../src/lib/clock.js';
import { uuidv7 } from '../src/lib/ids.js';

const NOW = Date.parse('2026-06-15T12:00:00.000Z');

interface Figures {
  users: { total: number; active: number; with_accounts: number };
  days: Record<string, number>;
  providers: Record<string, { accounts: number; users: number }>;
}

/** SPEC §5.9–10 from the raw rows: non-erased users, active ones, live accounts, per provider. */
async function recomputed(db: Kysely<Database>, enterpriseId: string): Promise<Figures> {
  const u = await sql<{ total: number | string; active: number | string | null; with_accounts: number | string | null }>`
    select count(*) as total,
           sum(case when deactivated = 0 then 1 else 0 end) as active,
           sum(case when deactivated = 0 and exists (select 1 from accounts a where a.user_id = users.id and a.status <> 'disconnected') then 1 else 0 end) as with_accounts
      from users where enterprise_id = ${enterpriseId} and erased_at is null`.execute(db);
  const d = await sql<{ day: string; n: number | string }>`
    select substr(consented_at, 1, 10) as day, count(*) as n from users
     where enterprise_id = ${enterpriseId} and erased_at is null group by substr(consented_at, 1, 10)`.execute(db);
  const p = await sql<{ provider_id: string; accounts: number | string; users: number | string }>`
    select a.provider_id, count(*) as accounts, count(distinct a.user_id) as users
      from accounts a join users u on u.id = a.user_id
     where u.enterprise_id = ${enterpriseId} and u.erased_at is null and u.deactivated = 0
     group by a.provider_id`.execute(db);
  const r = u.rows[0]!;
  return {
    users: { total: Number(r.total), active: Number(r.active ?? 0), with_accounts: Number(r.with_accounts ?? 0) },
    days: Object.fromEntries(d.rows.map((x) => [x.day, Number(x.n)])),
    providers: Object.fromEntries(p.rows.map((x) => [x.provider_id, { accounts: Number(x.accounts), users: Number(x.users) }])),
  };
}

/** The counter rows as stored (rows counting nothing left out). */
async function stored(db: Kysely<Database>, enterpriseId: string): Promise<Figures> {
  const u = await db.selectFrom('stats_user_counts').selectAll().where('enterprise_id', '=', enterpriseId).executeTakeFirst();
  const d = await db.selectFrom('stats_consent_days').selectAll().where('enterprise_id', '=', enterpriseId).where('users', '<>', 0).execute();
  const p = await db.selectFrom('stats_provider_counts').selectAll().where('enterprise_id', '=', enterpriseId).where((eb) => eb.or([eb('accounts', '<>', 0), eb('users', '<>', 0)])).execute();
  return {
    users: { total: Number(u?.total ?? 0), active: Number(u?.active ?? 0), with_accounts: Number(u?.with_accounts ?? 0) },
    days: Object.fromEntries(d.map((x) => [x.day, Number(x.users)])),
    providers: Object.fromEntries(p.map((x) => [x.provider_id, { accounts: Number(x.accounts), users: Number(x.users) }])),
  };
}

/** The endpoints' figures as SPEC §5.9–10 define them, from the raw rows. */
async function expectedAnswers(db: Kysely<Database>, enterpriseId: string, nowMs: number) {
  const f = await recomputed(db, enterpriseId);
  const recent = await sql<{ n: number | string }>`
    select count(*) as n from users where enterprise_id = ${enterpriseId} and erased_at is null
       and consented_at >= ${isoOf(nowMs - 30 * DAY_MS)} and consented_at <= ${isoOf(nowMs)}`.execute(db);
  const providers = Object.entries(f.providers)
    .map(([provider_id, p]) => ({ provider_id, accounts: p.accounts, users: p.users }))
    .sort((a, b) => b.accounts - a.accounts || (a.provider_id < b.provider_id ? -1 : 1));
  return {
    users: { total: f.users.total, active: f.users.active, deactivated: f.users.total - f.users.active, with_accounts: f.users.with_accounts, new_last_30_days: Number(recent.rows[0]!.n) },
    accounts: { total: providers.reduce((n, p) => n + p.accounts, 0), providers },
  };
}

/** Counters equal the recomputation, and both endpoints answer the recomputed figures. */
async function expectExact(t: TestEnv, e: { enterpriseId: string; token: string }): Promise<Figures> {
  const db = t.deps.ctx.db;
  const fresh = await recomputed(db, e.enterpriseId);
  expect(await stored(db, e.enterpriseId)).toEqual(fresh);
  const want = await expectedAnswers(db, e.enterpriseId, t.clock.now());
  const users = await t.call(e.token, { method: 'GET', url: '/enterprise/v2/stats/users' });
  expect(users.json()).toEqual({ data: want.users });
  const accounts = await t.call(e.token, { method: 'GET', url: '/enterprise/v2/stats/accounts' });
  expect(accounts.json().data.total).toBe(want.accounts.total);
  expect(accounts.json().data.providers.map((p: { provider_id: string; accounts: number; users: number }) => ({ provider_id: p.provider_id, accounts: p.accounts, users: p.users }))).toEqual(want.accounts.providers);
  return fresh;
}

// ---------------------------------------------------------------------------------------------
// Connect, through inject() (as test/connect.test.ts drives it)

const REDIRECT = 'https://app.example/callback';

async function connectConsent(t: TestEnv, clientId: string, email: string, sources: { provider_id: string; connection: Record<string, unknown> }[]): Promise<LightMyRequestResponse> {
  const launch = await t.app.inject({ method: 'GET', url: `/connect?${new URLSearchParams({ client_id: clientId, redirect_uri: REDIRECT, code_challenge: createHash('sha256').update('v').digest('base64url'), code_challenge_method: 'S256', state: 's' })}` });
  expect(launch.statusCode, launch.body).toBe(303);
  const cookie = String(launch.headers['set-cookie']).split(';')[0]!;
  const csrf = (await t.app.inject({ method: 'GET', url: '/connect/api/session', headers: { cookie } })).json().data.csrf_token as string;
  const api = (path: string, payload: Record<string, unknown>) => t.app.inject({ method: 'POST', url: `/connect/api${path}`, headers: { cookie, 'x-csrf-token': csrf }, payload });
  t.clock.advance(1); // outbox files are named by time
  expect((await api('/email', { email })).statusCode).toBe(200);
  const verified = await api('/verify', { code: latestCode(t.dataDir, email)! });
  expect(verified.statusCode, verified.body).toBe(200);
  if (verified.json().data.step === 'name') await api('/name', { full_name: 'Connect Person' });
  for (const s of sources) expect((await api('/sources', s)).statusCode).toBe(200);
  return api('/consent', {});
}

forEachDialect((env) => {
  it('follow every write: users, Connect consent, accounts, status changes, deactivation, erasure, removal', async () => {
    const t = env();
    t.clock.set(NOW);
    const e = await t.newEnterprise('Counted');
    const other = await t.newEnterprise('Other tenant');
    const { sync, accounts, users } = t.deps.repos;
    expect(await expectExact(t, e)).toEqual({ users: { total: 0, active: 0, with_accounts: 0 }, days: {}, providers: {} });

    // users: active, deactivated at creation, consented on other days
    const ada = await seedUser(t.deps, e.enterpriseId, { consentedAt: isoOf(NOW - 2 * DAY_MS) });
    const bob = await seedUser(t.deps, e.enterpriseId, { consentedAt: isoOf(NOW - 40 * DAY_MS) });
    await seedUser(t.deps, e.enterpriseId, { consentedAt: isoOf(NOW - 3 * DAY_MS), deactivatedOn: '2026-06-14' });
    await seedUser(t.deps, other.enterpriseId);
    expect((await expectExact(t, e)).users).toEqual({ total: 3, active: 2, with_accounts: 0 });

    // consent via Connect: a new user with two sources, then the same person again with one more
    const { client_id } = await t.deps.services.enterprises.createClient(e.enterpriseId, [REDIRECT]);
    const wallet = { provider_id: 'sandbox-wallet', connection: { type: 'wallet', address: '0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed' } };
    const exchange = { provider_id: 'sandbox-exchange', connection: { type: 'api_key', api_key: '3tx', secret_key: 'k' } };
    expect((await connectConsent(t, client_id, 'cleo@example.com', [exchange, wallet])).statusCode).toBe(200);
    expect((await expectExact(t, e)).providers).toEqual({ 'sandbox-exchange': { accounts: 1, users: 1 }, 'sandbox-wallet': { accounts: 1, users: 1 } });
    expect((await connectConsent(t, client_id, 'CLEO@example.com', [exchange])).statusCode).toBe(200);
    expect((await expectExact(t, e)).providers['sandbox-exchange']).toEqual({ accounts: 2, users: 1 });

    // accounts added to existing users, one of them at the same provider twice
    const a1 = await seedAccount(t.deps, e.enterpriseId, ada, { providerId: 'kraken' });
    const a2 = await seedAccount(t.deps, e.enterpriseId, ada, { providerId: 'kraken', status: 'error' });
    const b1 = await seedAccount(t.deps, e.enterpriseId, bob, { providerId: 'coinbase', status: 'disconnected' });
    let f = await expectExact(t, e);
    expect(f.users.with_accounts).toBe(2); // bob's only account is disconnected
    expect(f.providers.kraken).toEqual({ accounts: 2, users: 1 });

    // status changes: syncing/active/error never move the counters; disconnected does; a disconnected account stays so
    const status = (id: string, s: string) => sync.setAccountStatus(t.deps.ctx.db, e.enterpriseId, id, { status: s, status_cause: s === 'error' ? 'provider_unavailable' : null });
    for (const s of ['syncing', 'active', 'error']) {
      await status(a1, s);
      expect(await expectExact(t, e)).toEqual(f);
    }
    await status(a1, 'disconnected');
    expect(await expectExact(t, e)).toEqual(f); // ada still has a2 (error: not disconnected)
    await t.deps.ctx.db.transaction().execute((trx) => sync.setAccountStatus(trx, e.enterpriseId, a2, { status: 'disconnected', status_cause: null }));
    f = await expectExact(t, e);
    expect(f.users.with_accounts).toBe(1);
    expect(f.providers.kraken).toEqual({ accounts: 2, users: 1 }); // any status counts by provider
    await status(a2, 'active');
    expect((await accounts.getById(e.enterpriseId, a2))?.status).toBe('disconnected');
    expect(await expectExact(t, e)).toEqual(f);
    await status(b1, 'disconnected'); // already disconnected
    await sync.setAccountStatus(t.deps.ctx.db, other.enterpriseId, a1, { status: 'disconnected', status_cause: null }); // another tenant's account id
    expect(await expectExact(t, e)).toEqual(f);

    // removing accounts (of ada: both kraken ones), then deactivation (twice) and erasure (twice)
    const cleo = (await t.call(e.token, { method: 'POST', url: '/enterprise/v2/users/search', payload: { email: 'cleo@example.com' } })).json().data.users[0].user_id as string;
    expect(await accounts.removeForUser(e.enterpriseId, ada, [a1, a2, b1])).toEqual([a1, a2]);
    expect((await expectExact(t, e)).providers.kraken).toBeUndefined();
    await seedAccount(t.deps, e.enterpriseId, ada, { providerId: 'sandbox-exchange' });
    expect((await expectExact(t, e)).providers['sandbox-exchange']).toEqual({ accounts: 3, users: 2 });
    for (let i = 0; i < 2; i++) {
      expect((await t.call(e.token, { method: 'DELETE', url: `/enterprise/v2/users/${cleo}` })).statusCode).toBe(200);
      f = await expectExact(t, e);
      expect(f.users).toEqual({ total: 4, active: 2, with_accounts: 1 });
      expect(f.providers).toEqual({ 'sandbox-exchange': { accounts: 1, users: 1 }, coinbase: { accounts: 1, users: 1 } }); // bob's disconnected account counts
    }
    for (let i = 0; i < 2; i++) {
      expect((await t.call(e.token, { method: 'DELETE', url: `/enterprise/v2/users/${ada}?erase=true` })).statusCode).toBe(i === 0 ? 200 : 404);
      f = await expectExact(t, e);
      expect(f.users).toEqual({ total: 3, active: 1, with_accounts: 0 });
      expect(f.providers).toEqual({ coinbase: { accounts: 1, users: 1 } });
    }
    await users.erase(e.enterpriseId, cleo, '2026-06-15', isoOf(NOW)); // a deactivated user erased
    expect((await expectExact(t, e)).users).toEqual({ total: 2, active: 1, with_accounts: 0 });
    expect((await stored(t.deps.ctx.db, other.enterpriseId)).users).toEqual({ total: 1, active: 1, with_accounts: 0 });
  });

  it('new_last_30_days counts [now − 30 days, now] exactly: whole days from the counters, the edge days from the index', async () => {
    const t = env();
    t.clock.set(NOW);
    const e = await t.newEnterprise();
    const since = NOW - 30 * DAY_MS;
    const sinceDay = Math.floor(since / DAY_MS) * DAY_MS;
    const nowDay = Math.floor(NOW / DAY_MS) * DAY_MS;
    const inside = [since, since + 1, sinceDay + DAY_MS - 1, sinceDay + DAY_MS, NOW - 5 * DAY_MS, nowDay - 1, nowDay, NOW - 1, NOW];
    const outside = [since - 1, sinceDay, sinceDay - 1, NOW + 1, nowDay + DAY_MS];
    for (const at of [...inside, ...outside]) await seedUser(t.deps, e.enterpriseId, { consentedAt: isoOf(at) });
    await seedUser(t.deps, e.enterpriseId, { consentedAt: isoOf(NOW - DAY_MS), deactivatedOn: '2026-06-15' });
    const erased = await seedUser(t.deps, e.enterpriseId, { consentedAt: isoOf(NOW - DAY_MS) });
    await t.deps.repos.users.erase(e.enterpriseId, erased, '2026-06-15', isoOf(NOW));
    const res = await t.call(e.token, { method: 'GET', url: '/enterprise/v2/stats/users' });
    expect(res.json().data.new_last_30_days).toBe(inside.length + 1); // the deactivated one counts, the erased one does not
    await expectExact(t, e);
    // later in the day, and a day later: the window slides over the same counters
    for (const step of [3 * 3_600_000, DAY_MS, 17 * DAY_MS + 1]) {
      t.clock.advance(step);
      const { token } = await t.deps.tokens.issue('enterprise', e.clientId, e.enterpriseId, e.clientId, 'enterprise');
      await expectExact(t, { enterpriseId: e.enterpriseId, token });
    }
  });

  it('follow a demo generation (users and accounts written in batches)', async () => {
    const t = env();
    t.clock.set(NOW);
    const r = await t.deps.services.demo.generate({ users: 60, transactionsPerUser: 2, seed: 'counters' });
    const { token } = await t.deps.tokens.issue('enterprise', r.client_id, r.enterprise_id, r.client_id, 'enterprise');
    const f = await expectExact(t, { enterpriseId: r.enterprise_id, token });
    // the data set exercises every branch: deactivated users, several accounts per user
    expect(f.users.total).toBe(60);
    expect(f.users.active).toBeLessThan(60);
    expect(Object.values(f.providers).reduce((n, p) => n + p.accounts, 0)).toBeGreaterThan(f.users.active);
  });

  it('stay exact under concurrent writes to the same users from several connections', async () => {
    const t = env();
    t.clock.set(NOW);
    const e = await t.newEnterprise();
    const ids: { user: string; accounts: string[] }[] = [];
    for (let i = 0; i < 6; i++) {
      const user = await seedUser(t.deps, e.enterpriseId);
      const accs: string[] = [];
      for (const providerId of ['kraken', 'kraken', 'coinbase', 'ethereum']) accs.push(await seedAccount(t.deps, e.enterpriseId, user, { providerId }));
      ids.push({ user, accounts: accs });
    }
    // PostgreSQL: four more pools on the same schema, like several `tortie worker` processes.
    // SQLite: one process shares one connection (its transactions take turns).
    const handles: DbHandle[] = [];
    const schema = t.dialect === 'postgres' ? (await sql<{ s: string }>`select current_schema() as s`.execute(t.deps.ctx.db)).rows[0]!.s : undefined;
    if (t.dialect === 'postgres') for (let i = 0; i < 4; i++) handles.push(createDb(PG_URL, { schema, poolSize: 3 }));
    const repos = (handles.length ? handles.map((h) => dbContext(h.db, h.dialect)) : [t.deps.ctx]).map((ctx) => ({ ctx, sync: new SyncRepository(ctx), accounts: new AccountsRepository(ctx) }));
    try {
      const ops: Promise<unknown>[] = [];
      let k = 0;
      const next = () => repos[k++ % repos.length]!;
      for (const { user, accounts } of ids) {
        // every account disconnected at once (with_accounts must drop exactly once per user) ...
        for (const id of accounts) {
          const r = next();
          ops.push(r.sync.setAccountStatus(r.ctx.db, e.enterpriseId, id, { status: 'disconnected', status_cause: null }));
        }
        // ... while accounts are added at a provider the user already has, and one is removed
        for (let j = 0; j < 2; j++) {
          const r = next();
          const id = uuidv7(NOW);
          ops.push(r.accounts.create([{ id, enterprise_id: e.enterpriseId, user_id: user, provider_id: 'coinbase', connection_type: 'sandbox', status: 'active', created_at: isoOf(NOW) }]));
        }
        const r = next();
        ops.push(r.accounts.removeForUser(e.enterpriseId, user, [accounts[0]!]));
      }
      await Promise.all(ops);
    } finally {
      for (const h of handles) await h.destroy();
    }
    const f = await expectExact(t, e);
    expect(f.providers.coinbase).toEqual({ accounts: 18, users: 6 });
    expect(f.providers.kraken).toEqual({ accounts: 6, users: 6 });
    expect(f.users.with_accounts).toBe(6); // each user's two new coinbase accounts are live
  });
});

// ---------------------------------------------------------------------------------------------
// Migration 0040 on a database with data

describe.each(DIALECTS)('%s: migration 0040 backfills the counters of an existing database', (dialect) => {
  it('gives the figures the aggregate queries gave before it', async () => {
    const dir = mkdtempSync(join(tmpdir(), `tortie-m0040-${dialect}-`));
    const schema = `t_${randomBytes(6).toString('hex')}`;
    const dbh = dialect === 'sqlite' ? createDb(`sqlite:${join(dir, 'old.db')}`) : createDb(PG_URL, { schema, poolSize: 3 });
    try {
      // a database as it was before 0040
      if (dialect === 'postgres') await dbh.db.schema.createSchema(schema).execute();
      const migrator = new Migrator({ db: dbh.db, provider: new TortieMigrationProvider(dialect), migrationTableSchema: dialect === 'postgres' ? schema : undefined, allowUnorderedMigrations: true });
      const before = await migrator.migrateTo('0030-connect');
      expect(before.error).toBeUndefined();
      const db = dbh.db;
      const enterprises = ['e-one', 'e-two'];
      for (const id of enterprises) await db.insertInto('enterprises').values({ id, name: id, base_currency: 'USD', is_demo: 1, created_at: isoOf(NOW) }).execute();
      const statuses = ['active', 'syncing', 'error', 'disconnected'];
      const providers = ['kraken', 'coinbase', 'ethereum'];
      for (let i = 0; i < 40; i++) {
        const id = `u-${String(i).padStart(3, '0')}`;
        const deactivated = i % 5 === 0 ? 1 : 0;
        const erased = i % 11 === 0 ? isoOf(NOW) : null;
        await db
          .insertInto('users')
          .values({ id, enterprise_id: enterprises[i % 2]!, email: erased ? null : `${id}@example.com`, email_lower: erased ? null : `${id}@example.com`, full_name: erased ? null : id, consented_at: isoOf(NOW - i * 0.9 * DAY_MS - i * 3_600_000), deactivated_on: deactivated || erased ? '2026-06-01' : null, deactivated: deactivated || erased ? 1 : 0, erased_at: erased, tokens_revoked_before: null, created_at: isoOf(NOW) })
          .execute();
        // erased users keep leftover accounts here: the figures must ignore them
        for (let j = 0; j < i % 4; j++) {
          await db
            .insertInto('accounts')
            .values({ id: `${id}-a${j}`, enterprise_id: enterprises[i % 2]!, user_id: id, provider_id: providers[(i + j) % 3]!, display_label: null, connection_type: 'sandbox', addresses: '[]', status: statuses[(i * 3 + j) % 4]!, status_cause: null, credentials_enc: null, created_at: isoOf(NOW), last_synced_at: null, next_sync_at: null, sync_cursor: null, reconciliation: null })
            .execute();
        }
      }
      const want = await Promise.all(enterprises.map((id) => expectedAnswers(db, id, NOW)));
      expect(want[0]!.users.with_accounts).toBeGreaterThan(0);
      expect(want[1]!.accounts.providers.length).toBe(3);

      // the upgrade, as `tortie migrate` or start-up runs it
      expect(await dbh.migrate()).toContain('0040-stats-counters');
      for (const id of enterprises) expect(await stored(db, id)).toEqual(await recomputed(db, id));
      const clock = new TestClock(NOW);
      const c = createContainer(testConfig(dir, dialect === 'sqlite' ? `sqlite:${join(dir, 'old.db')}` : PG_URL), { clock, dbHandle: dbh, schema: dialect === 'postgres' ? schema : undefined });
      for (const [i, id] of enterprises.entries()) {
        expect(await c.services.stats.users(id)).toEqual(want[i]!.users);
        const accounts = await c.services.stats.accounts(id);
        expect({ total: accounts.total, providers: accounts.providers.map(({ provider_id, accounts: n, users }) => ({ provider_id, accounts: n, users })) }).toEqual(want[i]!.accounts);
      }
      // and the counters follow the next writes
      await c.repos.users.deactivate('e-one', 'u-002', '2026-06-15', isoOf(NOW));
      expect(await stored(db, 'e-one')).toEqual(await recomputed(db, 'e-one'));
    } finally {
      await dbh.destroy();
      if (dialect === 'postgres') await dropSchema(schema);
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
