/**
 * The maintained trade aggregates behind /stats/top-traded-assets (migration 0060,
 * src/repositories/trade-stats.ts): after every kind of write (ledger inserts and updates, sync
 * removal, internal-transfer marking, account removal, deactivation, erasure, the demo) the rows
 * equal a from-scratch recomputation from the transactions written here; the endpoint equals the
 * benchmark's full-scan query (bench/full-scan.mjs) for windows with partial edge hours, within one
 * hour and by default; concurrent PostgreSQL writers neither deadlock nor lose a change; the
 * migration's backfill of an existing database gives the same rows.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { DIALECTS, PG_URL, forEachDialect, testConfig, type TestEnv, dropSchema } from './support/harness.js';
import { seedAccount, seedUser, tx } from './support/seed.js';
import type { Database } from '../src/db/schema.js';
import { createDb, type DbHandle } from '../src/db/create-db.js';
import { createContainer } from '../src/container.js';
import { dbContext } from '../src/repositories/db-context.js';
import { LedgerRepository } from '../src/repositories/ledger.repository.js';
import { AccountsRepository } from '../src/repositories/accounts.repository.js';
import { UsersRepository } from '../src/repositories/users.repository.js';
import { SyncRepository } from '../src/repositories/sync.repository.js';
import { windowParts } from '../src/repositories/stats.repository.js';
import type { AccountScope, MovementRecord, TransactionRecord } from '../src/domain/records.js';
import { TestClock, isoOf } from '../src/lib/clock.js';
import { DecimalSum, abs, normalize } from '../src/lib/decimal.js';

const NOW = Date.parse('2026-06-15T12:00:00.000Z');
const HOUR = 3_600_000;
const BTC = 'bitcoin';
const ETH = 'ethereum';
const SOL = 'solana';
const USDC = 'usd-coin';
const USD = 'fiat:usd';

const mv = (asset_id: string, asset_symbol: string, quantity: string, value: string | null): MovementRecord => ({ asset_id, asset_symbol, quantity, value });
const at = (ms: number) => isoOf(ms);

interface Figures {
  /** `hour asset` → trade count and exact volume. */
  hours: Record<string, { trade_count: number; volume: string }>;
  /** `asset hour user` → trades. */
  traders: Record<string, number>;
  /** `hour asset` → the newest counted trade's seq. */
  newest: Record<string, number>;
}

interface StoredMove {
  asset_id: string;
  value: { amount: string } | null;
}

/** SPEC §5.12 per hour from the transactions of active users, in plain SQL; figures made here. */
async function recomputed(db: Kysely<Database>, enterpriseId: string): Promise<Figures> {
  const r = await sql<{ seq: number | string; user_id: string; timestamp: string; inputs: string; outputs: string }>`
    select t.seq, t.user_id, t.timestamp, t.inputs, t.outputs
      from transactions t join users u on u.id = t.user_id
     where t.enterprise_id = ${enterpriseId} and t.type in ('buy', 'sell', 'trade', 'swap') and t.status = 'confirmed'
       and t.is_internal_transfer = 0 and t.removed_at is null and u.erased_at is null and u.deactivated = 0`.execute(db);
  const hours = new Map<string, { trade_count: number; volume: DecimalSum }>();
  const traders: Record<string, number> = {};
  const newest: Record<string, number> = {};
  for (const t of r.rows) {
    const hour = t.timestamp.slice(0, 13);
    const moves = [...(JSON.parse(t.inputs) as StoredMove[]), ...(JSON.parse(t.outputs) as StoredMove[])].filter((m) => !m.asset_id.startsWith('fiat:'));
    for (const asset of new Set(moves.map((m) => m.asset_id))) {
      const key = `${hour} ${asset}`;
      const h = hours.get(key) ?? { trade_count: 0, volume: new DecimalSum() };
      h.trade_count++;
      for (const m of moves) if (m.asset_id === asset && m.value) h.volume.add(abs(m.value.amount));
      hours.set(key, h);
      const tk = `${asset} ${hour} ${t.user_id}`;
      traders[tk] = (traders[tk] ?? 0) + 1;
      newest[key] = Math.max(newest[key] ?? 0, Number(t.seq));
    }
  }
  return { hours: Object.fromEntries([...hours].map(([k, h]) => [k, { trade_count: h.trade_count, volume: h.volume.value() }])), traders, newest };
}

