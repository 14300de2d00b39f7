/**
 * Keeps current prices of every held asset fresh from the configured live price API (a
 * CoinGecko-compatible one): at start and then every `intervalMs`, in the pivot currency and every
 * enterprise base currency. Without a configured API it does nothing.
 */
import type { PricesRepository } from '../repositories/prices.repository.js';
import type { PriceService } from './price.service.js';
import { PIVOT_CURRENCY } from './price.service.js';
import type { CoinGeckoSource } from './coingecko/coingecko.source.js';

export interface LivePricesDeps {
  livePrices: CoinGeckoSource | null;
  repos: { prices: PricesRepository };
  prices: PriceService;
}

export async function refreshLivePrices(d: LivePricesDeps): Promise<number> {
  if (!d.livePrices) return 0;
  const [assets, currencies] = await Promise.all([d.repos.prices.heldAssetIds(), d.repos.prices.baseCurrencies()]);
  const n = await d.livePrices.refreshSpot(assets, [...new Set([PIVOT_CURRENCY, ...currencies])]);
  d.prices.invalidate();
  return n;
}

/** Returns a function that stops the timer; the timer does not keep the process alive. */
export function keepLivePricesCurrent(d: LivePricesDeps, onError: (e: unknown) => void, intervalMs = 300_000): () => void {
  if (!d.livePrices) return () => {};
  const tick = () => void refreshLivePrices(d).catch(onError);
  tick();
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
