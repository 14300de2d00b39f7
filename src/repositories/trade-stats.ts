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
 * one multi-row `x = x + excluded.x` upsert per table, deleting the rows that reach
 * zero trades. `sample_seq` only ever grows (`max`): after a decrement it may name a transaction
 * that no longer counts — an upper bound the reader checks (see `StatsRepository.symbolsOf`).
 *
 * Concurrency on PostgreSQL: every writer locks the users' rows first (FOR UPDATE: the ledger's
 * `lockedActiveUsers`, `SyncRepository.lockUser` in the sync engine's transactions,
 * `StatsCounters.track` and the user lifecycle), so a deactivation or erasure and a write of the
 * same user's transactions run one after the other, and reads the user's activity under that lock.
 * Aggregate rows are upserted in key order, by every writer after the transactions' rows it
 * changes and before the stats counters (`StatsCounters`), so no two writers wait for each other.
 */
import type { Selectable } from 'kysely';
import type { TransactionsTable } from '../db/schema.js';
import { TRADE_TYPES } from '../domain/transactions.js';
import { DecimalSum, normalize } from '../lib/decimal.js';
import { bulkInsert, bulkInsertEach } from './bulk-insert.js';
import { INSERT_CHUNK, chunks, type DbContext, type Executor } from './db-context.js';

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

/**
 * Trade deltas a bulk load gathers across its batches, per enterprise, and applies now and then
 * (`LedgerRepository.applyPendingTrades`) instead of in every batch. A load's trades fall on hours
 * in random order: applied per batch of 1,500 transactions, each batch rewrote about a page of
 * `stats_trade_traders` per trade (the largest table written in random order once
 * `transactions_enterprise_time` is deferred); gathered over a million keys and applied in key
 * order, the table is rewritten once per flush. Only for writes nobody reads until the load ends
 * (the demo's new enterprise): until a flush, the aggregates lag the stored transactions.
 */
export class PendingTrades {
  readonly byEnterprise = new Map<string, TradeDeltas>();

