/**
 * Fills the local price store from a CoinGecko-compatible API: the current prices of the assets
 * held (run periodically by `serve`/`worker`), and history ranges the sync engine finds missing.
 * Our asset ids are CoinGecko coin ids for native coins; tokens map through a small table; an
 * asset with no known coin id is simply not priced by this source (its value stays null).
 */
import type { PricesRepository, PriceRow } from '../../repositories/prices.repository.js';
import type { Clock } from '../../lib/clock.js';
import { isoOf } from '../../lib/clock.js';
import { MAJOR_ASSETS, isFiatAssetId } from '../../domain/assets.js';
import type { CoinGeckoClient } from './coingecko.client.js';

export const COINGECKO_SOURCE = 'coingecko';

/** Token asset ids whose CoinGecko id differs from our id. */
const TOKEN_COIN_IDS: Record<string, string> = {
  'ethereum:0xdac17f958d2ee523a2206206994597c13d831ec7': 'tether',
  'ethereum:0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48': 'usd-coin',
  'ethereum:0x514910771af9ca656af840dff83e8264ecf986ca': 'chainlink',
  'ethereum:0x1f9840a85d5af5bf1d1762f925bdaddc4201f984': 'uniswap',
  'ethereum:0x6b175474e89094c44da98b954eedeac495271d0f': 'dai',
};
const NATIVE = new Set(MAJOR_ASSETS.filter((a) => !a.asset_id.includes(':')).map((a) => a.asset_id));

export function coinIdOf(assetId: string): string | null {
  if (isFiatAssetId(assetId)) return null;
  return TOKEN_COIN_IDS[assetId] ?? (NATIVE.has(assetId) ? assetId : null);
}

export class CoinGeckoSource {
  constructor(
    private readonly client: CoinGeckoClient,
    private readonly repo: PricesRepository,
    private readonly clock: Clock,
  ) {}

  /** Stores the current price of each asset in each currency; returns the rows stored. */
  async refreshSpot(assetIds: readonly string[], currencies: readonly string[]): Promise<number> {
    const byCoin = new Map<string, string[]>();
    for (const a of assetIds) {
      const id = coinIdOf(a);
      if (id) byCoin.set(id, [...(byCoin.get(id) ?? []), a]);
    }
    const rows: PriceRow[] = [];
    const coins = [...byCoin.keys()];
    for (let i = 0; i < coins.length; i += 100) {
      const quotes = await this.client.simplePrice(coins.slice(i, i + 100), [...currencies]);
      for (const q of quotes) {
        const ts = isoOf(q.updatedAt ? q.updatedAt * 1000 : this.clock.now());
        for (const assetId of byCoin.get(q.coinId) ?? []) rows.push({ asset_id: assetId, currency: q.currency, ts, price: q.price, source: COINGECKO_SOURCE });
      }
    }
    await this.repo.upsert(rows);
    return rows.length;
  }

  /** Stores an asset's prices between two times; returns the rows stored (0 for an unknown asset). */
  async backfill(assetId: string, currency: string, fromMs: number, toMs: number): Promise<number> {
    const id = coinIdOf(assetId);
    if (!id) return 0;
    const points = await this.client.range(id, currency, fromMs, toMs);
    const rows = points.map((p) => ({ asset_id: assetId, currency: currency.toUpperCase(), ts: isoOf(p.ms), price: p.price, source: COINGECKO_SOURCE }));
    await this.repo.upsert(rows);
    return rows.length;
  }
}
