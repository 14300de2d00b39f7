import type { Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * Two more indexes that no query uses, paid for on every ledger write (about 10% of the demo's
 * write time on SQLite): asset filters probe `transaction_movements` by `transaction_seq`, and
 * account filters ride the user and enterprise time indexes (test/enterprise-query-plans.test.ts
 * pins the plans the lists use).
 */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema.dropIndex('movements_enterprise_asset').ifExists().execute();
  await db.schema.dropIndex('transactions_account_time').ifExists().execute();
}