  /** Aggregate rows the gathered deltas will upsert. */
  get size(): number {
    let n = 0;
    for (const d of this.byEnterprise.values()) n += d.hours.size + d.traders.size;
    return n;
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
/** The values in key order: PostgreSQL locks upserted rows in statement order, and concurrent writers must lock in one order. */
const LOCK_USER_SQLITE = 'select "deactivated", "erased_at" from "users" where "enterprise_id" = ? and "id" = ?';
const LOCK_USER_PG = 'select "deactivated", "erased_at" from "users" where "enterprise_id" = $1 and "id" = $2 for update';

/** Aggregate rows per upsert statement beyond a sync's page (a million rows: 50 statements, not 2,500). */
const APPLY_CHUNK = 20_000;
/** Deltas of more rows than this are applied in key order on SQLite too. */
const SORTED_FROM = 10_000;
const byKey = <T>(m: Map<string, T>): T[] => [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);

export class TradeStats {
  constructor(private readonly ctx: DbContext) {}

  /** Adds the deltas to the enterprise's aggregate rows, in key order; rows left with no trade are deleted. */
  async apply(ex: Executor, enterpriseId: string, d: TradeDeltas): Promise<void> {
    const pg = this.ctx.dialect === 'postgres';
    // SQLite serializes writers: no lock order to keep, no sort to pay — but for a bulk load's
    // gathered deltas, which key order turns from a page per row into one pass over the table
    const ordered = <T>(m: Map<string, T>): T[] => (pg || m.size > SORTED_FROM ? byKey(m) : [...m.values()]);
    const hours = ordered(d.hours)
      .map((h) => ({ ...h, volume: h.volume.value() }))
      .filter((h) => h.trade_count !== 0 || h.volume !== '0' || h.sample_seq !== 0);
    const traders = ordered(d.traders).filter((t) => t.trades !== 0);
    const hourRows = hours.map((h) => [enterpriseId, h.hour, h.asset_id, h.trade_count, h.volume, h.sample_seq]);
    const traderRows = traders.map((t) => [enterpriseId, t.asset_id, t.hour, t.user_id, t.trades]);
    const upsertHours = pg ? UPSERT_HOURS_PG : UPSERT_HOURS_SQLITE;
    if (hourRows.length <= INSERT_CHUNK && traderRows.length <= INSERT_CHUNK) {
      // a sync's page: both tables in one statement on PostgreSQL (one round trip), hours first
      await bulkInsertEach(ex, this.ctx.dialect, [
        { table: 'stats_trade_hours', columns: HOUR_COLUMNS, rows: hourRows, suffix: upsertHours },
        { table: 'stats_trade_traders', columns: TRADER_COLUMNS, rows: traderRows, suffix: UPSERT_TRADERS },
      ]);
    } else {
      // a bulk load's gathered deltas: large statements (bulkInsert keeps SQLite's within its parameter limit)
      for (const part of chunks(hourRows, APPLY_CHUNK)) await bulkInsert(ex, this.ctx.dialect, 'stats_trade_hours', HOUR_COLUMNS, part, upsertHours);
      for (const part of chunks(traderRows, APPLY_CHUNK)) await bulkInsert(ex, this.ctx.dialect, 'stats_trade_traders', TRADER_COLUMNS, part, UPSERT_TRADERS);
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
   * Adds to `d` the contributions of stored transaction rows whose users are active, with `sign`
   * (-1: rows about to be deleted or to stop counting; 1: rows about to start counting).
   */
  private async addRows(ex: Executor, enterpriseId: string, d: TradeDeltas, rows: readonly TradeRow[], sign: 1 | -1): Promise<void> {
    const counted = rows.filter((r) => isCountedTrade({ ...r, is_internal_transfer: Number(r.is_internal_transfer) }));
    if (!counted.length) return;
    const active = new Set<string>();
    for (const part of chunks([...new Set(counted.map((r) => r.user_id))], 500)) {
      // by primary key alone, the rest checked here (with enterprise_id in the WHERE clause SQLite may read all its users)
      const users = await ex.selectFrom('users').select(['id', 'enterprise_id', 'deactivated', 'erased_at']).where('id', 'in', part).execute();
      for (const u of users) if (u.enterprise_id === enterpriseId && Number(u.deactivated) === 0 && u.erased_at === null) active.add(u.id);
    }
    for (const r of counted) if (active.has(r.user_id)) d.add(sourceOfRow(r), sign);
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

  // The methods below read, before a write, what it will change, and return the deltas: the caller
  // applies them (`apply`) after its write, so that every writer locks the aggregate rows after the
  // transactions' rows (and whatever their writes lock), never before — the ledger's order.

  /** Before transactions (by pagination id) are removed: their contributions, to subtract. */
  async removingSeqs(ex: Executor, enterpriseId: string, seqs: readonly number[]): Promise<TradeDeltas> {
    const d = new TradeDeltas();
    for (const part of chunks(seqs, 500)) await this.addRows(ex, enterpriseId, d, await this.tradeRows(ex, enterpriseId).where('seq', 'in', [...part]).execute(), -1);
    return d;
  }

  /** Before a transaction (by id) is marked as an internal transfer: its contribution, to subtract. */
  async markingInternal(ex: Executor, enterpriseId: string, transactionId: string): Promise<TradeDeltas> {
    const d = new TradeDeltas();
    await this.addRows(ex, enterpriseId, d, await this.tradeRows(ex, enterpriseId).where('id', '=', transactionId).execute(), -1);
    return d;
  }

  /**
   * Before a user stops counting (deactivation or erasure of an active user; its row locked by the
   * caller): the contributions of all its trades, computed from its own transactions, to subtract.
   */
  async removingUser(ex: Executor, enterpriseId: string, userId: string): Promise<TradeDeltas> {
    const rows = await this.tradeRows(ex, enterpriseId).where('user_id', '=', userId).execute();
    const d = new TradeDeltas();
    for (const r of rows) d.add(sourceOfRow(r), -1);
    return d;
  }

  /**
   * Before account removal (the user's row locked by the caller) deletes the accounts' transactions
   * and unmarks the internal transfers naming them: the removed accounts' trades leave, and the
   * user's other transactions whose counterparty is a removed account — which stop being internal
   * transfers — count if they are trades.
   */
  async removingAccounts(ex: Executor, enterpriseId: string, userId: string, accountIds: readonly string[]): Promise<TradeDeltas> {
    const d = new TradeDeltas();
    await this.addRows(ex, enterpriseId, d, await this.tradeRows(ex, enterpriseId).where('account_id', 'in', [...accountIds]).execute(), -1);
    const unmarked = await ex
      .selectFrom('transactions')
      .select([...TRADE_COLUMNS])
      .where('enterprise_id', '=', enterpriseId)
      .where('user_id', '=', userId)
      .where('counterparty_account_id', 'in', [...accountIds])
      .where('account_id', 'not in', [...accountIds])
      .where('is_internal_transfer', '<>', 0)
      .execute();
    await this.addRows(
      ex,
      enterpriseId,
      d,
      unmarked.map((r) => ({ ...r, is_internal_transfer: 0 })),
      1,
    );
    return d;
  }
}
