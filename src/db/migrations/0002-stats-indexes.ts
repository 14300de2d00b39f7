import { sql, type Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * Indexes that let the enterprise stats (SPEC §5.9–12) read only what they count, checked with
 * EXPLAIN QUERY PLAN on SQLite (the stats repository's header says why these are queries and not
 * maintained aggregates):
 * - users: the counts of /stats/users come from the index alone (no table row per user);
 * - accounts: "has an account that is not disconnected" is answered from the index;
 * - asset_positions: /stats/balance groups per (asset, user) in index order without a sort, and
 *   reads the provider filter, the quantity and the symbol from the index;
 * - transaction_movements: /stats/top-traded-assets reads the trade rows of its time window from
 *   a partial index over trade rows only (`is_trade = 1`), which carries every column the query
 *   needs, so no movement row is fetched and non-trade rows cost no index space.
 */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema.createIndex('users_enterprise_state').on('users').columns(['enterprise_id', 'erased_at', 'deactivated', 'consented_at', 'id']).execute();
  await db.schema.createIndex('accounts_user_status').on('accounts').columns(['user_id', 'status']).execute();
  await db.schema.createIndex('positions_enterprise_asset_user').on('asset_positions').columns(['enterprise_id', 'asset_id', 'user_id', 'provider_id', 'quantity', 'asset_symbol']).execute();
  await db.schema
    .createIndex('movements_enterprise_trade_window')
    .on('transaction_movements')
    .columns(['enterprise_id', 'timestamp', 'asset_id', 'side', 'user_id', 'transaction_seq', 'value'])
    .where(sql.ref('is_trade'), '=', 1)
    .execute();
}
