import { sql, type Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * PostgreSQL: a notification on channel `tortie_versions` whenever a users or transactions version
 * (migrations 0070, 0080) changes, sent at its transaction's commit, with the tables' schema
 * (another Tortie database in the same PostgreSQL database notifies on the same channel, and is
 * told apart by it). A server listens, and reads
 * a version from the database again only after a notification or a write of its own
 * (`DbHandle.dataChanges`, src/repositories/known-versions.ts): a kept Users or Transactions list
 * page then costs no query (issue #5). PostgreSQL folds the same notification sent several times
 * in one transaction into one. SQLite needs nothing: `PRAGMA data_version` tells another
 * connection's commits.
 */
export async function up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  if (ctx.dialect !== 'postgres') return;
  await sql`
    create function versions_notify() returns trigger language plpgsql as $$
    begin
      perform pg_notify('tortie_versions', tg_table_schema);
      return null;
    end $$`.execute(db);
  for (const table of ['users_versions', 'transactions_versions']) {
    await sql.raw(`create trigger ${table}_notify after insert or update or delete on ${table} for each statement execute function versions_notify()`).execute(db);
  }
}
