/**
 * The bundled SYNTHETIC daily price series (SPEC §10 "Prices") — made-up numbers for the demo and
 * for development, never market data. Every row it stores has `source: 'synthetic'`.
 *
 * What it holds, one price per UTC day at `00:00:00.000Z`:
 * - every asset of `MAJOR_ASSETS` priced in USD (the pivot currency);
 * - `fiat:USD` priced in every other supported fiat currency (EUR, GBP, CHF, JPY, CAD, …), so the
 *   price service reaches any currency by multiplication: price(a, C) = price(a, USD) × price(fiat:USD, C);
 * - `fiat:C` priced in USD (the rounded inverse rate), so a fiat balance in C has a value in USD and,
 *   through the pivot, in any other currency.
 *
 * A day's price is a pure function of the calendar day (a seeded, mean-reverting random walk that
 * starts at a fixed epoch), not of the day the series is generated on: topping the series up on a
 * later day never changes an existing price, two processes always agree, and magnitudes stay
 * plausible on any date (BTC in the tens of thousands of USD, stablecoins at 1 with tiny noise).
 * The stored window is relative to the run day: the last `SYNTHETIC_WINDOW_DAYS` days up to and
 * including today.
 */
import { MAJOR_ASSETS, FIAT_CURRENCIES, fiatAssetId } from '../domain/assets.js';
import { DAY_MS, isoOf } from '../lib/clock.js';
import { mul, normalize } from '../lib/decimal.js';
import { Prng } from '../lib/prng.js';
import { PIVOT_CURRENCY } from './price.service.js';

export const SYNTHETIC_SOURCE = 'synthetic';
/** Days before today the stored series reaches back (about three years, plus margin for the demo). */
export const SYNTHETIC_WINDOW_DAYS = 1100;
/** First day the walk is defined for (2015-01-01); earlier days have no synthetic price. */
const EPOCH_DAY = Math.floor(Date.parse('2015-01-01T00:00:00.000Z') / DAY_MS);
/** Bump to change every synthetic price (it seeds every walk). */
const SERIES_SEED = 'tortie-synthetic-prices-v1';

type SeriesKind = 'crypto' | 'stable' | 'fiat';

interface SeriesSpec {
  asset_id: string;
  currency: string;
  kind: SeriesKind;
  /** Typical level (the walk reverts to it), in `currency`. */
  base: number;
  /** Daily volatility of the idiosyncratic log walk. */
  sigma: number;
  /** Exposure to the shared crypto market factor. */
  beta: number;
}

/** Typical USD levels and volatilities of the major assets (illustrative, not market data). */
const CRYPTO_LEVELS: Record<string, { base: number; sigma: number; beta: number }> = {
  bitcoin: { base: 58_000, sigma: 0.012, beta: 1 },
  ethereum: { base: 2_900, sigma: 0.016, beta: 1.15 },
  solana: { base: 130, sigma: 0.025, beta: 1.4 },
  binancecoin: { base: 480, sigma: 0.015, beta: 0.9 },
  ripple: { base: 0.62, sigma: 0.022, beta: 1.1 },
  cardano: { base: 0.45, sigma: 0.022, beta: 1.2 },
  dogecoin: { base: 0.12, sigma: 0.03, beta: 1.3 },
  'avalanche-2': { base: 28, sigma: 0.026, beta: 1.35 },
  polkadot: { base: 6.5, sigma: 0.022, beta: 1.2 },
  tron: { base: 0.12, sigma: 0.012, beta: 0.6 },
  'ethereum:0x514910771af9ca656af840dff83e8264ecf986ca': { base: 14, sigma: 0.024, beta: 1.2 },
  'polygon-ecosystem-token': { base: 0.55, sigma: 0.025, beta: 1.3 },
  litecoin: { base: 78, sigma: 0.016, beta: 0.9 },
  'ethereum:0x1f9840a85d5af5bf1d1762f925bdaddc4201f984': { base: 7.5, sigma: 0.025, beta: 1.2 },
  cosmos: { base: 8, sigma: 0.022, beta: 1.1 },
  stellar: { base: 0.11, sigma: 0.018, beta: 0.9 },
  arbitrum: { base: 0.95, sigma: 0.028, beta: 1.3 },
  optimism: { base: 1.9, sigma: 0.028, beta: 1.3 },
};
const STABLECOINS = new Set(['ethereum:0xdac17f958d2ee523a2206206994597c13d831ec7', 'ethereum:0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48', 'ethereum:0x6b175474e89094c44da98b954eedeac495271d0f']);

