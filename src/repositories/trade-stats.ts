/**
 * Upkeep of the maintained trade aggregates behind /stats/top-traded-assets (SPEC §5.12; tables
 * created by migration 0060): every repository write that changes a trade's contribution calls
 * this inside its own database transaction, so the aggregates are exact whenever it commits.
 *
 * A transaction **counts** when its row, as stored, is a trade type (buy, sell, trade, swap),
 * `confirmed`, not an internal transfer, not removed, and its user is active (not deactivated, not
 * erased). It then contributes, in the UTC hour of its timestamp, for each non-fiat asset among its
 * inputs and outputs (fees excluded): one trade (once, even with the asset on both sides), the
 * exact absolute values of those movements to the volume (unpriced ones add nothing), its `seq` as
 * a candidate newest sample (for the display symbol), and one trade to its user's refcount in
 * `stats_trade_traders`.
 *
 * Writes compute the difference of contributions in JavaScript (`TradeDeltas`) and apply it with
 * one multi-row `x = x + excluded.x` upsert per table (in key order), deleting the rows that reach
 * zero trades. `sample_seq` only ever grows (`max`): after a decrement it may name a transaction
 * that no longer counts — an upper bound the reader checks (see `StatsRepository.symbolsOf`).
 *
 * Concurrency on PostgreSQL: writers lock the user's row first (`lockedActive`, FOR UPDATE, as
 * `SyncRepository.lockUser`, `StatsCounters.track` and the user lifecycle do), so a deactivation or
 * erasure and a write of the same user's transactions run one after the other.
 */
import { CompiledQuery, type Selectable } from 'kysely';
import type { TransactionsTable } from '../db/schema.js';
import { TRADE_TYPES } from '../domain/transactions.js';
import { DecimalSum, normalize } from '../lib/decimal.js';
import { bulkInsert } from './bulk-insert.js';
import { chunks, type DbContext, type Executor } from './db-context.js';

const TRADE_SET = new Set<string>(TRADE_TYPES);

/** A movement as the trade aggregates read it: its asset and its value (null when unpriced). */
export interface TradeMove {
  asset_id: string;
  /** Decimal string or null. */
  value: string | null;
}

/** What a transaction's contribution depends on, from its row as stored. */
export interface TradeSource {
  seq: number;
  user_id: string;
  timestamp: string;
  type: string;
  status: string;
  is_internal_transfer: number | boolean;
  removed_at: string | null;
  /** Inputs then outputs (fees are never part of a trade's figures). */
  moves: readonly TradeMove[];
}

/** The columns of `transactions` a contribution is computed from (`sourceOfRow`). */
export const TRADE_COLUMNS = ['seq', 'user_id', 'timestamp', 'type', 'status', 'is_internal_transfer', 'removed_at', 'inputs', 'outputs'] as const;
export type TradeRow = Pick<Selectable<TransactionsTable>, (typeof TRADE_COLUMNS)[number]>;

interface StoredMove {
  asset_id: string;
  value: { amount: string } | null;
}

/** A stored transaction row (JSON movements) as a `TradeSource`. */
export function sourceOfRow(r: TradeRow): TradeSource {
  const moves = [...(JSON.parse(r.inputs) as StoredMove[]), ...(JSON.parse(r.outputs) as StoredMove[])].map((m) => ({ asset_id: m.asset_id, value: m.value === null ? null : m.value.amount }));
  return { seq: Number(r.seq), user_id: r.user_id, timestamp: r.timestamp, type: r.type, status: r.status, is_internal_transfer: Number(r.is_internal_transfer), removed_at: r.removed_at, moves };
}

/** Whether the transaction counts as a trade (its user's activity aside). */
export function isCountedTrade(t: Pick<TradeSource, 'type' | 'status' | 'is_internal_transfer' | 'removed_at'>): boolean {
  return TRADE_SET.has(t.type) && t.status === 'confirmed' && !t.is_internal_transfer && t.removed_at === null;
}

