/**
 * Enterprise statistics (SPEC §5.9–12). The stats describe active users (not deactivated, not
 * erased); the user counts also report deactivated ones. Every figure is exact: quantities are
 * summed in SQL with exact decimals, values are computed by Valuation (the one place values are
 * computed), so the balance's `total_value` equals the exact sum of active users' `total_value`.
 */
import type { CurrencyValue } from '../domain/api-types.js';
import { AppError } from '../domain/errors.js';
import { findProvider } from '../domain/providers.js';
import { fiatAssetId } from '../domain/assets.js';
import { DAY_MS, isoOf, type Clock } from '../lib/clock.js';
import { DecimalSum, cmp, mul } from '../lib/decimal.js';
import type { PriceService } from '../prices/price.service.js';
import type { EnterprisesRepository } from '../repositories/enterprises.repository.js';
import type { StatsRepository, TradedAsset } from '../repositories/stats.repository.js';
import type { Valuation } from './valuation.js';

export interface UserStats {
  total: number;
  active: number;
  deactivated: number;
  with_accounts: number;
  new_last_30_days: number;
}

export interface AccountStats {
  total: number;
  providers: { provider_id: string; name: string; accounts: number; users: number }[];
}

export interface BalanceRequest {
  /** ISO 4217 as requested (any case); the enterprise's base currency when absent. */
  currency?: string;
  providerIds?: string[];
}

export interface BalanceStats {
  total_value: CurrencyValue;
  unpriced_assets: number;
  assets: { asset_id: string; asset_symbol: string; quantity: string; value: CurrencyValue | null; holders: number }[];
  as_of: string;
}

export const RANK_BY = ['volume', 'count'] as const;
export type RankBy = (typeof RANK_BY)[number];

export interface TopTradedRequest {
  /** Normalized ISO bounds of the half-open window; absent bounds are defaulted (see `tradeWindow`). */
  start?: string;
  end?: string;
  limit: number;
  rankBy: RankBy;
  currency?: string;
}

export interface TopTradedAsset {
  asset_id: string;
  asset_symbol: string;
  trade_count: number;
  volume: CurrencyValue;
  traders: number;
}

/** Length of the default stats windows ("the last 30 days"). */
export const STATS_WINDOW_MS = 30 * DAY_MS;

/**
 * The top-traded window (SPEC §5.12): both bounds as given; one bound alone extends 30 days from
 * it (forward from a start, back from an end); none → the 30 days before now.
 */
