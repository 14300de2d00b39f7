/**
 * The price service (SPEC §10): the fiat value of one unit of an asset at a time.
 * - A current value uses the newest price no older than 48 hours; otherwise there is no price (null).
 * - A historical value uses the newest price at or before the time, no older than 48 hours before it.
 * - Fiat to fiat: `fiat:X` in currency X is 1. Other currencies are reached by multiplication only
 *   (price in USD × the USD→C rate stored as the price of `fiat:USD` in C), so every derived price is
 *   an exact product, never a rounded quotient.
 * Lookups are memoized per (asset, currency, hour) for the life of the service.
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

export class PriceService {
  private readonly memo = new Map<string, Promise<PriceQuote | null>>();

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
    return this.at(assetId, currency, this.clock.now());
  }

  /** The price at a time (newest at or before it, within 48 hours). */
  at(assetId: string, currency: string, atMs: number): Promise<PriceQuote | null> {
    // memoize by hour bucket: the series are daily, so an hour is well inside their resolution
    const bucket = Math.floor(atMs / 3_600_000);
    const key = `${assetId}|${currency}|${bucket}`;
    let p = this.memo.get(key);
    if (!p) {
      p = this.lookup(assetId, currency, bucket * 3_600_000 + 3_599_999);
      this.memo.set(key, p);
      if (this.memo.size > 200_000) this.memo.clear();
    }
    return p;
  }

  /** Forgets memoized prices (after an import). */
  invalidate(): void {
    this.memo.clear();
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
    const row = await this.repo.latestAtOrBefore(assetId, currency, isoOf(atMs), isoOf(atMs - MAX_PRICE_AGE_MS));
    return row ? { price: row.price, currency: row.currency, ts: row.ts, source: row.source } : null;
  }
}
