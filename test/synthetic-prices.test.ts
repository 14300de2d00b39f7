/**
 * The bundled synthetic price series: deterministic and plausible, installed and topped up to today
 * (idempotently, never overwriting a stored price), and converted to any fiat currency through the
 * USD pivot by the price service.
 */
import { describe, expect, it } from 'vitest';
import { forEachDialect } from './support/harness.js';
import { SyntheticSeries, SYNTHETIC_WINDOW_DAYS, dayNumber, syntheticSeries } from '../src/prices/synthetic-series.js';
import { ensureSyntheticPrices, keepSyntheticPricesCurrent } from '../src/prices/synthetic-prices.js';
import { MAJOR_ASSETS, FIAT_CURRENCIES } from '../src/domain/assets.js';
import { mul, normalize } from '../src/lib/decimal.js';
import { DAY_MS, isoOf } from '../src/lib/clock.js';
import { seedPrice } from './support/seed.js';

const BTC = 'bitcoin';
const USDC = 'ethereum:0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48';
const DAY = dayNumber(Date.parse('2026-06-15T12:00:00.000Z'));
const PAIRS_PER_DAY = MAJOR_ASSETS.length + 2 * (FIAT_CURRENCIES.length - 1);

describe('synthetic series (pure)', () => {
  it('is a deterministic function of the calendar day', () => {
    const fresh = new SyntheticSeries();
    const a = fresh.rows(DAY - 30, DAY);
    expect(syntheticSeries.rows(DAY - 30, DAY)).toEqual(a);
    // a window computed from another start agrees on the shared days
    expect(new SyntheticSeries().rows(DAY - 10, DAY)).toEqual(a.filter((r) => r.ts >= isoOf((DAY - 10) * DAY_MS)));
    expect(a).toHaveLength(31 * PAIRS_PER_DAY);
    expect(a.every((r) => r.source === 'synthetic' && r.ts.endsWith('T00:00:00.000Z'))).toBe(true);
  });

  it('has plausible magnitudes as minimal decimal strings', () => {
    const s = syntheticSeries;
    for (let d = DAY - SYNTHETIC_WINDOW_DAYS; d <= DAY; d += 7) {
      const btc = Number(s.storedPrice(BTC, 'USD', d));
      expect(btc).toBeGreaterThan(10_000);
      expect(btc).toBeLessThan(300_000);
      const eth = Number(s.storedPrice('ethereum', 'USD', d));
      expect(eth).toBeGreaterThan(300);
      expect(eth).toBeLessThan(20_000);
      const usdc = s.storedPrice(USDC, 'USD', d)!;
      expect(Math.abs(Number(usdc) - 1)).toBeLessThanOrEqual(0.003);
      expect(usdc).toMatch(/^(0\.\d{1,4}|1(\.\d{1,4})?)$/);
      expect(Number(s.storedPrice('dogecoin', 'USD', d))).toBeLessThan(2);
      const jpy = Number(s.storedPrice('fiat:USD', 'JPY', d));
      expect(jpy).toBeGreaterThan(90);
      expect(jpy).toBeLessThan(250);
      const eur = Number(s.storedPrice('fiat:USD', 'EUR', d));
      expect(eur).toBeGreaterThan(0.6);
      expect(eur).toBeLessThan(1.3);
      for (const r of s.rows(d, d)) expect(normalize(r.price)).toBe(r.price);
    }
    expect(s.storedPrice('ethereum:0xunknown', 'USD', DAY)).toBeNull();
    expect(s.storedPrice(BTC, 'USD', dayNumber(Date.parse('2010-01-01')))).toBeNull();
  });
});

