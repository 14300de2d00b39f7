import type { Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * Connect (SPEC §7) and invitations (SPEC §5.15):
 * - `connect_sessions`: one browser's pass through Connect, keyed by the SHA-256 of its session
 *   cookie; holds the validated launch parameters, the verified e-mail and the name given;
 * - `connect_codes`: sign-in codes sent by e-mail, stored only as an HMAC, with their attempts;
 * - `connect_pending_accounts`: sources checked against their provider before the person has
 *   consented, credentials already sealed for the account id they will get; they become accounts
 *   (and the person a User) only at consent;
 * - `invitations`: enterprise invitations; the link's token is stored only as a SHA-256.
 */
export async function up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  await db.schema
    .createTable('connect_sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('enterprise_id', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('redirect_uri', 'text', (c) => c.notNull())
    .addColumn('code_challenge', 'text')
    .addColumn('code_challenge_method', 'text')
    .addColumn('state', 'text')
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('invitation_id', 'text')
    /** Set once the e-mail is verified (by code or by the invitation). */
    .addColumn('email', 'text')
    .addColumn('full_name', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('completed_at', 'text')
    .execute();

  await db.schema
    .createTable('connect_codes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('session_id', 'text', (c) => c.notNull())
    .addColumn('enterprise_id', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('email_lower', 'text', (c) => c.notNull())
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .execute();
  await db.schema.createIndex('connect_codes_session').on('connect_codes').columns(['session_id', 'created_at']).execute();
  await db.schema.createIndex('connect_codes_email').on('connect_codes').columns(['enterprise_id', 'email_lower', 'created_at']).execute();

  await db.schema
    .createTable('connect_pending_accounts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('session_id', 'text', (c) => c.notNull())
    .addColumn('provider_id', 'text', (c) => c.notNull())
    .addColumn('display_label', 'text')
    .addColumn('connection_type', 'text', (c) => c.notNull())
    .addColumn('addresses', 'text', (c) => c.notNull())
    .addColumn('credentials_enc', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('connect_pending_accounts_session').on('connect_pending_accounts').column('session_id').execute();

  await db.schema
    .createTable('invitations')
    .addColumn('seq', ctx.seqType, (c) => (ctx.dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('enterprise_id', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('email_lower', 'text', (c) => c.notNull())
    .addColumn('full_name', 'text')
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('redirect_uri', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    /** Set when cancelled, replaced by a newer invitation of the same e-mail, or used to consent. */
    .addColumn('closed_at', 'text')
    /** cancelled | replaced | accepted */
    .addColumn('closed_reason', 'text')
    .addColumn('user_id', 'text')
    .execute();
  await db.schema.createIndex('invitations_enterprise_seq').on('invitations').columns(['enterprise_id', 'seq']).execute();
  await db.schema.createIndex('invitations_enterprise_email').on('invitations').columns(['enterprise_id', 'email_lower']).execute();
}