/** The maintained rows as stored. */
async function stored(db: Kysely<Database>, enterpriseId: string): Promise<Figures> {
  const hours = await db.selectFrom('stats_trade_hours').selectAll().where('enterprise_id', '=', enterpriseId).execute();
  const traders = await db.selectFrom('stats_trade_traders').selectAll().where('enterprise_id', '=', enterpriseId).execute();
  return {
    hours: Object.fromEntries(hours.map((h) => [`${h.hour} ${h.asset_id}`, { trade_count: Number(h.trade_count), volume: normalize(String(h.volume)) }])),
    traders: Object.fromEntries(traders.map((t) => [`${t.asset_id} ${t.hour} ${t.user_id}`, Number(t.trades)])),
    newest: Object.fromEntries(hours.map((h) => [`${h.hour} ${h.asset_id}`, Number(h.sample_seq)])),
  };
}

/** Rows equal the recomputation (zero rows deleted); each sample bound is at least the newest trade. */
async function expectExact(db: Kysely<Database>, enterpriseId: string): Promise<Figures> {
  const fresh = await recomputed(db, enterpriseId);
  const rows = await stored(db, enterpriseId);
  expect(rows.hours).toEqual(fresh.hours);
  expect(rows.traders).toEqual(fresh.traders);
  for (const [k, seq] of Object.entries(fresh.newest)) expect(rows.newest[k]).toBeGreaterThanOrEqual(seq);
  return fresh;
}

type FullScan = (dbh: { dialect: string; db: unknown }, enterpriseId: string, start: string, end: string, normalize: (s: string) => string) => Promise<{ asset_id: string; trade_count: number; traders: number; volume: string }[]>;
/** The benchmark's full-scan query (bench/full-scan.mjs, JavaScript: imported by URL). */
async function fullScan(t: TestEnv, enterpriseId: string, start: string, end: string) {
  const url = new URL('../bench/full-scan.mjs', import.meta.url).href;
  const { fullScanTopTraded } = (await import(url)) as { fullScanTopTraded: FullScan };
  return fullScanTopTraded({ dialect: t.dialect, db: t.deps.ctx.db }, enterpriseId, start, end, normalize);
}

interface ApiAsset {
  asset_id: string;
  asset_symbol: string;
  trade_count: number;
  traders: number;
  volume: { amount: string; currency: string };
}

async function topTraded(t: TestEnv, token: string, qs: string): Promise<ApiAsset[]> {
  const res = await t.call(token, { method: 'GET', url: `/enterprise/v2/stats/top-traded-assets?rank_by=count&limit=100${qs}` });
  expect(res.statusCode).toBe(200);
  return (res.json() as { data: { assets: ApiAsset[] } }).data.assets;
}

/** The endpoint's figures over `[start, end)` equal the full scan's. */
async function expectEndpointEqualsScan(t: TestEnv, e: { enterpriseId: string; token: string }, start: string, end: string): Promise<ApiAsset[]> {
  const api = await topTraded(t, e.token, `&start_time=${start}&end_time=${end}`);
  const figures = api.map((a) => ({ asset_id: a.asset_id, trade_count: a.trade_count, traders: a.traders, volume: a.volume.amount })).sort((a, b) => (a.asset_id < b.asset_id ? -1 : 1));
  expect(figures).toEqual(await fullScan(t, e.enterpriseId, start, end));
  return api;
}

