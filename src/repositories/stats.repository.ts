/**
 * All SQL of the enterprise statistics (SPEC §5.9–12). Every method takes the enterprise id; the
 * stats describe **active** users only (not deactivated, not erased), except the user counts,
 * which count every non-erased user.
 *
 * Design: the user and account counts and the balance read **maintained counters** (migrations
 * 0040 and 0050), kept exact by the repositories in the same transaction as every write that
 * changes them (`stats-counters.ts`): aggregate queries over `users`, `accounts` and
 * `asset_positions` read every row of the enterprise, as many as a full scan (issue #5 measured
 * them at 1–4× a full scan, and the balance's exact sum of every position at ~2.5 µs a row on
 * SQLite). The balance restricted to some providers still groups the positions (the counters are
 * not kept per provider). The top traded assets read the maintained per-hour trade figures of
 * migration 0060 (`trade-stats.ts`) for the window's whole UTC hours, and compute its partial edge
 * hours from their transactions: reading the window's trade rows instead grew with the trades it
 * holds (6.6×/8.7× a full scan at 1M transactions).
 *
 * Decimals are summed exactly in SQL (`numeric` on PostgreSQL, the registered `dec_sum` on SQLite)
 * and never compared or ordered as floats: ordering by value happens in the service.
 */
import { sql, type RawBuilder } from 'kysely';
import { DAY_MS, isoOf } from '../lib/clock.js';
import { DecimalSum, normalize } from '../lib/decimal.js';
import { TRADE_TYPES } from '../domain/transactions.js';
import { chunks, type DbContext } from './db-context.js';
import { assetVolumes, hourOf, isCountedTrade, sourceOfRow, type TradeRow, type TradeSource } from './trade-stats.js';

export interface UserCounts {
  total: number;
  active: number;
  deactivated: number;
  with_accounts: number;
  new_last_30_days: number;
}

export interface ProviderAccountCount {
  provider_id: string;
  accounts: number;
  /** Distinct active users with an account there. */
  users: number;
}

export interface AssetHolding {
  asset_id: string;
  asset_symbol: string;
  /** Exact sum of the quantities of every position of active users (decimal string). */
  quantity: string;
  /** Active users with a position of quantity > 0 in the asset. */
  holders: number;
}

export interface TradedAsset {
  asset_id: string;
  trade_count: number;
  traders: number;
  /** Exact sum of the absolute movement values, in the transactions' value currency; "0" when none is priced. */
  volume: string;
  /** The newest transaction that moved the asset: where its display symbol is read. */
  sample_seq: number;
}

export interface HourlyVolume {
  asset_id: string;
  /** `YYYY-MM-DDTHH` (UTC) */
  hour: string;
  volume: string;
}

const HOUR_MS = 3_600_000;

/** Figures of the counted trades of one asset in partial hours. */
interface EdgeFigures {
  count: number;
  volume: DecimalSum;
  users: Set<string>;
  maxSeq: number;
}

/**
 * A window `[startIso, endIso)` as its whole UTC hours `[full[0], full[1])` (`YYYY-MM-DDTHH`; null
 * when there is none) and its partial edge ranges (at most two, each inside one hour).
 */
export function windowParts(startIso: string, endIso: string): { full: [string, string] | null; edges: [string, string][] } {
  const startMs = Date.parse(startIso);
  const endMs = Date.parse(endIso);
  if (!(startMs < endMs)) return { full: null, edges: [] };
  const firstFullMs = Math.ceil(startMs / HOUR_MS) * HOUR_MS;
  const endHourMs = Math.floor(endMs / HOUR_MS) * HOUR_MS;
  if (firstFullMs > endHourMs) return { full: null, edges: [[isoOf(startMs), isoOf(endMs)]] };
  const edges: [string, string][] = [];
  if (startMs < firstFullMs) edges.push([isoOf(startMs), isoOf(firstFullMs)]);
  if (endHourMs < endMs) edges.push([isoOf(endHourMs), isoOf(endMs)]);
  return { full: firstFullMs < endHourMs ? [hourOf(isoOf(firstFullMs)), hourOf(isoOf(endHourMs))] : null, edges };
}

