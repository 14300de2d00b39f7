import type { Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * Every index on `transaction_movements` is paid for on every ledger write (a sync or the demo
 * writes about two movement rows per transaction). Two of 0001's served no query:
 * - `movements_enterprise_trades` is superseded by 0002's partial `movements_enterprise_trade_window`;
 * - `movements_enterprise_symbol`: symbol filters probe movements by `transaction_seq`.
 */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema.dropIndex('movements_enterprise_trades').ifExists().execute();
  await db.schema.dropIndex('movements_enterprise_symbol').ifExists().execute();
}
