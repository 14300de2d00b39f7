import { describe, expect, it } from 'vitest';
import { forEachDialect } from './support/harness.js';
import { sql } from 'kysely';

describe('foundation', () => {
  forEachDialect((env) => {
    it('stores and sums 18-decimal values exactly', async () => {
      const { deps } = env();
      const t = await env().newEnterprise();
      const dec = deps.ctx.dec;
      await deps.ctx.db.insertInto('prices').values([
        { asset_id: 'x', currency: 'USD', ts: '2026-01-01T00:00:00.000Z', price: '1.000000000000000001', source: 't' },
        { asset_id: 'x', currency: 'USD', ts: '2026-01-02T00:00:00.000Z', price: '0.000000000000000002', source: 't' },
        { asset_id: 'x', currency: 'USD', ts: '2026-01-03T00:00:00.000Z', price: '123456789012345678.999999999999999999', source: 't' },
      ]).execute();
      const r = await deps.ctx.db.selectFrom('prices').select(dec.sum(sql.ref('price')).as('s')).where('asset_id', '=', 'x').executeTakeFirstOrThrow();
      const { normalize } = await import('../src/lib/decimal.js');
      expect(normalize(r.s!)).toBe('123456789012345680.000000000000000002');
      expect(t.token.split('.')).toHaveLength(3);
    });

    it('answers unknown routes with an ErrorItem', async () => {
      const res = await env().call(null, { method: 'GET', url: '/nope' });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({ errors: [{ cause: 'not_found', message: expect.any(String) }] });
      expect(res.headers['x-request-id']).toBeTruthy();
    });

  });
});

describe('ledger write path', () => {
  forEachDialect((env) => {
    it('writes positions and transactions through the storage code, upserting by fingerprint', async () => {
      const { deps } = env();
      const { seedUser, seedAccount, tx } = await import('./support/seed.js');
      const e = await env().newEnterprise();
      const userId = await seedUser(deps, e.enterpriseId);
      const t1 = tx({ type: 'buy', timestamp: '2026-01-02T00:00:00.000Z', inputs: [{ asset_id: 'fiat:USD', asset_symbol: 'USD', quantity: '100', value: '100' }], outputs: [{ asset_id: 'bitcoin', asset_symbol: 'BTC', quantity: '0.001', value: '100' }] });
      const accountId = await seedAccount(deps, e.enterpriseId, userId, {
        positions: [{ asset_id: 'bitcoin', asset_symbol: 'BTC', quantity: '0.00100000' }],
        transactions: [t1],
      });
      const scope = { enterpriseId: e.enterpriseId, userId, accountId, providerId: 'sandbox-exchange' };
      const again = await deps.ctx.db.transaction().execute((trx) =>
        deps.repos.ledger.upsertTransactions(trx, scope, [{ ...t1, description: 'changed' }], '2026-06-15T12:00:00.000Z', () => 'unused'),
      );
      expect(again).toEqual({ added: 0, updated: 1 });
      const rows = await deps.ctx.db.selectFrom('transactions').selectAll().where('account_id', '=', accountId).execute();
      expect(rows).toHaveLength(1);
      expect(rows[0]!.description).toBe('changed');
      const movements = await deps.ctx.db.selectFrom('transaction_movements').selectAll().where('transaction_seq', '=', rows[0]!.seq).execute();
      expect(movements.map((m) => [m.side, m.asset_id]).sort()).toEqual([['in', 'fiat:USD'], ['out', 'bitcoin']]);
      const pos = await deps.ctx.db.selectFrom('asset_positions').select('quantity').where('account_id', '=', accountId).executeTakeFirstOrThrow();
      const { normalize } = await import('../src/lib/decimal.js');
      expect(normalize(pos.quantity)).toBe('0.001');
    });
  });
});