export function tradeWindow(start: string | undefined, end: string | undefined, nowMs: number): { start: string; end: string } {
  if (start && end) return { start, end };
  if (start) return { start, end: isoOf(Date.parse(start) + STATS_WINDOW_MS) };
  if (end) return { start: isoOf(Date.parse(end) - STATS_WINDOW_MS), end };
  return { start: isoOf(nowMs - STATS_WINDOW_MS), end: isoOf(nowMs) };
}

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export class StatsService {
  constructor(
    private readonly stats: StatsRepository,
    private readonly enterprises: EnterprisesRepository,
    private readonly valuation: Valuation,
    private readonly prices: PriceService,
    private readonly clock: Clock,
  ) {}

  /** SPEC §5.9. `new_last_30_days`: non-erased users who consented within the 30 days up to now. */
  async users(enterpriseId: string): Promise<UserStats> {
    const now = this.clock.now();
    return this.stats.userCounts(enterpriseId, isoOf(now - STATS_WINDOW_MS), isoOf(now));
  }

  /** SPEC §5.10: most accounts first, then provider id. */
  async accounts(enterpriseId: string): Promise<AccountStats> {
    const rows = await this.stats.accountsByProvider(enterpriseId);
    const providers = rows
      .map((r) => ({ provider_id: r.provider_id, name: findProvider(r.provider_id)?.name ?? r.provider_id, accounts: r.accounts, users: r.users }))
      .sort((a, b) => b.accounts - a.accounts || byString(a.provider_id, b.provider_id));
    return { total: providers.reduce((n, p) => n + p.accounts, 0), providers };
  }

  /**
   * SPEC §5.11. Each asset's value is its exact summed quantity times its current price; as
   * multiplication distributes exactly, this equals the sum of the per-position values each user's
   * `total_value` adds up. Highest value first, unpriced last, then asset id.
   */
  async balance(enterpriseId: string, r: BalanceRequest): Promise<BalanceStats> {
    const currency = await this.currency(enterpriseId, r.currency);
    const asOf = isoOf(this.clock.now());
    const holdings = await this.stats.holdingsByAsset(enterpriseId, r.providerIds);
    const valued = await this.valuation.value(holdings, currency);
    const assets = valued.items.map(({ item, value }) => ({ asset_id: item.asset_id, asset_symbol: item.asset_symbol, quantity: item.quantity, value, holders: item.holders }));
    assets.sort((x, y) => {
      if (x.value && y.value) return cmp(y.value.amount, x.value.amount) || byString(x.asset_id, y.asset_id);
      if (x.value || y.value) return x.value ? -1 : 1;
      return byString(x.asset_id, y.asset_id);
    });
    return { total_value: valued.total, unpriced_assets: valued.unpriced, assets, as_of: asOf };
  }

  /**
   * SPEC §5.12. Stored movement values are in the transaction's value currency, which is the
   * enterprise's base currency. In another currency, each movement's value is converted with the
   * base→currency fiat rate at the movement's time (the price service's hourly resolution), as an
   * exact product: volumes are summed per asset and UTC hour in SQL, and each hour's sum is
   * multiplied by that hour's rate. An hour without a rate adds nothing, like an unpriced movement.
   */
  async topTradedAssets(enterpriseId: string, r: TopTradedRequest): Promise<{ assets: TopTradedAsset[] }> {
    const base = await this.baseCurrency(enterpriseId);
    const currency = await this.currency(enterpriseId, r.currency, base);
    const { start, end } = tradeWindow(r.start, r.end, this.clock.now());
    const traded = await this.stats.tradedAssets(enterpriseId, start, end);
    const volumes = currency === base ? new Map(traded.map((t) => [t.asset_id, t.volume])) : await this.convertedVolumes(enterpriseId, start, end, base, currency);
    const ranked = traded.map((t) => ({ ...t, volume: volumes.get(t.asset_id) ?? '0' }));
    const rank = (a: TradedAsset, b: TradedAsset): number => (r.rankBy === 'count' ? b.trade_count - a.trade_count : cmp(b.volume, a.volume));
    ranked.sort((a, b) => rank(a, b) || byString(a.asset_id, b.asset_id));
    // Display symbols are read from stored transactions, only for the assets that can make the cut:
    // the first `limit` and everything tied with the last of them.
    const boundary = ranked[Math.min(r.limit, ranked.length) - 1];
    const candidates = boundary ? ranked.filter((t) => rank(t, boundary) <= 0) : [];
    const symbols = await this.stats.symbolsOf(enterpriseId, candidates, start, end);
    const assets = candidates
      .map((t) => ({ ...t, asset_symbol: symbols.get(t.asset_id) ?? t.asset_id }))
      .sort((a, b) => rank(a, b) || byString(a.asset_symbol, b.asset_symbol) || byString(a.asset_id, b.asset_id))
      .slice(0, r.limit);
    return {
      assets: assets.map((t) => ({ asset_id: t.asset_id, asset_symbol: t.asset_symbol, trade_count: t.trade_count, volume: { amount: t.volume, currency }, traders: t.traders })),
    };
  }

  private async convertedVolumes(enterpriseId: string, start: string, end: string, base: string, currency: string): Promise<Map<string, string>> {
    const hourly = await this.stats.tradedVolumeByHour(enterpriseId, start, end);
    const hours = [...new Set(hourly.map((h) => h.hour))];
    const rates = new Map(await Promise.all(hours.map(async (h) => [h, (await this.prices.at(fiatAssetId(base), currency, Date.parse(`${h}:00:00.000Z`)))?.price ?? null] as const)));
    const sums = new Map<string, DecimalSum>();
    for (const h of hourly) {
      const rate = rates.get(h.hour);
      let s = sums.get(h.asset_id);
      if (!s) sums.set(h.asset_id, (s = new DecimalSum()));
      if (rate) s.add(mul(h.volume, rate));
    }
    return new Map([...sums].map(([id, s]) => [id, s.value()]));
  }

  private async baseCurrency(enterpriseId: string): Promise<string> {
    const e = await this.enterprises.get(enterpriseId);
    if (!e) throw AppError.notFound('Enterprise');
    return e.base_currency;
  }

  /** The requested currency (upper-cased) or the base one; one the price service cannot convert to is a 400. */
  private async currency(enterpriseId: string, requested: string | undefined, base?: string): Promise<string> {
    if (requested === undefined) return base ?? this.baseCurrency(enterpriseId);
    const c = requested.toUpperCase();
    if (!/^[A-Z]{3}$/.test(c) || !this.prices.supportsCurrency(c)) throw AppError.badRequest('currency', `"currency" must be a supported ISO 4217 currency; ${requested.slice(0, 20)} is not`);
    return c;
  }
}