/** The UTC hour `YYYY-MM-DDTHH` of an ISO timestamp. */
export const hourOf = (iso: string): string => iso.slice(0, 13);

/** Exact |v| of a decimal string (normalized). */
const absOf = (v: string): string => {
  const n = normalize(v);
  return n.startsWith('-') ? n.slice(1) : n;
};

/** Per non-fiat asset of a counted trade: the exact volume it adds (absent assets: not traded). */
export function assetVolumes(moves: readonly TradeMove[]): Map<string, DecimalSum> {
  const out = new Map<string, DecimalSum>();
  for (const m of moves) {
    if (m.asset_id.startsWith('fiat:')) continue;
    let s = out.get(m.asset_id);
    if (!s) out.set(m.asset_id, (s = new DecimalSum()));
    if (m.value !== null) s.add(absOf(m.value));
  }
  return out;
}

interface HourDelta {
  hour: string;
  asset_id: string;
  trade_count: number;
  volume: DecimalSum;
  sample_seq: number;
}

interface TraderDelta {
  asset_id: string;
  hour: string;
  user_id: string;
  trades: number;
}

/** Changes of one enterprise's trade aggregates, summed in memory; applied by `TradeStats.apply`. */
export class TradeDeltas {
  /** Keyed by hour and asset. */
  readonly hours = new Map<string, HourDelta>();
  /** Keyed by asset, hour and user. */
  readonly traders = new Map<string, TraderDelta>();
  /** Whether some change is a decrement (rows may reach zero and must then be deleted). */
  decrements = false;

  /** Adds (sign 1) or subtracts (-1) the contribution of `t`, if it counts; the user must be active. */
  add(t: TradeSource, sign: 1 | -1): void {
    if (!isCountedTrade(t)) return;
    const hour = hourOf(t.timestamp);
    if (sign < 0) this.decrements = true;
    // a hot loop of bulk writes: no intermediate collections (an asset on both sides counts once)
    const seen: string[] = [];
    for (const m of t.moves) {
      const asset_id = m.asset_id;
      if (asset_id.startsWith('fiat:')) continue;
      const hk = `${hour}\u0000${asset_id}`;
      let h = this.hours.get(hk);
      if (!h) this.hours.set(hk, (h = { hour, asset_id, trade_count: 0, volume: new DecimalSum(), sample_seq: 0 }));
      if (m.value !== null) {
        const v = absOf(m.value);
        if (v !== '0') h.volume.add(sign === 1 ? v : `-${v}`);
      }
      if (seen.includes(asset_id)) continue;
      seen.push(asset_id);
      h.trade_count += sign;
      if (sign === 1 && t.seq > h.sample_seq) h.sample_seq = t.seq;
      const tk = `${asset_id}\u0000${hour}\u0000${t.user_id}`;
      let u = this.traders.get(tk);
      if (!u) this.traders.set(tk, (u = { asset_id, hour, user_id: t.user_id, trades: 0 }));
      u.trades += sign;
    }
  }
}

// the upserts are written as text (bulkInsert): building them through the query builder cost more
// than executing them, on a path the demo and the sync engine take for every account's page
const HOUR_COLUMNS = ['enterprise_id', 'hour', 'asset_id', 'trade_count', 'volume', 'sample_seq'] as const;
const UPSERT_HOURS = (volume: string, sample: string) =>
  `on conflict ("enterprise_id", "hour", "asset_id") do update set "trade_count" = "stats_trade_hours"."trade_count" + excluded."trade_count", "volume" = ${volume}, "sample_seq" = ${sample}`;