describe('windowParts', () => {
  it('splits a window into whole hours and partial edges', () => {
    expect(windowParts('2026-06-01T10:15:00.000Z', '2026-06-01T13:20:00.001Z')).toEqual({
      full: ['2026-06-01T11', '2026-06-01T13'],
      edges: [
        ['2026-06-01T10:15:00.000Z', '2026-06-01T11:00:00.000Z'],
        ['2026-06-01T13:00:00.000Z', '2026-06-01T13:20:00.001Z'],
      ],
    });
    expect(windowParts('2026-06-01T10:00:00.000Z', '2026-06-01T12:00:00.000Z')).toEqual({ full: ['2026-06-01T10', '2026-06-01T12'], edges: [] });
    expect(windowParts('2026-06-01T10:00:00.001Z', '2026-06-01T10:59:59.999Z')).toEqual({ full: null, edges: [['2026-06-01T10:00:00.001Z', '2026-06-01T10:59:59.999Z']] });
    expect(windowParts('2026-06-01T10:00:00.000Z', '2026-06-01T10:30:00.000Z')).toEqual({ full: null, edges: [['2026-06-01T10:00:00.000Z', '2026-06-01T10:30:00.000Z']] });
    expect(windowParts('2026-06-01T10:30:00.000Z', '2026-06-01T11:00:00.000Z')).toEqual({ full: null, edges: [['2026-06-01T10:30:00.000Z', '2026-06-01T11:00:00.000Z']] });
    expect(windowParts('2026-06-01T10:30:00.000Z', '2026-06-01T11:30:00.000Z')).toEqual({
      full: null,
      edges: [
        ['2026-06-01T10:30:00.000Z', '2026-06-01T11:00:00.000Z'],
        ['2026-06-01T11:00:00.000Z', '2026-06-01T11:30:00.000Z'],
      ],
    });
    expect(windowParts('2026-06-01T11:00:00.000Z', '2026-06-01T10:00:00.000Z')).toEqual({ full: null, edges: [] });
  });
});

/** A varied history: every rule of SPEC §5.12 once, over several hours around `base`. */
function history(base: number, n: number, salt: number): TransactionRecord[] {
  const out: TransactionRecord[] = [];
  const assets: [string, string][] = [[BTC, 'BTC'], [ETH, 'ETH'], [SOL, 'SOL'], [USDC, 'USDC']];
  for (let i = 0; i < n; i++) {
    const ts = at(base + ((i * 7 + salt * 3) % 40) * HOUR + ((i * 7_919_000 + salt * 1000) % HOUR) + 1);
    const [a, as] = assets[(i + salt) % assets.length]!;
    const [b, bs] = assets[(i + salt + 1) % assets.length]!;
    const value = `${(i % 5) + 1}${i % 3 === 0 ? '.000000000000000001' : '.5'}`;
    switch (i % 9) {
      case 0:
        out.push(tx({ type: 'buy', timestamp: ts, inputs: [mv(USD, 'USD', value, value)], outputs: [mv(a, as, '0.1', value)] }));
        break;
      case 1:
        out.push(tx({ type: 'sell', timestamp: ts, inputs: [mv(a, as, '0.2', `-${value}`)], outputs: [mv(USD, 'USD', value, value)], fees: [mv(b, bs, '0.01', '3')] }));
        break;
      case 2: // the same asset on both sides: one trade, both values
        out.push(tx({ type: 'trade', timestamp: ts, inputs: [mv(a, as, '1', value)], outputs: [mv(a, as, '0.99', '0.000000000000000007'), mv(b, bs, '2', null)] }));
        break;
      case 3:
        out.push(tx({ type: 'swap', timestamp: ts, inputs: [mv(a, as, '3', null)], outputs: [mv(b, bs, '4', null)] }));
        break;
      case 4:
        out.push(tx({ type: 'trade', timestamp: ts, status: i % 2 ? 'pending' : 'failed', inputs: [mv(a, as, '1', value)], outputs: [mv(b, bs, '1', value)] }));
        break;
      case 5:
        out.push(tx({ type: 'trade', timestamp: ts, is_internal_transfer: true, inputs: [mv(a, as, '1', value)], outputs: [mv(b, bs, '1', value)] }));
        break;
      case 6:
        out.push(tx({ type: 'receive', timestamp: ts, outputs: [mv(a, as, '1', value)] }));
        break;
      default:
        out.push(tx({ type: 'trade', timestamp: ts, inputs: [mv(b, bs, '12345.678901234567890123', value)], outputs: [mv(a, as, '0.5', '0.123456789012345678')] }));
    }
  }
  return out;
}

