/**
 * `as_of` on user assets (SPEC §5.4): holdings at a past time reconstructed from the history the
 * sync engine stored, valued at that time's prices — checked against the transactions list walked
 * through the API; an account whose history does not explain its balance is listed with 206.
 */
import { describe, expect, it } from 'vitest';
import { forEachDialect } from './support/harness.js';
import { seedUser } from './support/seed.js';
import { ensureSyntheticPrices } from '../src/prices/synthetic-prices.js';
import { DecimalSum, isZero, mul, neg } from '../src/lib/decimal.js';

describe('user assets as_of', () => {
  forEachDialect((env) => {
    it('reconstructs holdings at a past time from history and values them at that time', async () => {
      const t = env();
      t.clock.set('2026-06-15T12:00:00.000Z');
      await ensureSyntheticPrices(t.deps);
      const e = await t.newEnterprise('As Of Co', { demo: true });
      const userId = await seedUser(t.deps, e.enterpriseId);
      await t.deps.services.connections.addAccount({ enterpriseId: e.enterpriseId, userId, providerId: 'sandbox-exchange', connection: { type: 'api_key', api_key: 'asof-400tx', secret_key: 's' } });
      await t.deps.createWorker().runOne();
      const asOf = '2025-03-01T00:00:00.000Z';

      // expected: walk the user's transactions before as_of through the API and net the movements
      const expected = new Map<string, DecimalSum>();
      let url: string | null = `/enterprise/v2/users/${userId}/transactions?end_time=${encodeURIComponent(asOf)}&limit=100`;
      while (url) {
        const page = await t.call(e.token, { method: 'GET', url });
        expect(page.statusCode).toBe(200);
        const body = page.json() as { page: { next_uri: string | null }; data: { transactions: { status: string; inputs: { asset_id: string; quantity: string }[]; outputs: { asset_id: string; quantity: string }[]; fees: { items: { asset_id: string; quantity: string }[] } }[] } };
        for (const tx of body.data.transactions) {
          if (tx.status !== 'confirmed') continue;
          const add = (a: string, q: string) => (expected.get(a) ?? expected.set(a, new DecimalSum()).get(a)!).add(q);
          for (const m of tx.outputs) add(m.asset_id, m.quantity);
          for (const m of [...tx.inputs, ...tx.fees.items]) add(m.asset_id, neg(m.quantity));
        }
        url = body.page.next_uri;
      }
      const want = [...expected].map(([a, s]) => [a, s.value()] as const).filter(([, q]) => !isZero(q)).sort((x, y) => x[0].localeCompare(y[0]));
      expect(want.length).toBeGreaterThan(1);

      const res = await t.call(e.token, { method: 'GET', url: `/enterprise/v2/users/${userId}/assets?as_of=${encodeURIComponent(asOf)}` });
      expect(res.statusCode).toBe(200);
      const data = res.json().data as { as_of: string; assets: { asset_id: string; quantity: string; price: { amount: string } | null; value: { amount: string } | null }[]; total_value: { amount: string } };
      expect(data.as_of).toBe(asOf);
      expect(data.assets.map((a) => [a.asset_id, a.quantity]).sort((x, y) => x[0]!.localeCompare(y[0]!))).toEqual(want);
      const total = new DecimalSum();
      for (const a of data.assets) {
        const q = await t.deps.prices.at(a.asset_id, 'USD', Date.parse(asOf));
        if (!q) {
          expect(a.value).toBeNull();
          continue;
        }
        expect(a.price?.amount).toBe(q.price);
        expect(a.value?.amount).toBe(mul(a.quantity, q.price));
        total.add(a.value!.amount);
      }
      expect(data.total_value.amount).toBe(total.value());

      // now differs from then
      const nowRes = await t.call(e.token, { method: 'GET', url: `/enterprise/v2/users/${userId}/assets` });
      expect(nowRes.json().data.as_of).toBe('2026-06-15T12:00:00.000Z');
    });

    it('lists an account whose history does not explain its balance (206), and refuses a future as_of', async () => {
      const t = env();
      const e = await t.newEnterprise('Gap Co', { demo: true });
      const userId = await seedUser(t.deps, e.enterpriseId);
      const a = await t.deps.services.connections.addAccount({ enterpriseId: e.enterpriseId, userId, providerId: 'sandbox-custodian', connection: { type: 'api_key', api_key: 'gap-30tx', secret_key: 's' } });
      await t.deps.createWorker().runOne();
      await t.deps.ctx.db.updateTable('accounts').set({ reconciliation: JSON.stringify({ balanced: false, gaps: [{ asset_id: 'bitcoin', reported: '1', implied: '0.5', gap: '0.5' }] }), status_cause: 'reconciliation_gap' }).where('id', '=', a.account_id).execute();
      const res = await t.call(e.token, { method: 'GET', url: `/enterprise/v2/users/${userId}/assets?as_of=2025-01-01T00:00:00Z` });
      expect(res.statusCode).toBe(206);
      expect(res.json().errors).toEqual([expect.objectContaining({ cause: 'not_implemented', provider_id: 'sandbox-custodian', account_id: a.account_id })]);
      const future = await t.call(e.token, { method: 'GET', url: `/enterprise/v2/users/${userId}/assets?as_of=2030-01-01T00:00:00Z` });
      expect(future.statusCode).toBe(400);
      expect(future.json().errors[0]).toMatchObject({ field: 'as_of' });
      const bad = await t.call(e.token, { method: 'GET', url: `/enterprise/v2/users/${userId}/assets?as_of=yesterday` });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().errors[0]).toMatchObject({ field: 'as_of' });
    });
  });
});
