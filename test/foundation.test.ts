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
