/**
 * The CoinGecko-compatible adapter against a local HTTP server answering responses in the API's
 * documented format: the URLs it builds, digits kept exactly, prices stored where the price service
 * finds them, and 429 / 5xx / malformed answers as clear errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { forEachDialect } from './support/harness.js';
import { CoinGeckoClient, PriceApiError } from '../src/prices/coingecko/coingecko.client.js';
import { CoinGeckoSource } from '../src/prices/coingecko/coingecko.source.js';
import { parseJsonExact } from '../src/lib/json-exact.js';

const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`./fixtures/coingecko/${name}`, import.meta.url)), 'utf8');

let server: Server;
let base = '';
const seen: string[] = [];
let mode: 'ok' | '429' | '500' | 'malformed' = 'ok';

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(`${req.url} key=${req.headers['x-cg-demo-api-key'] ?? ''}`);
    if (mode === '429') return void res.writeHead(429, { 'retry-after': '7' }).end('{"status":{"error_code":429}}');
    if (mode === '500') return void res.writeHead(500).end('oops');
    if (mode === 'malformed') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"bitcoin": {"usd": 1');
    const url = new URL(req.url!, 'http://x');
    if (url.pathname === '/api/v3/simple/price') return void res.writeHead(200, { 'content-type': 'application/json' }).end(fixture('simple-price.json'));
    if (url.pathname === '/api/v3/coins/bitcoin/market_chart/range') return void res.writeHead(200, { 'content-type': 'application/json' }).end(fixture('market-chart-range-bitcoin-usd.json'));
    res.writeHead(404).end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address() as { port: number };
  base = `http://127.0.0.1:${addr.port}/api/v3`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('exact JSON', () => {
  it('keeps every digit of numbers and rejects malformed text', () => {
    expect(parseJsonExact('{"a":[1.000000000000000000001,-2e-7,0],"b":"x\\"y","c":true,"d":null}')).toEqual({ a: ['1.000000000000000000001', '-2e-7', '0'], b: 'x"y', c: true, d: null });
    expect(() => parseJsonExact('{"a":1')).toThrow(SyntaxError);
    expect(() => parseJsonExact('{"a":1} x')).toThrow(SyntaxError);
  });
});

describe('CoinGecko-compatible prices', () => {
  forEachDialect((env) => {
    it('stores current prices of held assets exactly, under our asset ids', async () => {
      const t = env();
      mode = 'ok';
      const source = new CoinGeckoSource(new CoinGeckoClient({ baseUrl: base, apiKey: 'demo-key', timeoutMs: 2_000 }), t.deps.repos.prices, t.deps.clock);
      const usdt = 'ethereum:0xdac17f958d2ee523a2206206994597c13d831ec7';
      const n = await source.refreshSpot(['bitcoin', 'ethereum', usdt, 'fiat:USD', 'kraken:XTZ'], ['USD', 'EUR']);
      expect(n).toBe(6);
      expect(seen.at(-1)).toBe('/api/v3/simple/price?ids=bitcoin%2Cethereum%2Ctether&vs_currencies=usd%2Ceur&precision=full&include_last_updated_at=true key=demo-key');
      t.clock.set(1_781_000_100_000);
      t.deps.prices.invalidate();
      expect(await t.deps.prices.spot('bitcoin', 'USD')).toMatchObject({ price: '67187.338267286812345678', source: 'coingecko', ts: new Date(1_781_000_000_000).toISOString() });
      expect((await t.deps.prices.spot('ethereum', 'EUR'))?.price).toBe('3240.000000000000000001');
      expect((await t.deps.prices.spot(usdt, 'USD'))?.price).toBe('1.0001');
      expect(await t.deps.prices.spot('kraken:XTZ', 'USD')).toBeNull();
    });

    it('backfills a history range', async () => {
      const t = env();
      mode = 'ok';
      const source = new CoinGeckoSource(new CoinGeckoClient({ baseUrl: base, apiKey: null, timeoutMs: 2_000 }), t.deps.repos.prices, t.deps.clock);
      expect(await source.backfill('bitcoin', 'USD', Date.parse('2025-01-01T00:00:00Z'), Date.parse('2025-01-03T00:00:00Z'))).toBe(3);
      expect(seen.at(-1)).toBe('/api/v3/coins/bitcoin/market_chart/range?vs_currency=usd&from=1735689600&to=1735862400&precision=full key=');
      t.deps.prices.invalidate();
      expect((await t.deps.prices.at('bitcoin', 'USD', Date.parse('2025-01-01T12:00:00Z')))?.price).toBe('93429.5712345678901234');
      expect(await source.backfill('kraken:XTZ', 'USD', 0, 1)).toBe(0);
    });
  });

  it('reports 429 with its Retry-After, 5xx and malformed answers as errors', async () => {
    const client = new CoinGeckoClient({ baseUrl: base, apiKey: null, timeoutMs: 2_000 });
    mode = '429';
    await expect(client.simplePrice(['bitcoin'], ['USD'])).rejects.toMatchObject({ retryAfterMs: 7_000 });
    mode = '500';
    await expect(client.simplePrice(['bitcoin'], ['USD'])).rejects.toBeInstanceOf(PriceApiError);
    mode = 'malformed';
    await expect(client.simplePrice(['bitcoin'], ['USD'])).rejects.toThrow(/malformed/);
    mode = 'ok';
  });
});
