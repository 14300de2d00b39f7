import { sql, type Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * The sync engine's queue (SPEC §9): jobs stored in the database so they survive restarts, leased
 * with an expiry so a dead worker's job runs again, one open job per account (partial unique index).
 */
export async function up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  await db.schema
    .createTable('sync_jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('enterprise_id', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('provider_id', 'text', (c) => c.notNull())
    /** queued | running | succeeded | failed */
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('run_at', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('max_attempts', 'integer', (c) => c.notNull())
    .addColumn('locked_by', 'text')
    .addColumn('locked_until', 'text')
    .addColumn('last_error', 'text')
    .addColumn('last_error_cause', 'text')
    /** scheduled | on_demand */
    .addColumn('reason', 'text', (c) => c.notNull())
    /** JSON result: { added, updated, removed } */
    .addColumn('result', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .execute();
  // one open (queued or running) job per account: enqueueing twice is a no-op
  await db.schema
    .createIndex('sync_jobs_open_account')
    .on('sync_jobs')
    .column('account_id')
    .unique()
    .where(sql.ref('state'), 'in', ['queued', 'running'])
    .execute();
  await db.schema.createIndex('sync_jobs_claim').on('sync_jobs').columns(['state', 'run_at']).execute();
  await db.schema.createIndex('sync_jobs_account').on('sync_jobs').columns(['account_id', 'created_at']).execute();

  await db.schema.alterTable('provider_status').addColumn('consecutive_failures', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('provider_status').addColumn('open_until', 'text').execute();
  void ctx;
}
