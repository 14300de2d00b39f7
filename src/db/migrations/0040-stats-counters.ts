import { sql, type Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * Maintained counters for /stats/users and /stats/accounts (SPEC §5.9–10, issue #5): the
 * aggregate queries over `users` and `accounts` read every row of the enterprise, so they were no
 * faster than a full scan. The repositories now keep these counters in the same transaction as
 * every write that changes them (src/repositories/stats-counters.ts), and the stats read them:
 * - `stats_user_counts`: per enterprise, non-erased users, active users, and active users with an
 *   account that is not `disconnected`;
 * - `stats_consent_days`: non-erased users per UTC day of `consented_at` — `new_last_30_days` adds
 *   the whole days of its window and counts its two partial edge days from `users_enterprise_state`;
 * - `stats_provider_counts`: per enterprise and provider, active users' accounts (any status) and
 *   the distinct active users holding them.
 *
 * Existing databases are backfilled here from their rows, with the definitions the stats used
 * until now. The index `accounts_user_status` served only the removed "has a live account" query
 * and is dropped (one index less to write per account).
 */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema
    .createTable('stats_user_counts')
    .addColumn('enterprise_id', 'text', (c) => c.primaryKey())
    .addColumn('total', 'integer', (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull())
    .addColumn('with_accounts', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('stats_consent_days')
    .addColumn('enterprise_id', 'text', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('users', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('stats_consent_days_pk', ['enterprise_id', 'day'])
    .execute();
  await db.schema
    .createTable('stats_provider_counts')
    .addColumn('enterprise_id', 'text', (c) => c.notNull())
    .addColumn('provider_id', 'text', (c) => c.notNull())
    .addColumn('accounts', 'integer', (c) => c.notNull())
    .addColumn('users', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('stats_provider_counts_pk', ['enterprise_id', 'provider_id'])
    .execute();

  await sql`
    insert into stats_user_counts (enterprise_id, total, active, with_accounts)
    select u.enterprise_id,
           count(*),
           sum(case when u.deactivated = 0 then 1 else 0 end),
           sum(case when u.deactivated = 0
                     and exists (select 1 from accounts a where a.user_id = u.id and a.status <> 'disconnected')
                    then 1 else 0 end)
      from users u
     where u.erased_at is null
     group by u.enterprise_id`.execute(db);
  await sql`
    insert into stats_consent_days (enterprise_id, day, users)
    select enterprise_id, substr(consented_at, 1, 10), count(*)
      from users
     where erased_at is null
     group by enterprise_id, substr(consented_at, 1, 10)`.execute(db);
  await sql`
    insert into stats_provider_counts (enterprise_id, provider_id, accounts, users)
    select a.enterprise_id, a.provider_id, count(*), count(distinct a.user_id)
      from accounts a
      join users u on u.id = a.user_id
     where u.erased_at is null and u.deactivated = 0
     group by a.enterprise_id, a.provider_id`.execute(db);

  await db.schema.dropIndex('accounts_user_status').ifExists().execute();
}
