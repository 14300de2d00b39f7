/**
 * Keeps the stored SYNTHETIC price series (see synthetic-series.ts) present up to today. The demo
 * installs it; a long-running server must top it up every day, since a current value uses the
 * newest price no older than 48 hours.
 */
import type { PricesRepository } from '../repositories/prices.repository.js';
import type { PriceService } from './price.service.js';
import type { Clock } from '../lib/clock.js';
import { isoOf, DAY_MS } from '../lib/clock.js';
import { SYNTHETIC_SOURCE, SYNTHETIC_WINDOW_DAYS, dayNumber, syntheticSeries } from './synthetic-series.js';

/** The parts of the container this needs (a `Container` fits). */
export interface SyntheticPricesDeps {
  repos: { prices: PricesRepository };
  prices: PriceService;
  clock: Clock;
}

export interface EnsureSyntheticPricesOptions {
  /** Only top up a series that is already installed (for a server's periodic call): no-op otherwise. */
  onlyIfInstalled?: boolean;
}

export interface EnsureSyntheticPricesResult {
  /** Rows written by this call (0 when the series was already current). */
  inserted: number;
  /** The newest day stored after the call (`YYYY-MM-DDT00:00:00.000Z`), or null when not installed. */
  through: string | null;
}

/** The pair whose newest row tells how far the stored series reaches. */
const MARKER = { asset: 'bitcoin', currency: 'USD' } as const;

/**
 * Installs or tops up the synthetic series so it covers the last `SYNTHETIC_WINDOW_DAYS` days up to
 * and including today (UTC, by the injected clock). Idempotent and cheap when current; never
 * overwrites a stored price (imported prices win); safe to run concurrently from two processes.
 */
export async function ensureSyntheticPrices(deps: SyntheticPricesDeps, options: EnsureSyntheticPricesOptions = {}): Promise<EnsureSyntheticPricesResult> {
  const today = dayNumber(deps.clock.now());
  const newest = await deps.repos.prices.newestTsOf(MARKER.asset, MARKER.currency, SYNTHETIC_SOURCE);
  if (newest === undefined && options.onlyIfInstalled) return { inserted: 0, through: null };
  const from = newest === undefined ? today - SYNTHETIC_WINDOW_DAYS : Math.max(dayNumber(Date.parse(newest)) + 1, today - SYNTHETIC_WINDOW_DAYS);
  if (from > today) return { inserted: 0, through: newest ?? null };
  const rows = syntheticSeries.rows(from, today);
  await deps.repos.prices.insertMissing(rows);
  deps.prices.invalidate();
  return { inserted: rows.length, through: isoOf(today * DAY_MS) };
}

/**
 * Calls `ensureSyntheticPrices(deps, { onlyIfInstalled: true })` at once (a server restarted after
 * days catches up) and then every `intervalMs` (default hourly), so a long-running server keeps
 * today's synthetic prices. Returns a function that stops the timer. Errors go to `onError` (the
 * caller logs them); the timer does not keep the process alive.
 */
export function keepSyntheticPricesCurrent(deps: SyntheticPricesDeps, onError: (e: unknown) => void, intervalMs = 3_600_000): () => void {
  const tick = () => {
    ensureSyntheticPrices(deps, { onlyIfInstalled: true }).catch(onError);
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
