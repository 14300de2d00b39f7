/**
 * A CoinGecko-compatible price API (SPEC §10), configured by environment:
 * `TORTIE_PRICES_COINGECKO_URL` (e.g. the public `/api/v3` base, a Pro base, or a compatible
 * self-hosted mirror) and optionally `TORTIE_PRICES_COINGECKO_KEY` (sent as `x-cg-demo-api-key`,
 * or `x-cg-pro-api-key` when the URL is a Pro one). Numbers are parsed digit for digit.
 *
 * Endpoints used (documented CoinGecko API v3):
 *   GET /simple/price?ids=bitcoin,ethereum&vs_currencies=usd,eur&precision=full&include_last_updated_at=true
 *     → { "bitcoin": { "usd": 67187.33826, "eur": 61234.1, "last_updated_at": 1711356300 }, … }
 *   GET /coins/{id}/market_chart/range?vs_currency=usd&from=<unix s>&to=<unix s>&precision=full
 *     → { "prices": [[1711324800000, 67187.33], …], "market_caps": […], "total_volumes": […] }
 */
import { parseJsonExact } from '../../lib/json-exact.js';
import { isDecimalString, normalize } from '../../lib/decimal.js';

export interface CoinGeckoConfig {
  baseUrl: string;
  apiKey: string | null;
  timeoutMs: number;
}

export class PriceApiError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

export interface SimplePrice {
  coinId: string;
  currency: string;
  price: string;
  /** Unix seconds of the price, when the API says. */
  updatedAt: number | null;
}

export class CoinGeckoClient {
  constructor(private readonly c: CoinGeckoConfig) {}

  private async get(path: string, params: Record<string, string>): Promise<unknown> {
    const url = new URL(this.c.baseUrl.replace(/\/+$/, '') + path);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.c.apiKey) headers[/pro-api/.test(this.c.baseUrl) ? 'x-cg-pro-api-key' : 'x-cg-demo-api-key'] = this.c.apiKey;
    let res: Response;
    try {
      res = await fetch(url, { headers, signal: AbortSignal.timeout(this.c.timeoutMs) });
    } catch (e) {
      throw new PriceApiError(`price API unreachable: ${(e as Error).name === 'TimeoutError' ? 'timed out' : (e as Error).message}`);
    }
    const text = await res.text();
    if (res.status === 429) {
      const ra = Number(res.headers.get('retry-after'));
      throw new PriceApiError('price API rate limit reached', Number.isFinite(ra) && ra > 0 ? ra * 1000 : 60_000);
    }
    if (!res.ok) throw new PriceApiError(`price API answered ${res.status}`);
    try {
      return parseJsonExact(text);
    } catch {
      throw new PriceApiError('price API answered malformed JSON');
    }
  }

  async simplePrice(coinIds: string[], currencies: string[]): Promise<SimplePrice[]> {
    if (!coinIds.length || !currencies.length) return [];
    const body = await this.get('/simple/price', {
      ids: coinIds.join(','),
      vs_currencies: currencies.map((c) => c.toLowerCase()).join(','),
      precision: 'full',
      include_last_updated_at: 'true',
    });
    if (!body || typeof body !== 'object') throw new PriceApiError('price API: unexpected /simple/price shape');
    const out: SimplePrice[] = [];
    for (const [coinId, v] of Object.entries(body as Record<string, unknown>)) {
      if (!v || typeof v !== 'object') continue;
      const rec = v as Record<string, unknown>;
      const updated = typeof rec.last_updated_at === 'string' && /^\d+$/.test(rec.last_updated_at) ? Number(rec.last_updated_at) : null;
      for (const cur of currencies) {
        const p = rec[cur.toLowerCase()];
        if (typeof p === 'string' && isDecimalString(p.replace(/e[+-]?\d+$/i, ''))) out.push({ coinId, currency: cur.toUpperCase(), price: normalize(p), updatedAt: updated });
      }
    }
    return out;
  }

  /** Prices of one coin between two times (the API picks the granularity: daily beyond 90 days). */
  async range(coinId: string, currency: string, fromMs: number, toMs: number): Promise<{ ms: number; price: string }[]> {
    const body = await this.get(`/coins/${encodeURIComponent(coinId)}/market_chart/range`, {
      vs_currency: currency.toLowerCase(),
      from: String(Math.floor(fromMs / 1000)),
      to: String(Math.ceil(toMs / 1000)),
      precision: 'full',
    });
    const prices = (body as { prices?: unknown }).prices;
    if (!Array.isArray(prices)) throw new PriceApiError('price API: unexpected market_chart shape');
    const out: { ms: number; price: string }[] = [];
    for (const point of prices) {
      if (!Array.isArray(point) || typeof point[0] !== 'string' || typeof point[1] !== 'string') continue;
      const ms = Number(point[0]);
      if (!Number.isFinite(ms)) continue;
      out.push({ ms: Math.floor(ms), price: normalize(point[1]) });
    }
    return out;
  }
}