forEachDialect((env) => {
  it('follow every write: inserts, updates, removal, internal transfers, account removal, deactivation, erasure', async () => {
    const t = env();
    t.clock.set(NOW);
    const db = t.deps.ctx.db;
    const e = await t.newEnterprise('Traders');
    const other = await t.newEnterprise('Other tenant');
    const { ledger, users, accounts } = t.deps.repos;
    const sync = new SyncRepository(t.deps.ctx);
    const base = NOW - 3 * 86_400_000;
    const write = (scope: AccountScope, records: TransactionRecord[]) =>
      db.transaction().execute((trx) => ledger.upsertTransactions(trx, scope, records, isoOf(NOW), () => `${randomBytes(16).toString('hex')}`));
    const scope = (userId: string, accountId: string, providerId = 'sandbox-exchange'): AccountScope => ({ enterpriseId: e.enterpriseId, userId, accountId, providerId });

    const ada = await seedUser(t.deps, e.enterpriseId);
    const adaHistory = history(base, 45, 1);
    const a1 = await seedAccount(t.deps, e.enterpriseId, ada, { transactions: adaHistory });
    const a2 = await seedAccount(t.deps, e.enterpriseId, ada, { providerId: 'kraken', transactions: history(base, 20, 2) });
    const bob = await seedUser(t.deps, e.enterpriseId);
    const b1 = await seedAccount(t.deps, e.enterpriseId, bob, { transactions: history(base, 30, 3) });
    const cy = await seedUser(t.deps, e.enterpriseId, { deactivatedOn: '2026-06-01' });
    const c1 = await seedAccount(t.deps, e.enterpriseId, cy, { transactions: history(base, 20, 4) });
    const stranger = await seedUser(t.deps, other.enterpriseId);
    await seedAccount(t.deps, other.enterpriseId, stranger, { transactions: history(base, 15, 5) });
    let f = await expectExact(db, e.enterpriseId);
    expect(Object.keys(f.hours).length).toBeGreaterThan(20);
    const otherBefore = await expectExact(db, other.enterpriseId);

    // updates of stored records: movements, hour, status and type change; a replay changes nothing
    const changed = adaHistory.slice(0, 12).map((r, i) => ({
      ...r,
      timestamp: i % 2 ? at(Date.parse(r.timestamp) + 5 * HOUR) : r.timestamp,
      status: i % 4 === 3 ? ('pending' as const) : r.status,
      outputs: r.outputs.map((m): MovementRecord => ({ ...m, value: m.value === null ? '1.25' : `${m.value}1` })),
    }));
    changed.push({ ...adaHistory[13]!, status: 'confirmed' }); // pending → confirmed
    await write(scope(ada, a1), changed);
    await expectExact(db, e.enterpriseId);
    await write(scope(ada, a1), changed);
    await expectExact(db, e.enterpriseId);
    // a deactivated user's new trades never count
    await write(scope(cy, c1), history(base, 10, 6));
    await expectExact(db, e.enterpriseId);

    // the sync engine: removal of records no longer listed, then internal-transfer marking of a trade
    expect(await sync.markRemoved(db, e.enterpriseId, a1, adaHistory.slice(14, 24).map((r) => r.fingerprint), isoOf(NOW))).toBe(10);
    await expectExact(db, e.enterpriseId);
    const trade = await db.selectFrom('transactions').select('id').where('account_id', '=', b1).where('type', '=', 'trade').where('status', '=', 'confirmed').where('is_internal_transfer', '=', 0).executeTakeFirstOrThrow();
    await sync.markInternalTransfer(db, e.enterpriseId, trade.id, a1, isoOf(NOW));
    await expectExact(db, e.enterpriseId);
    // a removed record listed again counts again
    await write(scope(ada, a1), adaHistory.slice(14, 16));
    await expectExact(db, e.enterpriseId);

    // account removal: a1's trades leave, and a trade of a2 marked internal with a1 counts again
    await write(scope(ada, a2), [tx({ type: 'trade', timestamp: at(base + 2 * HOUR), is_internal_transfer: true, counterparty_account_id: a1, inputs: [mv(SOL, 'SOL', '9', '90')], outputs: [mv(ETH, 'ETH', '1', '90')] })]);
    f = await expectExact(db, e.enterpriseId);
    expect(await accounts.removeForUser(e.enterpriseId, ada, [a1])).toEqual([a1]);
    const after = await expectExact(db, e.enterpriseId);
    expect(after.traders[`${SOL} ${at(base + 2 * HOUR).slice(0, 13)} ${ada}`]).toBeGreaterThanOrEqual(1);

    // deactivation and erasure
    await users.deactivate(e.enterpriseId, bob, '2026-06-15', isoOf(NOW));
    f = await expectExact(db, e.enterpriseId);
    expect(Object.keys(f.traders).some((k) => k.endsWith(bob))).toBe(false);
    await write(scope(bob, b1), history(base, 5, 7));
    await users.erase(e.enterpriseId, bob, '2026-06-15', isoOf(NOW));
    await expectExact(db, e.enterpriseId);
    await users.erase(e.enterpriseId, ada, '2026-06-15', isoOf(NOW));
    expect(await expectExact(db, e.enterpriseId)).toEqual({ hours: {}, traders: {}, newest: {} });
    // the other tenant never moved
    expect(await expectExact(db, other.enterpriseId)).toEqual(otherBefore);
  });

  it('answer as the full scan for windows with partial edge hours, within one hour, on hour bounds and by default', async () => {
    const t = env();
    t.clock.set(NOW);
    const e = await t.newEnterprise('Windows');
    const base = NOW - 30 * HOUR;
    const people: string[] = [];
    for (let i = 0; i < 4; i++) {
      const u = await seedUser(t.deps, e.enterpriseId, { deactivatedOn: i === 3 ? '2026-06-01' : null });
      people.push(u);
      await seedAccount(t.deps, e.enterpriseId, u, { transactions: history(base, 60, i) });
    }
    const windows: [number, number][] = [
      [base + 90 * 60_000 + 123, base + 20 * HOUR + 7 * 60_000 + 1], // partial edges at both ends
      [base + 3 * HOUR + 60_000, base + 3 * HOUR + 59 * 60_000], // inside one hour
      [base + 2 * HOUR, base + 12 * HOUR], // on hour bounds
      [base + 2 * HOUR + 1, base + 3 * HOUR + 1], // two edges, no whole hour
      [base - 100 * HOUR, NOW + HOUR],
    ];
    for (const [s, x] of windows) await expectEndpointEqualsScan(t, e, at(s), at(x));
    // the default window: the 30 days before now
    const byDefault = await topTraded(t, e.token, '');
    expect(byDefault.map((a) => ({ asset_id: a.asset_id, trade_count: a.trade_count, traders: a.traders, volume: a.volume.amount })).sort((a, b) => (a.asset_id < b.asset_id ? -1 : 1))).toEqual(
      await fullScan(t, e.enterpriseId, at(NOW - 30 * 86_400_000), at(NOW)),
    );

    // the display symbol is the newest trade's, also once that trade is gone (its sample is stale)
    const u = people[0]!;
    const acc = await seedAccount(t.deps, e.enterpriseId, u, { transactions: [tx({ type: 'buy', timestamp: at(base + 5 * HOUR + 10), inputs: [mv(USD, 'USD', '1', '1')], outputs: [mv('foo', 'XFOO', '1', '1')] })] });
    const newer = tx({ type: 'buy', timestamp: at(base + 5 * HOUR + 20), inputs: [mv(USD, 'USD', '1', '1')], outputs: [mv('foo', 'FOO', '1', '1')] });
    await t.deps.ctx.db.transaction().execute((trx) => t.deps.repos.ledger.upsertTransactions(trx, { enterpriseId: e.enterpriseId, userId: u, accountId: acc, providerId: 'sandbox-exchange' }, [newer], isoOf(NOW), () => randomBytes(16).toString('hex')));
    const symbol = async () => (await expectEndpointEqualsScan(t, e, at(base), at(base + 10 * HOUR))).find((a) => a.asset_id === 'foo')?.asset_symbol;
    expect(await symbol()).toBe('FOO');
    await new SyncRepository(t.deps.ctx).markRemoved(t.deps.ctx.db, e.enterpriseId, acc, [newer.fingerprint], isoOf(NOW));
    expect(await symbol()).toBe('XFOO');
    await expectExact(t.deps.ctx.db, e.enterpriseId);
  });

  it('follow a demo generation (deactivated demo users left out), then deactivation and erasure of its users', async () => {
    const t = env();
    t.clock.set(NOW);
    // deltas gathered across batches and applied when past 50 rows: several applications mid-load
    const r = await t.deps.services.demo.generate({ users: 30, transactionsPerUser: 40, seed: 'trades', pendingTradesMax: 50 });
    const db = t.deps.ctx.db;
    const f = await expectExact(db, r.enterprise_id);
    expect(Object.keys(f.hours).length).toBeGreaterThan(10);
    const inactive = await db.selectFrom('users').select('id').where('enterprise_id', '=', r.enterprise_id).where('deactivated', '=', 1).execute();
    expect(inactive.length).toBeGreaterThan(0);
    const { token } = await t.deps.tokens.issue('enterprise', r.client_id, r.enterprise_id, r.client_id, 'enterprise');
    const e = { enterpriseId: r.enterprise_id, token };
    await expectEndpointEqualsScan(t, e, at(NOW - 30 * 86_400_000 + 1234), at(NOW - 1));
    const active = await db.selectFrom('users').select('id').where('enterprise_id', '=', r.enterprise_id).where('deactivated', '=', 0).orderBy('id').limit(2).execute();
    await t.deps.repos.users.deactivate(r.enterprise_id, active[0]!.id, '2026-06-15', isoOf(NOW));
    await t.deps.repos.users.erase(r.enterprise_id, active[1]!.id, '2026-06-15', isoOf(NOW));
    await expectExact(db, r.enterprise_id);
    await expectEndpointEqualsScan(t, e, at(NOW - 90 * 86_400_000 + 1234), at(NOW - 1));
  });

  it('follow a demo whose deltas are applied once, at its end', async () => {
    const t = env();
    t.clock.set(NOW);
    const r = await t.deps.services.demo.generate({ users: 12, transactionsPerUser: 60, seed: 'trades-once' });
    const f = await expectExact(t.deps.ctx.db, r.enterprise_id);
    expect(Object.keys(f.hours).length).toBeGreaterThan(10);
  });

  it('stay exact under concurrent writes to the same users from several connections', async () => {
    const t = env();
    t.clock.set(NOW);
    const e = await t.newEnterprise();
    const base = NOW - 2 * 86_400_000;
    const seeded: { user: string; accounts: string[]; records: TransactionRecord[][] }[] = [];
    for (let i = 0; i < 4; i++) {
      const user = await seedUser(t.deps, e.enterpriseId);
      const accs: string[] = [];
      const records: TransactionRecord[][] = [];
      for (let j = 0; j < 3; j++) {
        const rs = history(base, 12, i * 3 + j);
        records.push(rs);
        accs.push(await seedAccount(t.deps, e.enterpriseId, user, { transactions: rs }));
      }
      seeded.push({ user, accounts: accs, records });
    }
    const handles: DbHandle[] = [];
    const schema = t.dialect === 'postgres' ? (await sql<{ s: string }>`select current_schema() as s`.execute(t.deps.ctx.db)).rows[0]!.s : undefined;
    if (t.dialect === 'postgres') for (let i = 0; i < 4; i++) handles.push(createDb(PG_URL, { schema, poolSize: 3 }));
    const repos = (handles.length ? handles.map((h) => dbContext(h.db, h.dialect)) : [t.deps.ctx]).map((ctx) => ({ ctx, ledger: new LedgerRepository(ctx), accounts: new AccountsRepository(ctx), users: new UsersRepository(ctx), sync: new SyncRepository(ctx) }));
    try {
      const ops: Promise<unknown>[] = [];
      let k = 0;
      const next = () => repos[k++ % repos.length]!;
      for (const [i, { user, accounts: accs, records }] of seeded.entries()) {
        for (const [j, id] of accs.entries()) {
          const r = next();
          const s = { enterpriseId: e.enterpriseId, userId: user, accountId: id, providerId: 'sandbox-exchange' };
          // a sync page: the user's lock first (as sync-account.ts), then new and changed records — not
          // to an account being removed meanwhile (its insert would then break the foreign key, as any write would)
          const removed = i === 1 || (i > 1 && j === 0);
          if (!removed) {
            ops.push(
              r.ctx.db.transaction().execute(async (trx) => {
                await r.sync.lockUser(trx, e.enterpriseId, user);
                await r.ledger.upsertTransactions(trx, s, [...history(base, 6, 40 + i * 3 + j), ...records[j]!.slice(0, 3).map((x) => ({ ...x, timestamp: at(Date.parse(x.timestamp) + HOUR) }))], isoOf(NOW), () => randomBytes(16).toString('hex'));
              }),
            );
          }
          const q = next();
          ops.push(
            q.ctx.db.transaction().execute(async (trx) => {
              await q.sync.lockUser(trx, e.enterpriseId, user);
              await q.sync.markRemoved(trx, e.enterpriseId, id, records[j]!.slice(6, 9).map((x) => x.fingerprint), isoOf(NOW));
            }),
          );
        }
        const r = next();
        if (i === 0) ops.push(r.users.deactivate(e.enterpriseId, user, '2026-06-15', isoOf(NOW)));
        else if (i === 1) ops.push(r.users.erase(e.enterpriseId, user, '2026-06-15', isoOf(NOW)));
        else ops.push(r.accounts.removeForUser(e.enterpriseId, user, [accs[0]!]));
      }
      await Promise.all(ops);
    } finally {
      for (const h of handles) await h.destroy();
    }
    const f = await expectExact(t.deps.ctx.db, e.enterpriseId);
    expect(Object.keys(f.traders).some((key) => key.endsWith(seeded[0]!.user) || key.endsWith(seeded[1]!.user))).toBe(false);
    expect(Object.keys(f.hours).length).toBeGreaterThan(0);
  });
});

