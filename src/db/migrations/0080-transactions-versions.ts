import { sql, type Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * A version of each enterprise's transactions (issue #5: Transactions list p99 against a bare
 * route serving the same bytes), as 0070 does for users: `transactions_versions.version` grows with
 * every write of the enterprise's transaction rows, in the writing transaction, and a rendered
 * Transactions list page is served again while the version is the one it was rendered at.
 *
 * Updates and deletes are counted by triggers (any writer: the sync engine's removals and
 * internal-transfer marking, erasure, account removal, repricing, plain SQL). Inserts are counted
 * by triggers on PostgreSQL (statement triggers: one upsert per statement); on SQLite, whose
 * triggers run once per row, by the ledger (LedgerRepository.upsertTransactionsOf, the one writer
 * of new transaction rows) with one upsert per write — a row trigger would cost every bulk-loaded
 * transaction an extra upsert. No row: version 0.
 */
export async function up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  await db.schema
    .createTable('transactions_versions')
    .addColumn('enterprise_id', 'text', (c) => c.primaryKey())
    .addColumn('version', 'bigint', (c) => c.notNull())
    .execute();

  if (ctx.dialect === 'sqlite') {
    for (const [event, row] of [['update', 'new'], ['delete', 'old']] as const) {
      await sql
        .raw(
          `create trigger transactions_version_${event} after ${event} on transactions for each row begin ` +
            `insert into transactions_versions (enterprise_id, version) values (${row}.enterprise_id, 1) ` +
            `on conflict (enterprise_id) do update set version = version + 1; end`,
        )
        .execute(db);
    }
    return;
  }
  await sql`
    create function transactions_version_bump() returns trigger language plpgsql as $$
    begin
      if tg_op = 'DELETE' then
        insert into transactions_versions (enterprise_id, version)
          select distinct enterprise_id, 1 from changed_old order by 1
          on conflict (enterprise_id) do update set version = transactions_versions.version + 1;
      else
        insert into transactions_versions (enterprise_id, version)
          select distinct enterprise_id, 1 from changed_new order by 1
          on conflict (enterprise_id) do update set version = transactions_versions.version + 1;
      end if;
      return null;
    end $$`.execute(db);
  for (const [event, ref] of [['insert', 'new table as changed_new'], ['update', 'new table as changed_new'], ['delete', 'old table as changed_old']] as const) {
    await sql
      .raw(`create trigger transactions_version_${event} after ${event} on transactions referencing ${ref} for each statement execute function transactions_version_bump()`)
      .execute(db);
  }
}
