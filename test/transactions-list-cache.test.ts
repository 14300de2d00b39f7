/**
 * Transactions list pages served again from memory on both databases (migration 0080): a page is
 * rendered once while nothing changes; every write of transaction rows — the ledger's inserts and
 * updates, plain SQL past the repositories (an operator, another process), erasure — shows in the
 * next answer. Another enterprise's writes leave the version alone.
 */
import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { forEachDialect } from './support/harness.js';
import { seedAccount, seedUser, tx } from './support/seed.js';
import { uuidv7 } from '../src/lib/ids.js';
import type { TransactionRecord } from '../src/domain/records.js';

const receive = (i: number, over: Partial<TransactionRecord> = {}): TransactionRecord =>
  tx({
    fingerprint: `r-${i}`,
    type: 'receive',
    timestamp: new Date(Date.parse('2026-01-01T00:00:00.000Z') + i * 3_600_000).toISOString(),
    outputs: [{ asset_id: 'bitcoin', asset_symbol: 'BTC', quantity: `0.${i + 1}`, value: null }],
    description: `receive ${i}`,
    provider_transaction_id: `ptx-r-${i}`,
    ...over,
  });

describe('Transactions list pages kept between writes', () => {
  forEachDialect((env) => {
    it('renders a page once while nothing changes and shows every write of transactions at once', async () => {
      const t = env();
      const e = await t.newEnterprise();
      const other = await t.newEnterprise();
      const userId = await seedUser(t.deps, e.enterpriseId);
      const accountId = await seedAccount(t.deps, e.enterpriseId, userId, { transactions: [receive(0), receive(1)] });
      const scope = { enterpriseId: e.enterpriseId, userId, accountId, providerId: 'sandbox-exchange' };
      const repo = t.deps.repos.transactions;
      const original = repo.list.bind(repo);
      let renders = 0;
      repo.list = (...args: Parameters<typeof repo.list>) => {
        renders++;
        return original(...args);
      };
      const url = '/enterprise/v2/transactions/all?start_time=2025-12-01T00:00:00.000Z&end_time=2026-02-01T00:00:00.000Z&limit=10';
      const descriptions = async () => {
        const res = await t.call(e.token, { method: 'GET', url });
        expect(res.statusCode).toBe(200);
        return res.json().data.transactions.map((x: { description: string; categorization: { is_internal_transfer: boolean } }) => `${x.description}${x.categorization.is_internal_transfer ? ' (internal)' : ''}`);
      };
      const write = (records: TransactionRecord[]) =>
        t.deps.ctx.db.transaction().execute((trx) => t.deps.repos.ledger.upsertTransactions(trx, scope, records, new Date(t.clock.now()).toISOString(), () => uuidv7(t.clock.now())));

      expect(await descriptions()).toEqual(['receive 1', 'receive 0']);
      const first = renders;
      expect(await descriptions()).toEqual(['receive 1', 'receive 0']);
      expect(renders).toBe(first); // served from memory

      // another enterprise's transactions: this one's version stays
      const before = await repo.version(e.enterpriseId);
      const otherUser = await seedUser(t.deps, other.enterpriseId);
      await seedAccount(t.deps, other.enterpriseId, otherUser, { transactions: [receive(5)] });
      expect(await repo.version(e.enterpriseId)).toBe(before);

      // the ledger inserts one and updates one
      await write([receive(2)]);
      expect(await descriptions()).toEqual(['receive 2', 'receive 1', 'receive 0']);
      await write([receive(0, { description: 'changed' })]);
      expect(await descriptions()).toEqual(['receive 2', 'receive 1', 'changed']);
      // an unchanged record reported again writes nothing, and the page stays kept
      const kept = renders;
      await write([receive(2)]);
      expect(await descriptions()).toEqual(['receive 2', 'receive 1', 'changed']);
      expect(renders).toBe(kept);

      // plain SQL past the repositories
      await sql`update transactions set is_internal_transfer = 1 where account_id = ${accountId} and fingerprint = ${'r-1'}`.execute(t.deps.ctx.db);
      expect(await descriptions()).toEqual(['receive 2', 'receive 1 (internal)', 'changed']);
      await sql`delete from transaction_movements where transaction_seq in (select seq from transactions where fingerprint = ${'r-2'} and account_id = ${accountId})`.execute(t.deps.ctx.db);
      await sql`delete from transactions where account_id = ${accountId} and fingerprint = ${'r-2'}`.execute(t.deps.ctx.db);
      expect(await descriptions()).toEqual(['receive 1 (internal)', 'changed']);

      // erasure of the user purges its transactions
      expect((await t.call(e.token, { method: 'DELETE', url: `/enterprise/v2/users/${userId}?erase=true` })).statusCode).toBe(200);
      expect(await descriptions()).toEqual([]);
    });
  });
});
