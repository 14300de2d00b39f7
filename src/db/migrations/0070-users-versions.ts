import { sql, type Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * A version of each enterprise's users (issue #5: Users list against a bare route returning the
 * same bytes): `users_versions.version` grows by at least one with every statement that inserts,
 * updates or deletes users rows of the enterprise, in that statement's transaction — kept by
 * triggers, so no writer (repository, migration, operator's SQL) can change a user without it.
 * A rendered Users list page is served again while its enterprise's version is the one it was
 * rendered at (src/services/users.service.ts). No row: version 0.
 *
 * SQLite: one row trigger per event. PostgreSQL: statement triggers with transition tables, one
 * upsert per statement and enterprise whatever the number of rows.
 */
export async function up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  await db.schema
    .createTable('users_versions')
    .addColumn('enterprise_id', 'text', (c) => c.primaryKey())
    .addColumn('version', 'bigint', (c) => c.notNull())
    .execute();

  if (ctx.dialect === 'sqlite') {
    for (const [event, row] of [['insert', 'new'], ['update', 'new'], ['delete', 'old']] as const) {
      await sql
        .raw(
          `create trigger users_version_${event} after ${event} on users for each row begin ` +
            `insert into users_versions (enterprise_id, version) values (${row}.enterprise_id, 1) ` +
            `on conflict (enterprise_id) do update set version = version + 1; end`,
        )
        .execute(db);
    }
    return;
  }
  await sql`
    create function users_version_bump() returns trigger language plpgsql as $$
    begin
      if tg_op = 'DELETE' then
        insert into users_versions (enterprise_id, version)
          select distinct enterprise_id, 1 from changed_old order by 1
          on conflict (enterprise_id) do update set version = users_versions.version + 1;
      else
        insert into users_versions (enterprise_id, version)
          select distinct enterprise_id, 1 from changed_new order by 1
          on conflict (enterprise_id) do update set version = users_versions.version + 1;
      end if;
      return null;
    end $$`.execute(db);
  await sql`create trigger users_version_insert after insert on users referencing new table as changed_new for each statement execute function users_version_bump()`.execute(db);
  await sql`create trigger users_version_update after update on users referencing new table as changed_new for each statement execute function users_version_bump()`.execute(db);
  await sql`create trigger users_version_delete after delete on users referencing old table as changed_old for each statement execute function users_version_bump()`.execute(db);
}