const UPSERT_HOURS_PG = UPSERT_HOURS('"stats_trade_hours"."volume" + excluded."volume"', 'greatest("stats_trade_hours"."sample_seq", excluded."sample_seq")');
const UPSERT_HOURS_SQLITE = UPSERT_HOURS('dec_add("stats_trade_hours"."volume", excluded."volume")', 'max("stats_trade_hours"."sample_seq", excluded."sample_seq")');
const TRADER_COLUMNS = ['enterprise_id', 'asset_id', 'hour', 'user_id', 'trades'] as const;
const UPSERT_TRADERS = `on conflict ("enterprise_id", "asset_id", "hour", "user_id") do update set "trades" = "stats_trade_traders"."trades" + excluded."trades"`;

/** The values in key order: PostgreSQL locks upserted rows in statement order, and concurrent writers must lock in one order. */
const LOCK_USER_SQLITE = 'select "deactivated", "erased_at" from "users" where "enterprise_id" = ? and "id" = ?';
const LOCK_USER_PG = 'select "deactivated", "erased_at" from "users" where "enterprise_id" = $1 and "id" = $2 for update';

const byKey = <T>(m: Map<string, T>): T[] => [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);

export class TradeStats {
  constructor(private readonly ctx: DbContext) {}

  /**
   * Whether the user counts (active), reading its row — locked FOR UPDATE on PostgreSQL: call it
   * before the transaction's other writes, as the users-first lock order requires.
   */
  async lockedActive(ex: Executor, enterpriseId: string, userId: string): Promise<boolean> {
    // constant text, not the query builder: once per ledger write, whose cost the demo measures
    const text = this.ctx.dialect === 'postgres' ? LOCK_USER_PG : LOCK_USER_SQLITE;
    const r = await ex.executeQuery<{ deactivated: number | string; erased_at: string | null }>(CompiledQuery.raw(text, [enterpriseId, userId]));
    const u = r.rows[0];
    return u !== undefined && u.erased_at === null && Number(u.deactivated) === 0;
  }

  /** Adds the deltas to the enterprise's aggregate rows, in key order; rows left with no trade are deleted. */
  async apply(ex: Executor, enterpriseId: string, d: TradeDeltas): Promise<void> {
    const pg = this.ctx.dialect === 'postgres';
    // SQLite serializes writers: no lock order to keep, no sort to pay
    const ordered = <T>(m: Map<string, T>): T[] => (pg ? byKey(m) : [...m.values()]);
    const hours = ordered(d.hours)
      .map((h) => ({ ...h, volume: h.volume.value() }))
      .filter((h) => h.trade_count !== 0 || h.volume !== '0' || h.sample_seq !== 0);
    for (const part of chunks(hours)) {
      await bulkInsert(ex, this.ctx.dialect, 'stats_trade_hours', HOUR_COLUMNS, part.map((h) => [enterpriseId, h.hour, h.asset_id, h.trade_count, h.volume, h.sample_seq]), pg ? UPSERT_HOURS_PG : UPSERT_HOURS_SQLITE);
    }
    const traders = ordered(d.traders).filter((t) => t.trades !== 0);
    for (const part of chunks(traders)) {
      await bulkInsert(ex, this.ctx.dialect, 'stats_trade_traders', TRADER_COLUMNS, part.map((t) => [enterpriseId, t.asset_id, t.hour, t.user_id, t.trades]), UPSERT_TRADERS);
    }
    if (!d.decrements) return;
    for (const part of chunks([...new Set(hours.filter((h) => h.trade_count < 0).map((h) => h.hour))], 500)) {
      await ex.deleteFrom('stats_trade_hours').where('enterprise_id', '=', enterpriseId).where('hour', 'in', part).where('trade_count', '<=', 0).execute();
    }
    const gone = traders.filter((t) => t.trades < 0);
    for (const part of chunks(gone, 300)) {
      await ex
        .deleteFrom('stats_trade_traders')
        .where('enterprise_id', '=', enterpriseId)
        .where('asset_id', 'in', [...new Set(part.map((t) => t.asset_id))])
        .where('hour', 'in', [...new Set(part.map((t) => t.hour))])
        .where('user_id', 'in', [...new Set(part.map((t) => t.user_id))])
        .where('trades', '<=', 0)
        .execute();
    }
  }

