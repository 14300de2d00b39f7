/**
 * The ledger write path (what the demo and the sync engine write through) on both databases:
 * multi-chunk inserts, upserts by fingerprint that overwrite every source field and rewrite the
 * movement index, minimal decimals, and price series inserts that never overwrite.
 */
import { describe, expect, it } from 'vitest';
import { forEachDialect } from './support/harness.js';
import { seedAccount, seedUser, tx } from './support/seed.js';
import type { TransactionRecord } from '../src/domain/records.js';
import { normalize } from '../src/lib/decimal.js';
import { uuidv7 } from '../src/lib/ids.js';

const NOW = '2026-06-15T12:00:00.000Z';

function record(i: number, over: Partial<TransactionRecord> = {}): TransactionRecord {
  return tx({
    fingerprint: `fp-${i}`,
    provider_transaction_id: `ptx-${i}`,
    type: 'trade',
    timestamp: new Date(Date.parse('2025-01-01T00:00:00.000Z') + i * 60_000).toISOString(),
    inputs: [{ asset_id: 'bitcoin', asset_symbol: 'BTC', quantity: '0.10000', value: '6000.50' }],
    outputs: [{ asset_id: 'ethereum', asset_symbol: 'ETH', quantity: `1.${i}`, value: null }],
    fees: [
      { asset_id: 'ethereum', asset_symbol: 'ETH', quantity: '0.001', value: '3.1' },
      { asset_id: 'fiat:USD', asset_symbol: 'USD', quantity: '0.5', value: '0.50' },
    ],
    ...over,
  });
}

describe('ledger repository', () => {
  forEachDialect((env) => {
    it('inserts many records across chunks, upserts by fingerprint and rewrites movements', async () => {
      const { deps } = env();
      const e = await env().newEnterprise();
      const userId = await seedUser(deps, e.enterpriseId);
      const accountId = await seedAccount(deps, e.enterpriseId, userId);
      const scope = { enterpriseId: e.enterpriseId, userId, accountId, providerId: 'sandbox-exchange' };
      const first = Array.from({ length: 950 }, (_, i) => record(i));
      const r1 = await deps.ctx.db.transaction().execute((trx) => deps.repos.ledger.upsertTransactions(trx, scope, first, NOW, (r) => uuidv7(Date.parse(r.timestamp))));
      expect(r1).toEqual({ added: 950, updated: 0 });
      const db = deps.ctx.db;
      const count = async (table: 'transactions' | 'transaction_movements') =>
        Number((await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).where('enterprise_id', '=', e.enterpriseId).executeTakeFirstOrThrow()).n);
      expect(await count('transactions')).toBe(950);
      expect(await count('transaction_movements')).toBe(950 * 4);

      const row = await db.selectFrom('transactions').selectAll().where('account_id', '=', accountId).where('fingerprint', '=', 'fp-7').executeTakeFirstOrThrow();
      expect(JSON.parse(row.inputs)).toEqual([{ asset_id: 'bitcoin', asset_symbol: 'BTC', quantity: '0.1', value: { amount: '6000.5', currency: 'USD' } }]);
      expect(JSON.parse(row.outputs)).toEqual([{ asset_id: 'ethereum', asset_symbol: 'ETH', quantity: '1.7', value: null }]);
      expect(normalize(row.fee_total!)).toBe('3.6');
      expect(row.category).toBe('trade');

      // a removed record reported again comes back; changed fields are overwritten; identity stays
      await db.updateTable('transactions').set({ removed_at: NOW }).where('id', '=', row.id).execute();
      const changed = [
        record(7, { status: 'failed', description: 'changed', type: 'swap', fees: [], outputs: [{ asset_id: 'solana', asset_symbol: 'SOL', quantity: '2.50', value: '300' }] }),
        record(7, { status: 'pending', description: 'last one wins' }),
        record(2000),
      ];
      const r2 = await db.transaction().execute((trx) => deps.repos.ledger.upsertTransactions(trx, scope, changed.slice(0, 1).concat(changed.slice(2)), '2026-06-16T00:00:00.000Z', () => uuidv7(Date.now())));
      expect(r2).toEqual({ added: 1, updated: 1 });
      const after = await db.selectFrom('transactions').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow();
      expect([after.status, after.type, after.category, after.description, after.fee_total, after.removed_at]).toEqual(['failed', 'swap', 'trade', 'changed', null, null]);
      expect([after.created_at, after.updated_at, after.seq]).toEqual([row.created_at, '2026-06-16T00:00:00.000Z', row.seq]);
      const movements = await db.selectFrom('transaction_movements').selectAll().where('transaction_seq', '=', row.seq).execute();
      expect(movements.map((m) => [m.side, m.asset_id, normalize(m.quantity), m.value === null ? null : normalize(m.value), m.is_trade]).sort()).toEqual([
        ['in', 'bitcoin', '0.1', '6000.5', 0],
        ['out', 'solana', '2.5', '300', 0],
      ]);
      const r3 = await db.transaction().execute((trx) => deps.repos.ledger.upsertTransactions(trx, scope, changed.slice(0, 2), NOW, () => uuidv7(Date.now())));
      expect(r3).toEqual({ added: 0, updated: 1 });
      expect((await db.selectFrom('transactions').select('description').where('id', '=', row.id).executeTakeFirstOrThrow()).description).toBe('last one wins');
      expect(await count('transactions')).toBe(951);
      expect(await count('transaction_movements')).toBe(950 * 4 + 4);
    });

    it('inserts missing prices without overwriting stored ones', async () => {
      const { deps } = env();
      await deps.repos.prices.upsert([{ asset_id: 'x-asset', currency: 'USD', ts: '2026-01-01T00:00:00.000Z', price: '2', source: 'import' }]);
      const rows = Array.from({ length: 2500 }, (_, i) => ({ asset_id: 'x-asset', currency: 'USD', ts: new Date(Date.parse('2026-01-01T00:00:00.000Z') + i * 3_600_000).toISOString(), price: `1.${i}0`, source: 'synthetic' }));
      await deps.repos.prices.insertMissing(rows);
      await deps.repos.prices.insertMissing(rows);
      const stored = await deps.ctx.db.selectFrom('prices').selectAll().where('asset_id', '=', 'x-asset').orderBy('ts').execute();
      expect(stored).toHaveLength(2500);
      expect([stored[0]!.source, normalize(stored[0]!.price)]).toEqual(['import', '2']);
      expect([stored[1]!.source, normalize(stored[1]!.price)]).toEqual(['synthetic', '1.1']);
      expect(await deps.repos.prices.newestTsOf('x-asset', 'USD', 'synthetic')).toBe(rows[2499]!.ts);
    });
  });
});