/** Typical units of each currency per 1 USD. */
const USD_RATES: Record<string, number> = {
  EUR: 0.92, GBP: 0.79, CHF: 0.88, JPY: 148, CAD: 1.36, AUD: 1.52, SGD: 1.34, HKD: 7.8, SEK: 10.6, NOK: 10.7, DKK: 6.9,
  PLN: 4.0, CZK: 23.2, NZD: 1.65, BRL: 5.2, MXN: 17.8, INR: 83.5, KRW: 1340, TRY: 32, ZAR: 18.4, CNY: 7.2,
};

function buildSpecs(): SeriesSpec[] {
  const specs: SeriesSpec[] = [];
  for (const a of MAJOR_ASSETS) {
    if (STABLECOINS.has(a.asset_id)) {
      specs.push({ asset_id: a.asset_id, currency: PIVOT_CURRENCY, kind: 'stable', base: 1, sigma: 0.0004, beta: 0 });
      continue;
    }
    const level = CRYPTO_LEVELS[a.asset_id] ?? { base: 10, sigma: 0.025, beta: 1.2 };
    specs.push({ asset_id: a.asset_id, currency: PIVOT_CURRENCY, kind: 'crypto', ...level });
  }
  for (const c of FIAT_CURRENCIES) {
    if (c === PIVOT_CURRENCY) continue;
    const sigma = c === 'HKD' ? 0.0003 : c === 'TRY' || c === 'BRL' || c === 'ZAR' ? 0.007 : 0.004;
    specs.push({ asset_id: fiatAssetId(PIVOT_CURRENCY), currency: c, kind: 'fiat', base: USD_RATES[c] ?? 1, sigma, beta: 0 });
  }
  return specs;
}

/** Rounds a positive number to `sig` significant digits (at least `minDecimals` decimals), minimal decimal form. */
function formatSig(x: number, sig: number, minDecimals: number): string {
  const magnitude = Math.floor(Math.log10(x));
  const decimals = Math.min(20, Math.max(minDecimals, sig - 1 - magnitude));
  return normalize(x.toFixed(decimals));
}

/** One walk: log-level deviations per day since the epoch, extended on demand. */
class Walk {
  readonly dev: number[] = [];
  private readonly rng: Prng;
  constructor(
    seed: string,
    private readonly sigma: number,
    private readonly phi: number,
  ) {
    this.rng = Prng.from(seed);
    this.dev.push(this.rng.normal() * sigma * 4);
  }
  at(i: number): number {
    while (this.dev.length <= i) this.dev.push(this.phi * (this.dev[this.dev.length - 1] ?? 0) + this.sigma * this.rng.normal());
    return this.dev[i] ?? 0;
  }
}

class Series {
  private readonly walk: Walk;
  private readonly cache: (string | undefined)[] = [];
  private readonly inverseCache: (string | undefined)[] = [];
  constructor(
    readonly spec: SeriesSpec,
    private readonly market: Walk,
  ) {
    this.walk = new Walk(`${SERIES_SEED}:${spec.asset_id}:${spec.currency}`, spec.sigma, spec.kind === 'stable' ? 0.6 : 0.996);
  }

  private level(i: number): number {
    const s = this.spec;
    if (s.kind === 'stable') return 1 + Math.max(-0.003, Math.min(0.003, this.walk.at(i)));
    return s.base * Math.exp(this.walk.at(i) + s.beta * this.market.at(i));
  }

  /** The stored price on day index `i` (days since the epoch). */
  price(i: number): string {
    let p = this.cache[i];
    if (p === undefined) {
      const x = this.level(i);
      p = this.spec.kind === 'stable' ? normalize(x.toFixed(4)) : formatSig(x, 6, this.spec.kind === 'crypto' ? 2 : 0);
      this.cache[i] = p;
    }
    return p;
  }