// ---------------------------------------------------------------------------------------------
// Migration 0060 on a database with data

describe.each(DIALECTS)('%s: migration 0060 backfills the trade figures of an existing database', (dialect) => {
  it('gives the rows a recomputation gives, and the endpoint the full scan', async () => {
    const dir = mkdtempSync(join(tmpdir(), `tortie-m0060-${dialect}-`));
    const schema = `t_${randomBytes(6).toString('hex')}`;
    const url = dialect === 'sqlite' ? `sqlite:${join(dir, 'old.db')}` : PG_URL;
    const dbh = dialect === 'sqlite' ? createDb(url) : createDb(PG_URL, { schema, poolSize: 3 });
    try {
      if (dialect === 'postgres') await dbh.db.schema.createSchema(schema).execute();
      // the code of today writes through every later migration's tables: the data is written on a
      // complete schema, then 0060's tables and bookkeeping are taken away, as before it ran
      await dbh.migrate();
      const clock = new TestClock(NOW);
      const c = createContainer(testConfig(dir, url), { clock, dbHandle: dbh, schema: dialect === 'postgres' ? schema : undefined });
      await c.tokens.ensureSigningKey();
      const enterprises: { enterpriseId: string; token: string }[] = [];
      for (const name of ['one', 'two']) {
        const x = await c.services.enterprises.create({ name, demo: true });
        enterprises.push({ enterpriseId: x.enterprise_id, token: (await c.tokens.issue('enterprise', x.client_id, x.enterprise_id, x.client_id, 'enterprise')).token });
      }
      // data of a database from before 0060
      for (let i = 0; i < 8; i++) {
        const e = enterprises[i % 2]!;
        const user = await seedUser(c, e.enterpriseId, { deactivatedOn: i % 4 === 3 ? '2026-06-01' : null });
        await seedAccount(c, e.enterpriseId, user, { transactions: history(NOW - 20 * HOUR, 25, i) });
        if (i === 6) await c.repos.users.erase(e.enterpriseId, user, '2026-06-15', isoOf(NOW));
      }
      await dbh.db.schema.dropTable('stats_trade_hours').execute();
      await dbh.db.schema.dropTable('stats_trade_traders').execute();
      await sql`delete from kysely_migration where name = '0060-stats-trades'`.execute(dbh.db);

      expect(await dbh.migrate()).toEqual(['0060-stats-trades']);
      const { buildApp } = await import('../src/http/app.js');
      const app = await buildApp(c);
      const t = { dialect, deps: c, call: (token: string, o: { method: 'GET'; url: string }) => app.inject({ ...o, headers: { authorization: `Bearer ${token}` } }) } as unknown as TestEnv;
      for (const e of enterprises) {
        const fresh = await recomputed(dbh.db, e.enterpriseId);
        const rows = await stored(dbh.db, e.enterpriseId);
        expect(rows).toEqual(fresh); // right after the backfill every sample is exact
        expect(Object.keys(rows.hours).length).toBeGreaterThan(5);
        await expectEndpointEqualsScan(t, e, at(NOW - 19 * HOUR - 1234), at(NOW - 2 * HOUR + 5678));
      }
      await app.close();
    } finally {
      await dbh.destroy();
      if (dialect === 'postgres') await dropSchema(schema);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
