/** Accounts list (SPEC §5.7) on both databases: order, filters, values, paging, tenant isolation. */
import { describe, expect, it } from 'vitest';
import { forEachDialect } from './support/harness.js';
import { seedAccount, seedPrice, seedUser } from './support/seed.js';

describe('GET /enterprise/v2/accounts/all', () => {
  forEachDialect((env) => {
    it('lists accounts in pagination-id order with exact total values, filtered and paged', async () => {
      const { deps } = env();
      const e = await env().newEnterprise();
      const other = await env().newEnterprise('Other');
      await seedPrice(deps, 'bitcoin', 'USD', '2026-06-15T00:00:00.000Z', '0.333333333333333333');
      const a = await seedUser(deps, e.enterpriseId);
      const b = await seedUser(deps, e.enterpriseId, { deactivatedOn: '2026-06-01' });
      const x = await seedUser(deps, other.enterpriseId);
      const a1 = await seedAccount(deps, e.enterpriseId, a, { providerId: 'kraken', positions: [{ asset_id: 'bitcoin', asset_symbol: 'BTC', quantity: '3.000000000000000003' }, { asset_id: 'nope', asset_symbol: 'NOPE', quantity: '7' }] });
      const b1 = await seedAccount(deps, e.enterpriseId, b, { providerId: 'coinbase', status: 'disconnected' });
      const a2 = await seedAccount(deps, e.enterpriseId, a, { providerId: 'ethereum', status: 'error', addresses: ['0x0000000000000000000000000000000000000001'] });
      await seedAccount(deps, other.enterpriseId, x, { providerId: 'kraken' });
      const res = await env().call(e.token, { method: 'GET', url: '/enterprise/v2/accounts/all' });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(Object.keys(body)).toEqual(['page', 'data', 'errors']);
      expect(body.errors).toEqual([]);
      expect(body.page).toEqual({ next_uri: null, next_cursor: null });
      expect(body.data.accounts.map((r: { account_id: string }) => r.account_id)).toEqual([a1, b1, a2]);
      expect(body.data.accounts[0]).toMatchObject({ account_id: a1, user_id: a, provider_id: 'kraken', provider_name: 'Kraken', total_value: { amount: '0.999999999999999999999999999999999999', currency: 'USD' } });
      expect(body.data.accounts[1].total_value).toEqual({ amount: '0', currency: 'USD' });
      expect(body.data.accounts[2]).toMatchObject({ status: 'error', status_cause: 'provider_unavailable', addresses: ['0x0000000000000000000000000000000000000001'] });
      const ids = async (q: string) => {
        const r = await env().call(e.token, { method: 'GET', url: `/enterprise/v2/accounts/all?${q}` });
        expect(r.statusCode, r.body).toBe(200);
        return r.json().data.accounts.map((acc: { account_id: string }) => acc.account_id);
      };
      expect(await ids(`user_ids=${a}`)).toEqual([a1, a2]);
      expect(await ids(`user_ids=${x}`)).toEqual([]);
      expect(await ids('provider_ids=coinbase,ethereum')).toEqual([b1, a2]);
      expect(await ids('statuses=error&statuses=disconnected')).toEqual([b1, a2]);
      expect(await ids(`statuses=active&user_ids=${a}`)).toEqual([a1]);
      const p1 = (await env().call(e.token, { method: 'GET', url: `/enterprise/v2/accounts/all?user_ids=${a},${b}&limit=2` })).json();
      expect(p1.page.next_uri).toBe(`/enterprise/v2/accounts/all?user_ids=${a}%2C${b}&limit=2&cursor=${p1.page.next_cursor}`);
      const b2 = await seedAccount(deps, e.enterpriseId, b, { providerId: 'bitcoin' }); // inserted between pages
      const p2 = (await env().call(e.token, { method: 'GET', url: p1.page.next_uri })).json();
      expect([...p1.data.accounts, ...p2.data.accounts].map((r: { account_id: string }) => r.account_id)).toEqual([a1, b1, a2, b2]);
      expect(p2.page.next_cursor).toBeNull();
    });
  });
});
