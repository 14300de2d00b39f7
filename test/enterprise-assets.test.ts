/**
 * User assets (SPEC §5.4) on both databases: exact values and totals, filters, currencies, zero
 * positions, unpriced assets, and 206 for a failing account within the filters.
 */
import { describe, expect, it } from 'vitest';
import { forEachDialect } from './support/harness.js';
import { seedAccount, seedPrice, seedUser } from './support/seed.js';
import { add, mul } from '../src/lib/decimal.js';

const TODAY = '2026-06-15T00:00:00.000Z';

describe('GET /enterprise/v2/users/{user_id}/assets', () => {
  forEachDialect((env) => {
    it('values every position exactly and totals by asset id', async () => {
      const { deps } = env();
      const e = await env().newEnterprise();
      const btcPrice = '65432.123456789012345678';
      const ethPrice = '3000.000000000000000007';
      await seedPrice(deps, 'bitcoin', 'USD', TODAY, btcPrice);
      await seedPrice(deps, 'ethereum', 'USD', TODAY, ethPrice);
      const id = await seedUser(deps, e.enterpriseId);
      const a1 = await seedAccount(deps, e.enterpriseId, id, {
        providerId: 'kraken',
        positions: [
          { asset_id: 'bitcoin', asset_symbol: 'BTC', asset_name: 'Bitcoin', network: 'bitcoin', quantity: '1.000000000000000001' },
          { asset_id: 'ethereum', asset_symbol: 'ETH', quantity: '0.5' },
          { asset_id: 'kraken:XFOO', asset_symbol: 'XFOO', quantity: '12' },
          { asset_id: 'dogecoin', asset_symbol: 'DOGE', quantity: '0' },
        ],
      });
      const a2 = await seedAccount(deps, e.enterpriseId, id, { providerId: 'coinbase', positions: [{ asset_id: 'bitcoin', asset_symbol: 'BTC', quantity: '0.25' }] });
      const res = await env().call(e.token, { method: 'GET', url: `/enterprise/v2/users/${id}/assets` });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(Object.keys(body)).toEqual(['data', 'errors']);
      expect(body.errors).toEqual([]);
      const { assets, totals, total_value, unpriced_assets, as_of } = body.data;
      expect(as_of).toBe('2026-06-15T12:00:00.000Z');
      // quantity-0 positions are not listed
      expect(assets.map((a: { account_id: string; asset_id: string }) => [a.account_id, a.asset_id])).toEqual([
        [a1, 'bitcoin'],
        [a1, 'ethereum'],
        [a1, 'kraken:XFOO'],
        [a2, 'bitcoin'],
      ]);
      const btc1 = mul('1.000000000000000001', btcPrice);
      expect(btc1).toBe('65432.123456789012411110123456789012345678');
      expect(assets[0]).toEqual({
        account_id: a1,
        provider_id: 'kraken',
        asset_id: 'bitcoin',
        asset_symbol: 'BTC',
        asset_name: 'Bitcoin',
        network: 'bitcoin',
        quantity: '1.000000000000000001',
        price: { amount: btcPrice, currency: 'USD' },
        value: { amount: btc1, currency: 'USD' },
        updated_at: '2026-06-15T12:00:00.000Z',
      });
      expect(assets[2]).toMatchObject({ asset_id: 'kraken:XFOO', asset_symbol: 'XFOO', quantity: '12', price: null, value: null });
      const eth = mul('0.5', ethPrice);
      const btc2 = mul('0.25', btcPrice);
      expect(unpriced_assets).toBe(1);
      expect(total_value).toEqual({ amount: add(add(btc1, eth), btc2), currency: 'USD' });
      expect(totals).toEqual([
        { asset_id: 'bitcoin', asset_symbol: 'BTC', quantity: '1.250000000000000001', value: { amount: add(btc1, btc2), currency: 'USD' } },
        { asset_id: 'ethereum', asset_symbol: 'ETH', quantity: '0.5', value: { amount: eth, currency: 'USD' } },
        { asset_id: 'kraken:XFOO', asset_symbol: 'XFOO', quantity: '12', value: null },
      ]);
    });

    it('filters by asset, symbol (case-insensitive), provider (and crypto_sources) and account', async () => {
      const { deps } = env();
      const e = await env().newEnterprise();
      const id = await seedUser(deps, e.enterpriseId);
      const k = await seedAccount(deps, e.enterpriseId, id, { providerId: 'kraken', positions: [{ asset_id: 'bitcoin', asset_symbol: 'BTC', quantity: '1' }, { asset_id: 'ethereum', asset_symbol: 'ETH', quantity: '2' }] });
      const c = await seedAccount(deps, e.enterpriseId, id, { providerId: 'coinbase', positions: [{ asset_id: 'bitcoin', asset_symbol: 'BTC', quantity: '3' }] });
      const pairs = async (q: string) => {
        const res = await env().call(e.token, { method: 'GET', url: `/enterprise/v2/users/${id}/assets?${q}` });
        expect(res.statusCode, res.body).toBe(200);
        return res.json().data.assets.map((a: { account_id: string; asset_id: string }) => `${a.account_id === k ? 'k' : a.account_id === c ? 'c' : '?'}:${a.asset_id}`);
      };
      expect(await pairs('asset_ids=ethereum')).toEqual(['k:ethereum']);
      expect(await pairs('asset_symbols=btc')).toEqual(['k:bitcoin', 'c:bitcoin']);
      expect(await pairs('provider_ids=coinbase')).toEqual(['c:bitcoin']);
      expect(await pairs('crypto_sources=kraken&asset_symbols=BtC')).toEqual(['k:bitcoin']);
      expect(await pairs(`account_ids=${c}`)).toEqual(['c:bitcoin']);
      expect(await pairs('asset_ids=')).toEqual(['k:bitcoin', 'k:ethereum', 'c:bitcoin']);
      // as_of reconstructs from history (test/assets-as-of.test.ts): these positions have none before 2020
      expect(await pairs('as_of=2020-01-01T00:00:00Z')).toEqual([]);
    });

    it('values in another currency through the price service, and refuses one it cannot convert to', async () => {
      const { deps } = env();
      const e = await env().newEnterprise();
      await seedPrice(deps, 'bitcoin', 'USD', TODAY, '60000');
      await seedPrice(deps, 'fiat:USD', 'EUR', TODAY, '0.9');
      const id = await seedUser(deps, e.enterpriseId);
      await seedAccount(deps, e.enterpriseId, id, { positions: [{ asset_id: 'bitcoin', asset_symbol: 'BTC', quantity: '0.1' }] });
      const res = await env().call(e.token, { method: 'GET', url: `/enterprise/v2/users/${id}/assets?currency=EUR` });
      expect(res.statusCode).toBe(200);
      expect(res.json().data.total_value).toEqual({ amount: '5400', currency: 'EUR' });
      expect(res.json().data.assets[0].price).toEqual({ amount: '54000', currency: 'EUR' });
      // a convertible currency without rates: values are null, never a guess
      const gbp = (await env().call(e.token, { method: 'GET', url: `/enterprise/v2/users/${id}/assets?currency=GBP` })).json();
      expect(gbp.data).toMatchObject({ total_value: { amount: '0', currency: 'GBP' }, unpriced_assets: 1 });
      for (const bad of ['XYZ', 'bitcoin', 'US']) {
        const r = await env().call(e.token, { method: 'GET', url: `/enterprise/v2/users/${id}/assets?currency=${bad}` });
        expect(r.statusCode).toBe(400);
        expect(r.json().errors[0]).toMatchObject({ cause: 'bad_request', field: 'currency' });
      }
    });

    it('answers 206 with the last-known data when an account within the filters is failing', async () => {
      const { deps } = env();
      const e = await env().newEnterprise();
      const id = await seedUser(deps, e.enterpriseId);
      const ok = await seedAccount(deps, e.enterpriseId, id, { providerId: 'kraken', positions: [{ asset_id: 'bitcoin', asset_symbol: 'BTC', quantity: '1' }] });
      const bad = await seedAccount(deps, e.enterpriseId, id, { providerId: 'binance', status: 'error', statusCause: 'invalid_credentials', positions: [{ asset_id: 'ethereum', asset_symbol: 'ETH', quantity: '4' }] });
      const res = await env().call(e.token, { method: 'GET', url: `/enterprise/v2/users/${id}/assets` });
      expect(res.statusCode).toBe(206);
      expect(res.json().data.assets.map((a: { account_id: string }) => a.account_id)).toEqual([ok, bad]);
      expect(res.json().errors).toEqual([{ cause: 'invalid_credentials', message: expect.any(String), provider_id: 'binance', account_id: bad }]);
      // outside the filters, the failing account does not make the read partial
      expect((await env().call(e.token, { method: 'GET', url: `/enterprise/v2/users/${id}/assets?provider_ids=kraken` })).statusCode).toBe(200);
      expect((await env().call(e.token, { method: 'GET', url: `/enterprise/v2/users/${id}/assets?account_ids=${ok}` })).statusCode).toBe(200);
      expect((await env().call(e.token, { method: 'GET', url: `/enterprise/v2/users/${id}/assets?crypto_sources=binance` })).statusCode).toBe(206);
    });
  });
});