/** The symbol `t` spells `assetId` with, if `t` (a counted trade) lies in the window and moved the asset. */
function symbolIn(t: TradeRow | undefined, assetId: string, startIso: string, endIso: string): string | undefined {
  if (!t || t.timestamp < startIso || t.timestamp >= endIso) return undefined;
  const moves = [...(JSON.parse(t.inputs) as { asset_id: string; asset_symbol: string }[]), ...(JSON.parse(t.outputs) as { asset_id: string; asset_symbol: string }[])];
  return moves.find((m) => m.asset_id === assetId && !m.asset_id.startsWith('fiat:'))?.asset_symbol;
}

/** Rows of positions grouped per asset to `AssetHolding`s; assets whose quantities sum to zero and that nobody holds are left out. */
function holdings(rows: readonly { asset_id: string; asset_symbol: string | null; quantity: string | null; holders: number | string }[]): AssetHolding[] {
  return rows
    .map((r) => ({ asset_id: r.asset_id, asset_symbol: String(r.asset_symbol), quantity: normalize(r.quantity ?? '0'), holders: Number(r.holders) }))
    .filter((r) => r.holders > 0 || r.quantity !== '0');
}

export class StatsRepository {
  constructor(private readonly ctx: DbContext) {}

  /**
   * Non-erased users: all, active, deactivated, active with an account that is not
   * `disconnected`, and those whose `consented_at` lies in `[sinceIso, nowIso]`, from the counters.
   * The window's whole UTC days are summed from `stats_consent_days`; its two partial edge days
   * (from `sinceIso` to the end of its day, from the start of `nowIso`'s day to `nowIso`) are
   * counted in `users_enterprise_state`, reading only the index entries of those two ranges.
   */
  async userCounts(enterpriseId: string, sinceIso: string, nowIso: string): Promise<UserCounts> {
    const firstDay = sinceIso.slice(0, 10);
    const lastDay = nowIso.slice(0, 10);
    const edge = (from: string, to: RawBuilder<unknown>) =>
      sql<number | string>`(select count(*) from users u
         where u.enterprise_id = ${enterpriseId} and u.erased_at is null and u.deactivated in (0, 1)
           and u.consented_at >= ${from} and ${to})`;
    // two disjoint edges, or one when the window lies within a day
    const sameDay = firstDay === lastDay;
    const firstEdge = edge(sinceIso, sameDay ? sql`u.consented_at <= ${nowIso}` : sql`u.consented_at < ${isoOf(Date.parse(firstDay) + DAY_MS)}`);
    const lastEdge = sameDay ? sql<number>`0` : edge(`${lastDay}T00:00:00.000Z`, sql`u.consented_at <= ${nowIso}`);
    const r = await sql<{ total: number | string | null; active: number | string | null; with_accounts: number | string | null; days: number | string | null; first_edge: number | string; last_edge: number | string }>`
      select (select total from stats_user_counts where enterprise_id = ${enterpriseId}) as total,
             (select active from stats_user_counts where enterprise_id = ${enterpriseId}) as active,
             (select with_accounts from stats_user_counts where enterprise_id = ${enterpriseId}) as with_accounts,
             (select sum(users) from stats_consent_days where enterprise_id = ${enterpriseId} and day > ${firstDay} and day < ${lastDay}) as days,
             ${firstEdge} as first_edge,
             ${lastEdge} as last_edge`.execute(this.ctx.db);
    const x = r.rows[0];
    const n = (v: number | string | null | undefined): number => Number(v ?? 0);
    const total = n(x?.total);
    const active = n(x?.active);
    return { total, active, deactivated: total - active, with_accounts: n(x?.with_accounts), new_last_30_days: n(x?.days) + n(x?.first_edge) + n(x?.last_edge) };
  }

  /** Accounts of active users per provider (any status), with the distinct users holding them, from the counters. */
  async accountsByProvider(enterpriseId: string): Promise<ProviderAccountCount[]> {
    const rows = await this.ctx.db
      .selectFrom('stats_provider_counts')
      .select(['provider_id', 'accounts', 'users'])
      .where('enterprise_id', '=', enterpriseId)
      .where('accounts', '>', 0)
      .execute();
    return rows.map((r) => ({ provider_id: r.provider_id, accounts: Number(r.accounts), users: Number(r.users) }));
  }

