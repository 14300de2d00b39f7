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
 * not kept per provider). The top-traded-assets query reads only the trade rows of
 * `transaction_movements` inside the time window (the partial index
 * `movements_enterprise_trade_window`), a well-indexed query over what it totals.
 *
 * Decimals are summed exactly in SQL (`numeric` on PostgreSQL, the registered `dec_sum` on SQLite)
 * and never compared or ordered as floats: ordering by value happens in the service.
 */
import { sql, type RawBuilder } from 'kysely';
import { DAY_MS, isoOf } from '../lib/clock.js';
import { normalize } from '../lib/decimal.js';
import { chunks, type DbContext } from './db-context.js';

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
   * SPEC §5.12 per asset over `[startIso, endIso)`: the trade rows of the movement index (trade
   * type, confirmed, not internal — `is_trade`), inputs and outputs only (fees excluded), non-fiat
   * assets only (`fiat:` ids are ISO 4217 currencies), of active users. A transaction with the
   * asset on both sides counts once (distinct transaction), its movement values all add to volume.
   *
   * Contract with the ledger: a transaction no longer listed (removed) must not keep `is_trade = 1`
   * movement rows — this query reads the movement index only, never `transactions`.
   */
  async tradedAssets(enterpriseId: string, startIso: string, endIso: string): Promise<TradedAsset[]> {
    const rows = await this.tradeRows(enterpriseId, startIso, endIso)
      .select((eb) => [
        'm.asset_id',
        eb.fn.count('m.transaction_seq').distinct().as('trade_count'),
        eb.fn.count('m.user_id').distinct().as('traders'),
        this.ctx.dec.sum(this.absValue()).as('volume'),
        eb.fn.max('m.transaction_seq').as('sample_seq'),
      ])
      .groupBy('m.asset_id')
      .execute();
    return rows.map((r) => ({
      asset_id: r.asset_id,
      trade_count: Number(r.trade_count),
      traders: Number(r.traders),
      volume: normalize(r.volume ?? '0'),
      sample_seq: Number(r.sample_seq),
    }));
  }

  /** As `tradedAssets`, the volume only, per asset and UTC hour (for conversion at each hour's rate). */
  async tradedVolumeByHour(enterpriseId: string, startIso: string, endIso: string): Promise<HourlyVolume[]> {
    const hour = sql<string>`substr(m.timestamp, 1, 13)`;
    const rows = await this.tradeRows(enterpriseId, startIso, endIso)
      .select(['m.asset_id', hour.as('hour'), this.ctx.dec.sum(this.absValue()).as('volume')])
      .where('m.value', 'is not', null)
      .groupBy(['m.asset_id', hour])
      .execute();
    return rows.map((r) => ({ asset_id: r.asset_id, hour: r.hour, volume: normalize(r.volume ?? '0') }));
  }

  /**
   * The display symbol of each asset as spelled by a transaction that moved it (`sample_seq` from
   * `tradedAssets`). Assets not found are absent from the map.
   */
  async symbolsOf(enterpriseId: string, samples: readonly { asset_id: string; sample_seq: number }[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const part of chunks(samples, 500)) {
      const rows = await this.ctx.db
        .selectFrom('transactions')
        .select(['seq', 'inputs', 'outputs'])
        .where('enterprise_id', '=', enterpriseId)
        .where(
          'seq',
          'in',
          part.map((s) => s.sample_seq),
        )
        .execute();
      const bySeq = new Map(rows.map((r) => [Number(r.seq), r]));
      for (const s of part) {
        const r = bySeq.get(s.sample_seq);
        if (!r) continue;
        const moves = [...(JSON.parse(r.inputs) as { asset_id: string; asset_symbol: string }[]), ...(JSON.parse(r.outputs) as { asset_id: string; asset_symbol: string }[])];
        const hit = moves.find((m) => m.asset_id === s.asset_id);
        if (hit) out.set(s.asset_id, hit.asset_symbol);
      }
    }
    return out;
  }

  private tradeRows(enterpriseId: string, startIso: string, endIso: string) {
    return this.ctx.db
      .selectFrom('transaction_movements as m')
      .where('m.enterprise_id', '=', enterpriseId)
      // a literal, not a bound parameter: the planner must see it to use the partial trade index
      .where(sql<boolean>`m.is_trade = 1`)
      .where('m.timestamp', '>=', startIso)
      .where('m.timestamp', '<', endIso)
      .where('m.side', 'in', ['in', 'out'])
      .where(sql<boolean>`substr(m.asset_id, 1, 5) <> 'fiat:'`)
      .where('m.user_id', 'not in', this.inactiveUserIds(enterpriseId));
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

  /**
   * |value| exactly. On SQLite values are stored normalized (`-0` never occurs), so dropping a
   * leading minus is the exact absolute value without a call into JavaScript per row.
   */
  private absValue(): RawBuilder<unknown> {
    return this.ctx.dialect === 'postgres'
      ? sql`abs(m.value)`
      : sql`case when substr(m.value, 1, 1) = '-' then substr(m.value, 2) else m.value end`;
  }
}
