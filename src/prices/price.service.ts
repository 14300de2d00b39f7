/**
 * The price service (SPEC §10): the fiat value of one unit of an asset at a time.
 * - A current value uses the newest price no older than 48 hours; otherwise there is no price (null).
 * - A historical value uses the newest price at or before the time, no older than 48 hours before it.
 * - Fiat to fiat: `fiat:X` in currency X is 1. Other currencies are reached by multiplication only
 *   (price in USD × the USD→C rate stored as the price of `fiat:USD` in C), so every derived price is
 *   an exact product, never a rounded quotient.
 * Lookups are memoized per (asset, currency, time) until `invalidate()`; `preload` answers a whole
 * page of history from memory.
 */
import type { PricesRepository } from '../repositories/prices.repository.js';
import type { Clock } from '../lib/clock.js';
import { isoOf } from '../lib/clock.js';
import { mul } from '../lib/decimal.js';
import { fiatAssetId, isFiatCurrency } from '../domain/assets.js';

export interface PriceQuote {
  /** Exact decimal price of one unit. */
  price: string;
  currency: string;
  /** Time of the price used. */
  ts: string;
  source: string;
}

export const MAX_PRICE_AGE_MS = 48 * 3_600_000;
/** The currency every bundled series is quoted in; other fiat currencies are reached through it. */
export const PIVOT_CURRENCY = 'USD';

interface LoadedRange {
  fromMs: number;
  toMs: number;
  /** Oldest first. */
  rows: { ms: number; quote: PriceQuote }[];
}

export class PriceService {
  private readonly memo = new Map<string, Promise<PriceQuote | null>>();
  private readonly ranges = new Map<string, LoadedRange>();

  constructor(
    private readonly repo: PricesRepository,
    private readonly clock: Clock,
  ) {}

  /** Whether values can be expressed in this currency at all (a 400 otherwise). */
  supportsCurrency(currency: string): boolean {
    return isFiatCurrency(currency);
  }

  /** The current price (newest within 48 hours of now). */
  spot(assetId: string, currency: string): Promise<PriceQuote | null> {
    // "now" to the minute, rounded down: reads within a minute share one lookup and never see a
    // price stamped after the moment they ask
    return this.at(assetId, currency, Math.floor(this.clock.now() / 60_000) * 60_000);
  }

  /** The price at a time (newest at or before it, within 48 hours). */
  at(assetId: string, currency: string, atMs: number): Promise<PriceQuote | null> {
    const key = `${assetId}|${currency}|${atMs}`;
    let p = this.memo.get(key);
    if (!p) {
      p = this.lookup(assetId, currency, atMs);
      this.memo.set(key, p);
      if (this.memo.size > 200_000) this.memo.clear();
    }
    return p;
  }

  /** Forgets memoized and preloaded prices (after an import). */
  invalidate(): void {
    this.memo.clear();
    this.ranges.clear();
  }

  /**
   * Loads every price the assets may need between two times in one query per series, so pricing a
   * page of history costs a few queries instead of one per movement. Lookups inside a loaded range
   * answer from memory with the same rule (newest at or before, within 48 hours).
   */
  async preload(assetIds: Iterable<string>, currency: string, fromMs: number, toMs: number): Promise<void> {
    const series = new Set<string>();
    for (const a of assetIds) {
      if (a === fiatAssetId(currency)) continue;
      series.add(`${a}|${currency}`);
      if (currency !== PIVOT_CURRENCY) {
        series.add(`${a}|${PIVOT_CURRENCY}`);
        series.add(`${fiatAssetId(PIVOT_CURRENCY)}|${currency}`);
      }
    }
    const from = fromMs - MAX_PRICE_AGE_MS;
    await Promise.all(
      [...series].map(async (key) => {
        const have = this.ranges.get(key);
        if (have && have.fromMs <= from && have.toMs >= toMs) return;
        const [asset, cur] = key.split('|') as [string, string];
        const rows = await this.repo.range(asset, cur, isoOf(from), isoOf(toMs));
        this.ranges.set(key, { fromMs: from, toMs, rows: rows.map((r) => ({ ms: Date.parse(r.ts), quote: { price: r.price, currency: r.currency, ts: r.ts, source: r.source } })) });
        if (this.ranges.size > 10_000) this.ranges.clear();
      }),
    );
  }

  private async lookup(assetId: string, currency: string, atMs: number): Promise<PriceQuote | null> {
    if (assetId === fiatAssetId(currency)) return { price: '1', currency, ts: isoOf(atMs), source: 'identity' };
    const direct = await this.direct(assetId, currency, atMs);
    if (direct) return direct;
    if (currency === PIVOT_CURRENCY) return null;
    const inPivot = assetId === fiatAssetId(PIVOT_CURRENCY) ? { price: '1', currency: PIVOT_CURRENCY, ts: isoOf(atMs), source: 'identity' } : await this.direct(assetId, PIVOT_CURRENCY, atMs);
    if (!inPivot) return null;
    const rate = await this.direct(fiatAssetId(PIVOT_CURRENCY), currency, atMs);
    if (!rate) return null;
    return { price: mul(inPivot.price, rate.price), currency, ts: inPivot.ts < rate.ts ? inPivot.ts : rate.ts, source: `${inPivot.source}*${rate.source}` };
  }

  private async direct(assetId: string, currency: string, atMs: number): Promise<PriceQuote | null> {
    const loaded = this.ranges.get(`${assetId}|${currency}`);
    if (loaded && loaded.fromMs <= atMs - MAX_PRICE_AGE_MS && loaded.toMs >= atMs) {
      // binary search: the newest row at or before atMs
      let lo = 0;
      let hi = loaded.rows.length - 1;
      let best = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (loaded.rows[mid]!.ms <= atMs) {
          best = mid;
          lo = mid + 1;
        } else hi = mid - 1;
      }
      const hit = best >= 0 ? loaded.rows[best]! : null;
      return hit && hit.ms >= atMs - MAX_PRICE_AGE_MS ? hit.quote : null;
    }
    const row = await this.repo.latestAtOrBefore(assetId, currency, isoOf(atMs), isoOf(atMs - MAX_PRICE_AGE_MS));
    return row ? { price: row.price, currency: row.currency, ts: row.ts, source: row.source } : null;
  }
}