  /**
   * Positions of active users' accounts (any account status: last-known values included), summed
   * per asset id, optionally only on some providers. A holder is an active user with a position of
   * quantity > 0 in the asset. Assets whose quantities sum to zero and that nobody holds are left out.
   *
   * Without `providerIds` the maintained rows of `stats_asset_balances` answer (a few rows per
   * asset). With them, the positions are grouped: one grouping level and a positivity test in plain
   * SQL, but on SQLite every exact sum is a call into JavaScript per row, the cost that dominates
   * this query (measured: ~2.5 µs per position), so it grows with the enterprise's positions.
   */
  async holdingsByAsset(enterpriseId: string, providerIds?: readonly string[]): Promise<AssetHolding[]> {
    if (!providerIds) return this.maintainedHoldings(enterpriseId);
    let q = this.ctx.db
      .selectFrom('asset_positions as p')
      .select((eb) => [
        'p.asset_id',
        eb.fn.min('p.asset_symbol').as('asset_symbol'),
        this.ctx.dec.sum(sql.ref('p.quantity')).as('quantity'),
        sql<number | string>`count(distinct case when ${this.positive(sql.ref('p.quantity'))} then p.user_id end)`.as('holders'),
      ])
      .where('p.enterprise_id', '=', enterpriseId)
      .where('p.user_id', 'not in', this.inactiveUserIds(enterpriseId))
      .groupBy('p.asset_id');
    q = q.where('p.provider_id', 'in', [...providerIds]);
    return holdings(await q.execute());
  }

  /**
   * `holdingsByAsset` of every provider, from `stats_asset_balances` (a few rows per asset: one
   * per display symbol the positions use). The display symbol is the least one still used by a
   * position, as `min(asset_symbol)` over the positions.
   */
  private async maintainedHoldings(enterpriseId: string): Promise<AssetHolding[]> {
    const rows = await this.ctx.db
      .selectFrom('stats_asset_balances as b')
      .select((eb) => [
        'b.asset_id',
        sql<string | null>`min(case when b.positions > 0 then b.asset_symbol end)`.as('asset_symbol'),
        this.ctx.dec.sum(sql.ref('b.quantity')).as('quantity'),
        eb.fn.sum<number | string>('b.holders').as('holders'),
      ])
      .where('b.enterprise_id', '=', enterpriseId)
      .groupBy('b.asset_id')
      .having(sql<boolean>`sum(b.positions) > 0`)
      .execute();
    return holdings(rows);
  }

  /**
   * SPEC §5.12 per asset over `[startIso, endIso)`: active users' trades (trade type, confirmed,
   * not an internal transfer, not removed), inputs and outputs only (fees excluded), non-fiat assets
   * only (`fiat:` ids are ISO 4217 currencies). A transaction with the asset on both sides counts
   * once, its movement values all add to volume.
   *
   * The window's whole UTC hours are read from the maintained `stats_trade_hours` (a few rows per
   * hour) and `stats_trade_traders` (one row per asset, hour and trader); its (at most two) partial
   * edge hours are computed from their transactions (`transactions_enterprise_time`). Traders are
   * the distinct users over both. `sample_seq` is an upper bound of the newest trade of the asset
   * in the window: `symbolsOf` checks it.
   */
  async tradedAssets(enterpriseId: string, startIso: string, endIso: string): Promise<TradedAsset[]> {
    const w = windowParts(startIso, endIso);
    const out = new Map<string, { trade_count: number; traders: number; volume: DecimalSum; sample_seq: number }>();
    const entry = (asset: string) => {
      let e = out.get(asset);
      if (!e) out.set(asset, (e = { trade_count: 0, traders: 0, volume: new DecimalSum(), sample_seq: 0 }));
      return e;
    };
    const edges = await this.edgeFigures(enterpriseId, w.edges);
    if (w.full) {
      const [from, to] = w.full;
      const rows = await this.ctx.db
        .selectFrom('stats_trade_hours')
        .select((eb) => ['asset_id', eb.fn.sum<number | string>('trade_count').as('trade_count'), this.ctx.dec.sum(sql.ref('volume')).as('volume'), eb.fn.max('sample_seq').as('sample_seq')])
        .where('enterprise_id', '=', enterpriseId)
        .where('hour', '>=', from)
        .where('hour', '<', to)
        .groupBy('asset_id')
        .execute();
      for (const r of rows) {
        if (Number(r.trade_count) <= 0) continue;
        const e = entry(r.asset_id);
        e.trade_count += Number(r.trade_count);
        e.volume.add(normalize(r.volume ?? '0'));
        e.sample_seq = Math.max(e.sample_seq, Number(r.sample_seq));
      }
      for (const c of await this.wholeHourTraders(enterpriseId, from, to, [...out.keys()], edges)) entry(c.asset_id).traders = c.traders - c.seen;
    }
    for (const [asset, f] of edges) {
      const e = entry(asset);
      e.trade_count += f.count;
      e.volume.add(f.volume.value());
      e.sample_seq = Math.max(e.sample_seq, f.maxSeq);
      e.traders += f.users.size;
    }
    return [...out].map(([asset_id, e]) => ({ asset_id, trade_count: e.trade_count, traders: e.traders, volume: e.volume.value(), sample_seq: e.sample_seq }));
  }