describe('synthetic prices in the store', () => {
  forEachDialect((env) => {
    it('a periodic top-up does nothing until the series is installed', async () => {
      const r = await ensureSyntheticPrices(env().deps, { onlyIfInstalled: true });
      expect(r).toEqual({ inserted: 0, through: null });
      expect(await env().deps.prices.spot(BTC, 'USD')).toBeNull();
    });

    it('installs the window up to today, once', async () => {
      const { deps } = env();
      // an imported price on a day the series covers wins over the synthetic one
      await seedPrice(deps, BTC, 'USD', isoOf((DAY - 5) * DAY_MS), '12345.678');
      const r = await ensureSyntheticPrices(deps);
      expect(r).toEqual({ inserted: (SYNTHETIC_WINDOW_DAYS + 1) * PAIRS_PER_DAY, through: isoOf(DAY * DAY_MS) });
      expect(await ensureSyntheticPrices(deps)).toEqual({ inserted: 0, through: isoOf(DAY * DAY_MS) });
      const n = await deps.ctx.db.selectFrom('prices').select((eb) => eb.fn.countAll<number>().as('n')).where('source', '=', 'synthetic').executeTakeFirstOrThrow();
      expect(Number(n.n)).toBe((SYNTHETIC_WINDOW_DAYS + 1) * PAIRS_PER_DAY - 1);
      const imported = await deps.prices.at(BTC, 'USD', (DAY - 5) * DAY_MS + 3_600_000);
      expect(imported).toMatchObject({ price: '12345.678', source: 'test' });
      const spot = await deps.prices.spot(BTC, 'USD');
      expect(spot).toEqual({ price: syntheticSeries.storedPrice(BTC, 'USD', DAY), currency: 'USD', ts: isoOf(DAY * DAY_MS), source: 'synthetic' });
    });

    it('converts through the USD pivot: any asset into any fiat currency, fiat into fiat', async () => {
      const { deps } = env();
      const usd = syntheticSeries.storedPrice(BTC, 'USD', DAY)!;
      const usdEur = syntheticSeries.storedPrice('fiat:USD', 'EUR', DAY)!;
      const usdGbp = syntheticSeries.storedPrice('fiat:USD', 'GBP', DAY)!;
      expect((await deps.prices.spot(BTC, 'EUR'))?.price).toBe(mul(usd, usdEur));
      expect((await deps.prices.spot('fiat:USD', 'JPY'))?.price).toBe(syntheticSeries.storedPrice('fiat:USD', 'JPY', DAY));
      const eurUsd = syntheticSeries.storedPrice('fiat:EUR', 'USD', DAY)!;
      expect((await deps.prices.spot('fiat:EUR', 'USD'))?.price).toBe(eurUsd);
      expect((await deps.prices.spot('fiat:EUR', 'GBP'))?.price).toBe(mul(eurUsd, usdGbp));
      expect((await deps.prices.spot('fiat:EUR', 'EUR'))?.price).toBe('1');
      // the generator's own derivation agrees with the price service to the last digit
      for (const a of MAJOR_ASSETS.slice(0, 6)) {
        for (const c of ['USD', 'EUR', 'CHF', 'KRW']) {
          expect((await deps.prices.spot(a.asset_id, c))?.price ?? null).toBe(syntheticSeries.priceOn(a.asset_id, c, DAY));
        }
      }
    });

    it('a long-running server keeps current values by topping up each day', async () => {
      const { deps, clock } = env();
      clock.advance(3 * DAY_MS);
      try {
        deps.prices.invalidate();
        // older than 48 hours: no current price
        expect(await deps.prices.spot(BTC, 'USD')).toBeNull();
        const r = await ensureSyntheticPrices(deps, { onlyIfInstalled: true });
        expect(r).toEqual({ inserted: 3 * PAIRS_PER_DAY, through: isoOf((DAY + 3) * DAY_MS) });
        expect((await deps.prices.spot(BTC, 'USD'))?.price).toBe(syntheticSeries.storedPrice(BTC, 'USD', DAY + 3));
      } finally {
        clock.advance(-3 * DAY_MS);
        deps.prices.invalidate();
      }
    });

    it('the server-side keeper tops up at once, then on its interval', async () => {
      const { deps, clock } = env();
      clock.advance(5 * DAY_MS);
      const errors: unknown[] = [];
      const stop = keepSyntheticPricesCurrent(deps, (e) => errors.push(e), 60_000);
      try {
        for (let i = 0; i < 100 && (await deps.repos.prices.newestTsOf(BTC, 'USD', 'synthetic')) !== isoOf((DAY + 5) * DAY_MS); i++) await new Promise((r) => setTimeout(r, 50));
        expect(await deps.repos.prices.newestTsOf(BTC, 'USD', 'synthetic')).toBe(isoOf((DAY + 5) * DAY_MS));
        expect(errors).toEqual([]);
      } finally {
        stop();
        clock.advance(-5 * DAY_MS);
        deps.prices.invalidate();
      }
    });
  });
});