  /**
   * Subtracts (or, with sign 1, adds) the contributions of stored transaction rows whose users are
   * active: called with the rows as they are before the caller deletes or changes them.
   */
  private async changeRows(ex: Executor, enterpriseId: string, rows: readonly TradeRow[], sign: 1 | -1 = -1): Promise<void> {
    const counted = rows.filter((r) => isCountedTrade({ ...r, is_internal_transfer: Number(r.is_internal_transfer) }));
    if (!counted.length) return;
    const userIds = [...new Set(counted.map((r) => r.user_id))];
    const active = new Set<string>();
    for (const part of chunks(userIds, 500)) {
      const us = await ex.selectFrom('users').select('id').where('enterprise_id', '=', enterpriseId).where('id', 'in', part).where('deactivated', '=', 0).where('erased_at', 'is', null).execute();
      for (const u of us) active.add(u.id);
    }
    const d = new TradeDeltas();
    for (const r of counted) if (active.has(r.user_id)) d.add(sourceOfRow(r), sign);
    await this.apply(ex, enterpriseId, d);
  }

  private tradeRows(ex: Executor, enterpriseId: string) {
    return ex
      .selectFrom('transactions')
      .select([...TRADE_COLUMNS])
      .where('enterprise_id', '=', enterpriseId)
      .where('type', 'in', [...TRADE_TYPES])
      .where('status', '=', 'confirmed')
      .where('is_internal_transfer', '=', 0)
      .where('removed_at', 'is', null);
  }

  /** Before transactions (by pagination id) are removed or rewritten: their contributions leave. */
  async removingSeqs(ex: Executor, enterpriseId: string, seqs: readonly number[]): Promise<void> {
    for (const part of chunks(seqs, 500)) await this.changeRows(ex, enterpriseId, await this.tradeRows(ex, enterpriseId).where('seq', 'in', [...part]).execute());
  }

  /** Before a transaction (by id) is marked as an internal transfer: its contribution leaves. */
  async markingInternal(ex: Executor, enterpriseId: string, transactionId: string): Promise<void> {
    await this.changeRows(ex, enterpriseId, await this.tradeRows(ex, enterpriseId).where('id', '=', transactionId).execute());
  }

  /**
   * Before a user stops counting (deactivation or erasure of an active user; its row locked by the
   * caller): the contributions of all its trades leave, computed from its own transactions.
   */
  async removingUser(ex: Executor, enterpriseId: string, userId: string): Promise<void> {
    const rows = await this.tradeRows(ex, enterpriseId).where('user_id', '=', userId).execute();
    const d = new TradeDeltas();
    for (const r of rows) d.add(sourceOfRow(r), -1);
    await this.apply(ex, enterpriseId, d);
  }

  /**
   * Before account removal (the user's row locked by the caller) deletes the accounts' transactions
   * and unmarks the internal transfers naming them: the removed accounts' trades leave, and the
   * user's other transactions whose counterparty is a removed account — which stop being internal
   * transfers — are counted if they are trades.
   */
  async removingAccounts(ex: Executor, enterpriseId: string, userId: string, accountIds: readonly string[]): Promise<void> {
    const removed = await this.tradeRows(ex, enterpriseId).where('account_id', 'in', [...accountIds]).execute();
    await this.changeRows(ex, enterpriseId, removed);
    const unmarked = await ex
      .selectFrom('transactions')
      .select([...TRADE_COLUMNS])
      .where('enterprise_id', '=', enterpriseId)
      .where('user_id', '=', userId)
      .where('counterparty_account_id', 'in', [...accountIds])
      .where('account_id', 'not in', [...accountIds])
      .where('is_internal_transfer', '<>', 0)
      .execute();
    await this.changeRows(
      ex,
      enterpriseId,
      unmarked.map((r) => ({ ...r, is_internal_transfer: 0 })),
      1,
    );
  }
}