  /**
   * Per asset, the distinct traders over the whole hours `[from, to)` and how many of them also
   * trade it in the edge hours (so that the window's traders are `traders - seen + edge users`).
   * One aggregate per asset over its own range of hours in the traders' key (enterprise, asset,
   * hour, user), in one statement: filtered on the hour alone, PostgreSQL (no skip scan) would read
   * every asset's rows of the enterprise.
   */
  private async wholeHourTraders(
    enterpriseId: string,
    from: string,
    to: string,
    assets: readonly string[],
    edges: ReadonlyMap<string, EdgeFigures>,
  ): Promise<{ asset_id: string; traders: number; seen: number }[]> {
    const out: { asset_id: string; traders: number; seen: number }[] = [];
    // statements bounded in branches (SQLite's compound-select limit is 500) and bound parameters
    let branches: RawBuilder<unknown>[] = [];
    let params = 0;
    const flush = async () => {
      if (!branches.length) return;
      const r = await sql<{ asset_id: string; traders: number | string; seen: number | string }>`${sql.join(branches, sql` union all `)}`.execute(this.ctx.db);
      for (const x of r.rows) out.push({ asset_id: x.asset_id, traders: Number(x.traders), seen: Number(x.seen) });
      branches = [];
      params = 0;
    };
    for (const id of assets) {
      const edgeUsers = [...(edges.get(id)?.users ?? [])];
      const seen = edgeUsers.length ? sql`count(case when d.user_id in (${sql.join(edgeUsers)}) then 1 end)` : sql`0`;
      branches.push(sql`select ${id} as asset_id, count(*) as traders, ${seen} as seen
        from (select distinct t.user_id from stats_trade_traders t
               where t.enterprise_id = ${enterpriseId} and t.asset_id = ${id} and t.hour >= ${from} and t.hour < ${to}) d`);
      params += 5 + edgeUsers.length;
      if (branches.length >= 200 || params >= 10_000) await flush();
    }
    await flush();
    return out;
  }

  /** As `tradedAssets`, the volume only, per asset and UTC hour (for conversion at each hour's rate). */
  async tradedVolumeByHour(enterpriseId: string, startIso: string, endIso: string): Promise<HourlyVolume[]> {
    const w = windowParts(startIso, endIso);
    const out: HourlyVolume[] = [];
    if (w.full) {
      const rows = await this.ctx.db
        .selectFrom('stats_trade_hours')
        .select(['hour', 'asset_id', 'volume'])
        .where('enterprise_id', '=', enterpriseId)
        .where('hour', '>=', w.full[0])
        .where('hour', '<', w.full[1])
        .where('trade_count', '>', 0)
        .execute();
      for (const r of rows) out.push({ asset_id: r.asset_id, hour: r.hour, volume: normalize(String(r.volume)) });
    }
    const edges = new Map<string, HourlyVolume & { sum: DecimalSum }>();
    for (const t of await this.edgeTrades(enterpriseId, w.edges)) {
      const hour = hourOf(t.timestamp);
      for (const [asset_id, volume] of assetVolumes(t.moves)) {
        const key = `${hour}\u0000${asset_id}`;
        let e = edges.get(key);
        if (!e) edges.set(key, (e = { asset_id, hour, volume: '0', sum: new DecimalSum() }));
        e.sum.add(volume.value());
      }
    }
    for (const e of edges.values()) out.push({ asset_id: e.asset_id, hour: e.hour, volume: e.sum.value() });
    return out;
  }

