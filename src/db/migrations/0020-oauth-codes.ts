import type { Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * End-user grants (SPEC §4, §6): authorization codes and refresh tokens (both stored only as a
 * SHA-256 of the high-entropy value), the access log of reads of a user's data, and the Platform
 * API's on-demand refreshes.
 */
export async function up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  await db.schema
    .createTable('oauth_codes')
    .addColumn('code_hash', 'text', (c) => c.primaryKey())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('enterprise_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('redirect_uri', 'text', (c) => c.notNull())
    .addColumn('code_challenge', 'text')
    .addColumn('code_challenge_method', 'text')
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    /** The refresh-token family the code was exchanged for (revoked if the code is replayed). */
    .addColumn('family_id', 'text')
    .execute();
  await db.schema.createIndex('oauth_codes_user').on('oauth_codes').column('user_id').execute();

  await db.schema
    .createTable('refresh_tokens')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('family_id', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('enterprise_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('scopes', 'text', (c) => c.notNull())
    /** The access token issued together with this refresh token (revoked with the family). */
    /** 1 when the grant was obtained with the client secret: its refreshes need the secret too. */
    .addColumn('confidential', 'integer', (c) => c.notNull())
    .addColumn('access_jti', 'text', (c) => c.notNull())
    .addColumn('access_expires_at', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .addColumn('revoked_at', 'text')
    .execute();
  await db.schema.createIndex('refresh_tokens_family').on('refresh_tokens').column('family_id').execute();
  await db.schema.createIndex('refresh_tokens_user').on('refresh_tokens').column('user_id').execute();

  await db.schema
    .createTable('access_log')
    .addColumn('seq', ctx.seqType, (c) => (ctx.dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
    .addColumn('enterprise_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    /** enterprise | platform */
    .addColumn('surface', 'text', (c) => c.notNull())
    /** What was read: user | assets | transactions | accounts | access_log */
    .addColumn('resource', 'text', (c) => c.notNull())
    .addColumn('read_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('access_log_user_seq').on('access_log').columns(['user_id', 'seq']).execute();

  await db.schema
    .createTable('platform_refreshes')
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('enterprise_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    /** assets | transactions */
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('job_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('platform_refreshes_pk', ['id', 'account_id'])
    .execute();
  await db.schema.createIndex('platform_refreshes_account').on('platform_refreshes').columns(['account_id', 'created_at']).execute();
  await db.schema.createIndex('platform_refreshes_user').on('platform_refreshes').column('user_id').execute();
}
