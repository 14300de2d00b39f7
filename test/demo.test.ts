/**
 * The demo generator (SPEC §11 `demo`) on both databases: deterministic content, every transaction
 * type with its shape, positions exactly equal to what the stored history implies, values exactly
 * quantity × that day's synthetic price, deactivated users and failing accounts, internal transfers
 * marked on both sides.
 */
import { describe, expect, it } from 'vitest';
import { forEachDialect, type TestEnv } from './support/harness.js';
import { content, rowsOf, type MovementJson } from './support/demo-content.js';
import { TRANSACTION_TYPES, TYPE_RULES, type TransactionType } from '../src/domain/transactions.js';
import { DecimalSum, isNegative, isZero, mul, normalize } from '../src/lib/decimal.js';
import { demoCommand } from '../src/cli/demo.command.js';
import type { Config } from '../src/config.js';
import { sql } from 'kysely';

describe('demo generator', () => {
  forEachDialect((env) => {
    let small: { enterprise_id: string; client_id: string; client_secret: string; users: number };

    // first in the file: the only demo that starts on an empty transactions table
    it('a load into an empty transactions table builds transactions_enterprise_time at its end, as migrations define it; migrate re-creates it if a load was cut short', async () => {
      const t = env();
      const db = t.deps.ctx.db;
      const index = async () =>
        t.dialect === 'sqlite'
          ? (await sql<{ def: string; id: number }>`select sql as def, rootpage as id from sqlite_master where type = 'index' and name = 'transactions_enterprise_time'`.execute(db)).rows[0]
          : (await sql<{ def: string; id: number }>`select pg_get_indexdef(c.oid) as def, c.oid::int8 as id from pg_class c where c.oid = to_regclass('transactions_enterprise_time')`.execute(db)).rows[0];
      const migrated = await index();
      expect(migrated?.def).toMatch(/transactions_enterprise_time.*\(.*enterprise_id.*timestamp.*seq.*\)/);
      expect(Number((await sql<{ n: number }>`select count(*) as n from transactions`.execute(db)).rows[0]!.n)).toBe(0);
      const r = await t.deps.services.demo.generate({ users: 3, seed: 'deferred', transactionsPerUser: 30 });
      const built = await index();
      // the same definition, built anew (another page / object): dropped before the load
      expect(built?.def).toBe(migrated!.def);
      expect(built!.id).not.toBe(migrated!.id);
      const plan =
        t.dialect === 'sqlite'
          ? (await sql<{ detail: string }>`explain query plan select seq from transactions where enterprise_id = ${r.enterprise_id} order by timestamp desc, seq desc limit 5`.execute(db)).rows.map((p) => p.detail)
          : (await sql<{ 'QUERY PLAN': string }>`explain select seq from transactions where enterprise_id = ${r.enterprise_id} order by timestamp desc, seq desc limit 5`.execute(db)).rows.map((p) => p['QUERY PLAN']);
      expect(plan.join(' | ')).toMatch(/transactions_enterprise_time/);
      // a load into a table that holds transactions leaves the index as it is
      await t.deps.services.demo.generate({ users: 2, seed: 'deferred-2', transactionsPerUser: 10 });
      expect((await index())!.id).toBe(built!.id);
      // an interrupted load: the index is missing until migrate re-creates it
      await sql`drop index transactions_enterprise_time`.execute(db);
      expect(await index()).toBeUndefined();
      expect(await t.deps.dbh.migrate()).toEqual([]);
      expect((await index())?.def).toBe(migrated!.def);
    });

    it('leaves planner statistics on SQLite: an account\'s sync reads go through the account\'s index', async () => {
      const t = env();
      const r = await t.deps.services.demo.generate({ users: 3, seed: 'plans', transactionsPerUser: 30 });
      if (t.dialect !== 'sqlite') return; // PostgreSQL: the bulk load's ANALYZE (see DbHandle.bulkLoad)
      const stat = await sql<{ n: number }>`select count(*) as n from sqlite_stat1 where tbl = 'transactions'`.execute(t.deps.ctx.db);
      expect(Number(stat.rows[0]!.n)).toBeGreaterThan(0);
      const plan = await sql<{ detail: string }>`explain query plan select fingerprint from transactions where enterprise_id = ${r.enterprise_id} and account_id = ${'any'} and removed_at is null`.execute(t.deps.ctx.db);
      expect(plan.rows.map((p) => p.detail).join(' | ')).toMatch(/transactions_account_fingerprint/);
    });

    it('optimize() gives a database without planner statistics (grown by syncs alone) its statistics on SQLite', async () => {
      const t = env();
      await t.deps.services.demo.generate({ users: 2, seed: 'optimize', transactionsPerUser: 20 });
      if (t.dialect !== 'sqlite') return;
      const db = t.deps.ctx.db;
      await sql`delete from sqlite_stat1`.execute(db);
      const stats = async () => Number((await sql<{ n: number }>`select count(*) as n from sqlite_stat1 where tbl = 'transactions'`.execute(db)).rows[0]!.n);
      expect(await stats()).toBe(0);
      await t.deps.dbh.optimize();
      expect(await stats()).toBeGreaterThan(0);
    });

    it('optimize() analyzes the PostgreSQL tables changed past autovacuum\'s threshold when autovacuum is off', async () => {
      const t = env();
      if (t.dialect !== 'postgres') return;
      const db = t.deps.ctx.db;
      const r = await t.deps.services.demo.generate({ users: 5, seed: 'optimize-pg', transactionsPerUser: 40 });
      // table statistics reach pg_stat_user_tables a moment after the commits that change them
      const stat = async () =>
        (
          await sql<{ changed: number; threshold: number; analyzes: number; autovacuum: string }>`
            select n_mod_since_analyze::float8 as changed, analyze_count::float8 as analyzes,
              current_setting('autovacuum_analyze_threshold')::float8 + current_setting('autovacuum_analyze_scale_factor')::float8 * n_live_tup as threshold,
              current_setting('autovacuum') as autovacuum
            from pg_stat_user_tables where schemaname = current_schema() and relname = 'transactions'`.execute(db)
        ).rows[0]!;
      const until = async (ok: (s: Awaited<ReturnType<typeof stat>>) => boolean) => {
        for (let i = 0; i < 100 && !ok(await stat()); i++) await new Promise((res) => setTimeout(res, 100));
        return stat();
      };
      // a sync's kind of change, past the threshold: every transaction of the enterprise rewritten
      let before = await stat();
      for (let i = 0; i < 200 && before.changed <= before.threshold; i++) {
        await sql`update transactions set description = description where enterprise_id = ${r.enterprise_id}`.execute(db);
        before = await until((s) => s.changed > before.changed);
      }
      expect(before.changed).toBeGreaterThan(before.threshold);
      await t.deps.dbh.optimize();
      if (before.autovacuum === 'on') {
        // autovacuum's business: optimize() analyzes nothing itself
        expect((await stat()).analyzes).toBe(before.analyzes);
        return;
      }
      const after = await until((s) => s.analyzes > before.analyzes);
      expect(after.analyzes).toBe(before.analyzes + 1);
      expect(after.changed).toBeLessThanOrEqual(after.threshold);
      // nothing changed since: a second call analyzes nothing
      await t.deps.dbh.optimize();
      await new Promise((res) => setTimeout(res, 300));
      expect((await stat()).analyzes).toBe(after.analyzes);
    });

    it('same seed, same content; another seed, other content; new ids each time', async () => {
      const { deps } = env();
      const a = await deps.services.demo.generate({ users: 4, seed: 'alpha', transactionsPerUser: 40 });
      const b = await deps.services.demo.generate({ users: 4, seed: 'alpha', transactionsPerUser: 40 });
      const c = await deps.services.demo.generate({ users: 4, seed: 'beta', transactionsPerUser: 40 });
      small = a;
      expect(a.users).toBe(4);
      expect(a.stats.transactions).toBe(160);
      expect(new Set([a.enterprise_id, b.enterprise_id, c.enterprise_id]).size).toBe(3);
      expect(a.client_id).not.toBe(b.client_id);
      const ca = await content(env().deps.ctx.db, a.enterprise_id);
      const cb = await content(env().deps.ctx.db, b.enterprise_id);
      const cc = await content(env().deps.ctx.db, c.enterprise_id);
      expect(ca.transactions).toHaveLength(160);
      expect(cb).toEqual(ca);
      expect(cc.users).not.toEqual(ca.users);
      expect(cc.transactions).not.toEqual(ca.transactions);
      const ids = await rowsOf(env().deps.ctx.db, b.enterprise_id);
      const idsA = await rowsOf(env().deps.ctx.db, a.enterprise_id);
      expect(ids.users.map((x) => x.id)).not.toEqual(idsA.users.map((x) => x.id));
      // later the same day: same content (dates are relative to the run day, not the hour)
      env().clock.advance(3 * 3_600_000);
      try {
        const d = await deps.services.demo.generate({ users: 4, seed: 'alpha', transactionsPerUser: 40 });
        const cd = await content(env().deps.ctx.db, d.enterprise_id);
        expect(cd.users).toEqual(ca.users);
        expect(cd.transactions).toEqual(ca.transactions);
      } finally {
        env().clock.advance(-3 * 3_600_000);
      }
    });

    it('creates a demo enterprise with realistic users, consents, accounts, deactivated users and a failing account', async () => {
      const { deps } = env();
      const r = await deps.services.demo.generate({ users: 12, seed: 'people', transactionsPerUser: 20 });
      const e = await deps.repos.enterprises.get(r.enterprise_id);
      expect(e?.is_demo).toBe(true);
      expect(await deps.repos.enterprises.enabledProviders(r.enterprise_id)).toEqual(expect.arrayContaining(['sandbox-exchange', 'sandbox-custodian', 'sandbox-wallet']));
      const { users, accounts, consents } = await rowsOf(env().deps.ctx.db, r.enterprise_id);
      expect(users).toHaveLength(12);
      const now = deps.clock.now();
      for (const u of users) {
        expect(u.full_name).toMatch(/^\S.* \S+$/);
        expect(u.email).toMatch(/^[a-z0-9._]+@[a-z0-9.]+$/);
        expect(Date.parse(u.consented_at)).toBeLessThan(now);
        expect(Date.parse(u.consented_at)).toBeGreaterThan(now - 3 * 366 * 86_400_000);
        const mine = accounts.filter((a) => a.user_id === u.id);
        expect(mine.length).toBeGreaterThanOrEqual(1);
        expect(mine.length).toBeLessThanOrEqual(5);
        const consent = consents.filter((c) => c.user_id === u.id);
        expect(consent).toHaveLength(1);
        expect(consent[0]!.client_id).toBe(r.client_id);
        expect(consent[0]!.consented_at).toBe(u.consented_at);
        if (u.deactivated) {
          expect(u.deactivated_on).toMatch(/^\d{4}-\d{2}-\d{2}$/);
          expect(consent[0]!.revoked_at).not.toBeNull();
          for (const a of mine) {
            expect(a.status).toBe('disconnected');
            expect(a.credentials_enc).toBeNull();
          }
        } else {
          expect(u.deactivated_on).toBeNull();
          expect(consent[0]!.revoked_at).toBeNull();
        }
      }
      expect(new Set(users.map((u) => u.email?.toLowerCase())).size).toBe(12);
      expect(users.filter((u) => u.deactivated === 1).length).toBeGreaterThanOrEqual(1);
      const failing = accounts.filter((a) => a.status === 'error');
      expect(failing.length).toBeGreaterThanOrEqual(1);
      expect(failing.every((a) => a.status_cause !== null)).toBe(true);
      expect(failing.some((a) => a.status_cause === 'provider_unavailable')).toBe(true);
      for (const a of accounts) {
        expect(['sandbox-exchange', 'sandbox-custodian', 'sandbox-wallet']).toContain(a.provider_id);
        const addresses = JSON.parse(a.addresses) as string[];
        if (a.provider_id === 'sandbox-wallet') expect(addresses).toEqual([expect.stringMatching(/^0x[0-9a-f]{40}$/)]);
        else expect(addresses).toEqual([]);
        // sandbox API keys are sealed with the account id as AAD, like real credentials
        if (a.credentials_enc) expect(JSON.parse(deps.envelope.open(a.credentials_enc, a.id))).toEqual({ api_key: expect.stringMatching(/^sbx_/), secret_key: expect.any(String) });
      }
      // the demo's users are served by the API
      const { token } = await deps.tokens.issue('enterprise', r.client_id, r.enterprise_id, r.client_id, 'enterprise');
      const res = await env().call(token, { method: 'GET', url: '/enterprise/v2/users/all?limit=100' });
      expect(res.statusCode).toBe(200);
      expect((res.json() as { data: { users: unknown[] } }).data.users).toHaveLength(12);
    });

    it('produces every transaction type with the shape and category its type fixes', async () => {
      const { deps } = env();
      const r = await deps.services.demo.generate({ users: 3, seed: 'types', transactionsPerUser: 120 });
      const { txs, accounts } = await rowsOf(env().deps.ctx.db, r.enterprise_id);
      const seen = new Set<string>();
      const statuses = new Set<string>();
      for (const t of txs) {
        const type = t.type as TransactionType;
        seen.add(type);
        statuses.add(t.status);
        const inputs = JSON.parse(t.inputs) as MovementJson[];
        const outputs = JSON.parse(t.outputs) as MovementJson[];
        const fees = JSON.parse(t.fee_items) as MovementJson[];
        expect(t.category).toBe(TYPE_RULES[type].category);
        const shape = TYPE_RULES[type].shape;
        if (shape === 'inputs_only') expect([inputs.length > 0, outputs.length]).toEqual([true, 0]);
        if (shape === 'outputs_only') expect([inputs.length, outputs.length > 0]).toEqual([0, true]);
        if (shape === 'both') expect([inputs.length > 0, outputs.length > 0]).toEqual([true, true]);
        for (const m of [...inputs, ...outputs, ...fees]) {
          expect(m.quantity).toBe(normalize(m.quantity));
          expect(isNegative(m.quantity) || isZero(m.quantity)).toBe(false);
          if (m.value) expect(m.value.currency).toBe('USD');
        }
        if (t.status === 'failed') expect(fees).toEqual([]);
        const priced = fees.filter((f) => f.value !== null).map((f) => f.value!.amount);
        expect(t.fee_total === null ? null : normalize(t.fee_total)).toBe(priced.length ? priced.reduce((s, v) => s.add(v), new DecimalSum()).value() : null);
        const account = accounts.find((a) => a.id === t.account_id)!;
        if (account.provider_id === 'sandbox-wallet' && t.tx_hash) expect(t.tx_hash).toMatch(/^0x[0-9a-f]{64}$/);
      }
      expect([...seen].sort()).toEqual([...TRANSACTION_TYPES].sort());
      expect(statuses.has('confirmed')).toBe(true);
      expect(txs.filter((t) => t.status === 'confirmed').length / txs.length).toBeGreaterThan(0.9);
      // the busiest user's last days hold pending ones; failed ones occur over the history
      expect(txs.some((t) => t.status === 'pending') || txs.some((t) => t.status === 'failed')).toBe(true);
    });

    it('stores positions exactly equal to what the history implies, never negative', async () => {
      const { deps } = env();
      const r = await deps.services.demo.generate({ users: 6, seed: 'balances', transactionsPerUser: 150 });
      const { txs, positions, accounts } = await rowsOf(env().deps.ctx.db, r.enterprise_id);
      for (const a of accounts) {
        // confirmed transactions move balances; pending and failed ones move nothing (documented rule)
        const sums = new Map<string, DecimalSum>();
        const bump = (assetId: string, q: string) => {
          let s = sums.get(assetId);
          if (!s) sums.set(assetId, (s = new DecimalSum()));
          s.add(q);
        };
        for (const t of txs.filter((x) => x.account_id === a.id && x.status === 'confirmed')) {
          for (const m of JSON.parse(t.outputs) as MovementJson[]) bump(m.asset_id, m.quantity);
          for (const m of JSON.parse(t.inputs) as MovementJson[]) bump(m.asset_id, `-${m.quantity}`);
          for (const m of JSON.parse(t.fee_items) as MovementJson[]) bump(m.asset_id, `-${m.quantity}`);
        }
        const implied = [...sums].map(([id, s]) => [id, s.value()] as const).filter(([, q]) => !isZero(q));
        for (const [, q] of implied) expect(isNegative(q)).toBe(false);
        const stored = positions.filter((p) => p.account_id === a.id).map((p) => [p.asset_id, normalize(p.quantity)] as const);
        expect(new Map(stored)).toEqual(new Map(implied));
        expect(stored.length).toBe(implied.length);
      }
      expect(positions.length).toBeGreaterThan(0);
    });

    it('values every movement at exactly quantity × the synthetic price of its day; unpriced assets stay null', async () => {
      const { deps } = env();
      const r = await deps.services.demo.generate({ users: 4, seed: 'values', transactionsPerUser: 100 });
      const { txs, positions } = await rowsOf(env().deps.ctx.db, r.enterprise_id);
      let priced = 0;
      let unpriced = 0;
      for (const t of txs) {
        const at = Date.parse(t.timestamp);
        for (const m of [...JSON.parse(t.inputs), ...JSON.parse(t.outputs), ...JSON.parse(t.fee_items)] as MovementJson[]) {
          const q = await deps.prices.at(m.asset_id, 'USD', at);
          if (q === null) {
            expect(m.value).toBeNull();
            unpriced++;
          } else {
            if (q.source !== 'identity') expect([q.source, q.ts]).toEqual(['synthetic', `${t.timestamp.slice(0, 10)}T00:00:00.000Z`]);
            expect(m.value).toEqual({ amount: mul(m.quantity, q.price), currency: 'USD' });
            priced++;
          }
        }
      }
      expect(priced).toBeGreaterThan(100);
      // an unknown token is held somewhere, so `unpriced_assets` can be seen
      const spot = await Promise.all(positions.map((p) => deps.prices.spot(p.asset_id, 'USD')));
      expect(spot.some((q) => q === null)).toBe(true);
      expect(spot.filter((q) => q !== null).length).toBeGreaterThan(0);
      expect(unpriced).toBeGreaterThan(0);
    });

    it('marks internal transfers on both sides', async () => {
      const { deps } = env();
      const r = await deps.services.demo.generate({ users: 8, seed: 'transfers', transactionsPerUser: 150 });
      const { txs, accounts } = await rowsOf(env().deps.ctx.db, r.enterprise_id);
      const internal = txs.filter((t) => t.is_internal_transfer === 1);
      expect(internal.length).toBeGreaterThanOrEqual(2);
      const owner = new Map(accounts.map((a) => [a.id, a.user_id]));
      for (const t of internal) {
        expect(['send', 'receive']).toContain(t.type);
        expect(t.counterparty_account_id).not.toBeNull();
        expect(owner.get(t.counterparty_account_id!)).toBe(t.user_id);
        const other = txs.find((x) => x.account_id === t.counterparty_account_id && x.counterparty_account_id === t.account_id && x.tx_hash === t.tx_hash && x.type !== t.type);
        expect(other).toBeDefined();
        expect(other!.is_internal_transfer).toBe(1);
        const mine = JSON.parse(t.type === 'send' ? t.inputs : t.outputs) as MovementJson[];
        const theirs = JSON.parse(other!.type === 'send' ? other!.inputs : other!.outputs) as MovementJson[];
        expect(theirs.map((m) => [m.asset_id, m.quantity])).toEqual(mine.map((m) => [m.asset_id, m.quantity]));
      }
    });

    it('`tortie demo --json` prints the credentials and the rate on stderr', async () => {
      const t = env();
      const url = t.dialect === 'sqlite' ? t.config.databaseUrl : await withSearchPath(t);
      const config: Config = { ...t.config, databaseUrl: url };
      const err: string[] = [];
      const out = (await demoCommand.run({ config: () => config, io: { stdout: () => undefined, stderr: (s) => err.push(s) }, json: true }, { users: '2', seed: 'cli', 'transactions-per-user': '30' }, [])) as Record<string, unknown>;
      expect(Object.keys(out)).toEqual(['enterprise_id', 'client_id', 'client_secret', 'users']);
      expect(out.users).toBe(2);
      expect(err.join('')).toMatch(/^demo: 60 transactions in \d+\.\d\d s \([\d,]+\/s\)/);
      const { users } = await rowsOf(t.deps.ctx.db, out.enterprise_id as string);
      expect(users).toHaveLength(2);
      await expect(demoCommand.run({ config: () => config, io: { stdout: () => undefined, stderr: () => undefined }, json: true }, { users: '0' }, [])).rejects.toThrow(/--users/);
      expect(small.users).toBe(4);
    });
  });
});

/** The PostgreSQL URL with the test's schema on the search path (the command opens its own pool). */
async function withSearchPath(t: TestEnv): Promise<string> {
  const r = await sql<{ s: string }>`select current_schema() as s`.execute(t.deps.ctx.db);
  const u = new URL(t.config.databaseUrl);
  u.searchParams.set('options', `-c search_path=${r.rows[0]!.s}`);
  return u.toString();
}