  /**
   * The display symbol of each asset as spelled by the newest trade that moved it in the window.
   * `sample_seq` (from `tradedAssets`) is an upper bound of that trade's `seq`, exact unless trades
   * were removed since: when the transaction it names no longer counts in the window for the
   * asset, the newest one is found hour by hour. Assets not found are absent from the map.
   */
  async symbolsOf(enterpriseId: string, samples: readonly { asset_id: string; sample_seq: number }[], startIso: string, endIso: string): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const stale: string[] = [];
    for (const part of chunks(samples, 500)) {
      const bySeq = await this.tradesBySeq(enterpriseId, part.map((s) => s.sample_seq));
      for (const s of part) {
        const symbol = symbolIn(bySeq.get(s.sample_seq), s.asset_id, startIso, endIso);
        if (symbol === undefined) stale.push(s.asset_id);
        else out.set(s.asset_id, symbol);
      }
    }
    for (const asset of stale) {
      const seq = await this.newestTrade(enterpriseId, asset, startIso, endIso);
      const symbol = seq ? symbolIn((await this.tradesBySeq(enterpriseId, [seq])).get(seq), asset, startIso, endIso) : undefined;
      if (symbol !== undefined) out.set(asset, symbol);
    }
    return out;
  }

  /**
   * Transactions by pagination id that count as trades of active users. Read by primary key alone,
   * the enterprise and the other conditions checked on the rows read: with `enterprise_id` in the
   * WHERE clause SQLite's planner reads every transaction of the enterprise through
   * `transactions_enterprise_time` (measured: 42 ms for 19 rows at 300k transactions).
   */
  private async tradesBySeq(enterpriseId: string, seqs: readonly number[]): Promise<Map<number, TradeRow>> {
    if (!seqs.length) return new Map();
    const rows = (
      await this.ctx.db
        .selectFrom('transactions')
        .select(['seq', 'enterprise_id', 'user_id', 'timestamp', 'type', 'status', 'is_internal_transfer', 'removed_at', 'inputs', 'outputs'])
        .where('seq', 'in', [...seqs])
        .execute()
    ).filter((r) => r.enterprise_id === enterpriseId && isCountedTrade({ ...r, is_internal_transfer: Number(r.is_internal_transfer) }));
    const active = await this.activeOf(enterpriseId, rows);
    return new Map(rows.filter((r) => active.has(r.user_id)).map((r) => [Number(r.seq), r]));
  }

  /**
   * The `seq` of the newest counted trade of `assetId` in the window (0: none): the edges'
   * exactly, then the whole hours in decreasing order of their upper bounds, each computed from its
   * transactions until no bound can beat the best found.
   */
  private async newestTrade(enterpriseId: string, assetId: string, startIso: string, endIso: string): Promise<number> {
    const w = windowParts(startIso, endIso);
    let best = (await this.edgeFigures(enterpriseId, w.edges)).get(assetId)?.maxSeq ?? 0;
    if (!w.full) return best;
    const hours = await this.ctx.db
      .selectFrom('stats_trade_hours')
      .select(['hour', 'sample_seq'])
      .where('enterprise_id', '=', enterpriseId)
      .where('hour', '>=', w.full[0])
      .where('hour', '<', w.full[1])
      .where('asset_id', '=', assetId)
      .where('trade_count', '>', 0)
      .execute();
    hours.sort((a, b) => Number(b.sample_seq) - Number(a.sample_seq));
    for (const h of hours) {
      if (Number(h.sample_seq) <= best) break;
      const start = `${h.hour}:00:00.000Z`;
      best = Math.max(best, (await this.edgeFigures(enterpriseId, [[start, isoOf(Date.parse(start) + HOUR_MS)]])).get(assetId)?.maxSeq ?? 0);
    }
    return best;
  }

  /**
   * Counted trades of the enterprise (alias `t`), of any user, with the columns a contribution
   * needs; `activeOf` tells which users count. (`NOT IN` the inactive users would read every user
   * of the enterprise for each query, growing with them, where an edge hour holds few traders.)
   */
  private countedTrades(enterpriseId: string) {
    return this.ctx.db
      .selectFrom('transactions as t')
      .select(['t.seq', 't.user_id', 't.timestamp', 't.type', 't.status', 't.is_internal_transfer', 't.removed_at', 't.inputs', 't.outputs'])
      .where('t.enterprise_id', '=', enterpriseId)
      .where('t.type', 'in', [...TRADE_TYPES])
      .where('t.status', '=', 'confirmed')
      .where('t.is_internal_transfer', '=', 0)
      .where('t.removed_at', 'is', null);
  }

  /** Which of the rows' users are active (not deactivated, not erased), by their ids. */
  private async activeOf(enterpriseId: string, rows: readonly { user_id: string }[]): Promise<Set<string>> {
    const out = new Set<string>();
    for (const part of chunks([...new Set(rows.map((r) => r.user_id))], 500)) {
      // by primary key alone, the rest checked here (with enterprise_id in the WHERE clause SQLite may read all its users)
      const users = await this.ctx.db.selectFrom('users').select(['id', 'enterprise_id', 'deactivated', 'erased_at']).where('id', 'in', part).execute();
      for (const u of users) if (u.enterprise_id === enterpriseId && Number(u.deactivated) === 0 && u.erased_at === null) out.add(u.id);
    }
    return out;
  }

  /**
   * The counted trades of active users in the partial hours `ranges` (each `[from, to)`), read from
   * their transactions through `transactions_enterprise_time`, in one query.
   */
  private async edgeTrades(enterpriseId: string, ranges: readonly (readonly [string, string])[]): Promise<TradeSource[]> {
    if (!ranges.length) return [];
    const rows = await this.countedTrades(enterpriseId)
      .where((eb) => eb.or(ranges.map(([from, to]) => eb.and([eb('t.timestamp', '>=', from), eb('t.timestamp', '<', to)]))))
      .execute();
    const active = await this.activeOf(enterpriseId, rows);
    return rows.filter((r) => active.has(r.user_id)).map(sourceOfRow);
  }

  /** Per asset, the figures of the counted trades in the partial hours `ranges`. */
  private async edgeFigures(enterpriseId: string, ranges: readonly (readonly [string, string])[]): Promise<Map<string, EdgeFigures>> {
    const out = new Map<string, EdgeFigures>();
    for (const t of await this.edgeTrades(enterpriseId, ranges)) {
      for (const [asset, volume] of assetVolumes(t.moves)) {
        let e = out.get(asset);
        if (!e) out.set(asset, (e = { count: 0, volume: new DecimalSum(), users: new Set(), maxSeq: 0 }));
        e.count++;
        e.volume.add(volume.value());
        e.users.add(t.user_id);
        e.maxSeq = Math.max(e.maxSeq, t.seq);
      }
    }
    return out;
  }

  /**
   * Ids of the enterprise's users who are not active (deactivated or erased), read from the index
   * `users_enterprise_state`. Filtering with `NOT IN` this (small) set costs one in-memory probe
   * per row, where joining `users` costs a lookup of the user row per row.
   */
  private inactiveUserIds(enterpriseId: string) {
    return this.ctx.db
      .selectFrom('users as iu')
      .select('iu.id')
      .where('iu.enterprise_id', '=', enterpriseId)
      .where((eb) => eb.or([eb('iu.deactivated', '<>', 0), eb('iu.erased_at', 'is not', null)]));
  }

  /**
   * Exact `x > 0` without a call into JavaScript: on SQLite decimals are stored normalized (no
   * `-0`, no `+`, zero is `0`), so a positive value is one that is neither `0` nor negative.
   */
  private positive(x: RawBuilder<unknown>): RawBuilder<boolean> {
    return this.ctx.dialect === 'postgres' ? sql`(${x} > 0)` : sql`(${x} <> '0' and substr(${x}, 1, 1) <> '-')`;
  }
}