  /** Fiat series only: the inverse rate (USD per unit of the currency), rounded to 6 significant digits. */
  inverse(i: number): string {
    let p = this.inverseCache[i];
    if (p === undefined) {
      p = formatSig(1 / Number(this.price(i)), 6, 0);
      this.inverseCache[i] = p;
    }
    return p;
  }
}

/** A stored row of the series. */
export interface SyntheticPriceRow {
  asset_id: string;
  currency: string;
  ts: string;
  price: string;
  source: typeof SYNTHETIC_SOURCE;
}

/** UTC day number (days since 1970-01-01) of a time. */
export function dayNumber(ms: number): number {
  return Math.floor(ms / DAY_MS);
}

/**
 * The synthetic series. Deterministic and pure: `priceOn` for the same arguments always returns the
 * same string. Use the shared `syntheticSeries` instance (it caches the walks).
 */
export class SyntheticSeries {
  private readonly byKey = new Map<string, Series>();
  private readonly fiatBySymbol = new Map<string, Series>();

  constructor() {
    const market = new Walk(`${SERIES_SEED}:market`, 0.028, 0.998);
    for (const spec of buildSpecs()) {
      const s = new Series(spec, market);
      this.byKey.set(`${spec.asset_id}|${spec.currency}`, s);
      if (spec.kind === 'fiat') this.fiatBySymbol.set(spec.currency, s);
    }
  }

  /** First day with a synthetic price. */
  get firstDay(): number {
    return EPOCH_DAY;
  }

  /**
   * The price the series STORES for (asset, currency) on a day, or null when it stores none for that
   * pair (an asset it does not know, a currency other than the ones listed above, a day before 2015).
   */
  storedPrice(assetId: string, currency: string, day: number): string | null {
    if (day < EPOCH_DAY) return null;
    const direct = this.byKey.get(`${assetId}|${currency}`);
    if (direct) return direct.price(day - EPOCH_DAY);
    if (currency === PIVOT_CURRENCY && assetId.startsWith('fiat:')) {
      const fiat = this.fiatBySymbol.get(assetId.slice(5));
      if (fiat) return fiat.inverse(day - EPOCH_DAY);
    }
    return null;
  }

  /**
   * The price of an asset in any currency on a day, derived exactly as `PriceService` derives it
   * from the stored series: identity for the currency's own fiat asset, the direct price when one is
   * stored, else price in USD × the USD rate of the currency. Null when unpriced.
   */
  priceOn(assetId: string, currency: string, day: number): string | null {
    if (assetId === fiatAssetId(currency)) return '1';
    const direct = this.storedPrice(assetId, currency, day);
    if (direct !== null) return direct;
    if (currency === PIVOT_CURRENCY) return null;
    const inPivot = assetId === fiatAssetId(PIVOT_CURRENCY) ? '1' : this.storedPrice(assetId, PIVOT_CURRENCY, day);
    if (inPivot === null) return null;
    const rate = this.storedPrice(fiatAssetId(PIVOT_CURRENCY), currency, day);
    return rate === null ? null : mul(inPivot, rate);
  }

  /** Every row the series stores for the days `fromDay..toDay` (inclusive). */
  rows(fromDay: number, toDay: number): SyntheticPriceRow[] {
    const out: SyntheticPriceRow[] = [];
    for (let day = Math.max(fromDay, EPOCH_DAY); day <= toDay; day++) {
      const ts = isoOf(day * DAY_MS);
      const i = day - EPOCH_DAY;
      for (const s of this.byKey.values()) {
        out.push({ asset_id: s.spec.asset_id, currency: s.spec.currency, ts, price: s.price(i), source: SYNTHETIC_SOURCE });
        if (s.spec.kind === 'fiat') out.push({ asset_id: fiatAssetId(s.spec.currency), currency: PIVOT_CURRENCY, ts, price: s.inverse(i), source: SYNTHETIC_SOURCE });
      }
    }
    return out;
  }
}

/** The shared instance (walks are computed once per process). */
export const syntheticSeries = new SyntheticSeries();
