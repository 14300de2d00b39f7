import type { Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/** The foundation schema: tenants, auth, users, accounts, positions, transactions, prices. */
export async function up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  const { seqType, decType } = ctx;

  await db.schema
    .createTable('enterprises')
    .addColumn('seq', seqType, (c) => (ctx.dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('base_currency', 'text', (c) => c.notNull())
    .addColumn('is_demo', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('oauth_clients')
    .addColumn('client_id', 'text', (c) => c.primaryKey())
    .addColumn('enterprise_id', 'text', (c) => c.notNull().references('enterprises.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('secret_hash', 'text', (c) => c.notNull())
    .addColumn('redirect_uris', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('tokens_revoked_before', 'text')
    .execute();
  await db.schema.createIndex('oauth_clients_enterprise').on('oauth_clients').column('enterprise_id').execute();

  await db.schema
    .createTable('signing_keys')
    .addColumn('kid', 'text', (c) => c.primaryKey())
    .addColumn('alg', 'text', (c) => c.notNull())
    .addColumn('public_jwk', 'text', (c) => c.notNull())
    .addColumn('private_jwk_enc', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('retired_at', 'text')
    .execute();

  await db.schema
    .createTable('revoked_tokens')
    .addColumn('jti', 'text', (c) => c.primaryKey())
    .addColumn('revoked_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('revoked_tokens_revoked_at').on('revoked_tokens').column('revoked_at').execute();

  await db.schema
    .createTable('users')
    .addColumn('seq', seqType, (c) => (ctx.dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('enterprise_id', 'text', (c) => c.notNull().references('enterprises.id'))
    .addColumn('email', 'text')
    .addColumn('email_lower', 'text')
    .addColumn('full_name', 'text')
    .addColumn('consented_at', 'text', (c) => c.notNull())
    .addColumn('deactivated_on', 'text')
    .addColumn('deactivated', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('erased_at', 'text')
    .addColumn('tokens_revoked_before', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('users_enterprise_seq').on('users').columns(['enterprise_id', 'seq']).execute();
  await db.schema.createIndex('users_enterprise_email').on('users').columns(['enterprise_id', 'email_lower']).unique().execute();
  await db.schema.createIndex('users_enterprise_consented').on('users').columns(['enterprise_id', 'consented_at']).execute();

  await db.schema
    .createTable('consents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('enterprise_id', 'text', (c) => c.notNull().references('enterprises.id'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('client_id', 'text')
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('consented_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .execute();
  await db.schema.createIndex('consents_user').on('consents').columns(['user_id', 'consented_at']).execute();

  await db.schema
    .createTable('enterprise_providers')
    .addColumn('enterprise_id', 'text', (c) => c.notNull().references('enterprises.id'))
    .addColumn('provider_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('enterprise_providers_pk', ['enterprise_id', 'provider_id'])
    .execute();

  await db.schema
    .createTable('provider_status')
    .addColumn('provider_id', 'text', (c) => c.primaryKey())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('accounts')
    .addColumn('seq', seqType, (c) => (ctx.dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('enterprise_id', 'text', (c) => c.notNull().references('enterprises.id'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('provider_id', 'text', (c) => c.notNull())
    .addColumn('display_label', 'text')
    .addColumn('connection_type', 'text', (c) => c.notNull())
    .addColumn('addresses', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('status_cause', 'text')
    .addColumn('credentials_enc', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_synced_at', 'text')
    .addColumn('next_sync_at', 'text')
    .addColumn('sync_cursor', 'text')
    .addColumn('reconciliation', 'text')
    .execute();
  await db.schema.createIndex('accounts_enterprise_seq').on('accounts').columns(['enterprise_id', 'seq']).execute();
  await db.schema.createIndex('accounts_user').on('accounts').columns(['user_id', 'seq']).execute();
  await db.schema.createIndex('accounts_enterprise_provider').on('accounts').columns(['enterprise_id', 'provider_id', 'seq']).execute();

  await db.schema
    .createTable('asset_positions')
    .addColumn('enterprise_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('provider_id', 'text', (c) => c.notNull())
    .addColumn('asset_id', 'text', (c) => c.notNull())
    .addColumn('asset_symbol', 'text', (c) => c.notNull())
    .addColumn('asset_name', 'text')
    .addColumn('network', 'text')
    .addColumn('quantity', decType, (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('raw', 'text')
    .addColumn('connector_version', 'text')
    .addPrimaryKeyConstraint('asset_positions_pk', ['account_id', 'asset_id'])
    .execute();
  await db.schema.createIndex('asset_positions_user').on('asset_positions').columns(['user_id', 'asset_id']).execute();
  await db.schema.createIndex('asset_positions_enterprise_asset').on('asset_positions').columns(['enterprise_id', 'asset_id']).execute();

  await db.schema
    .createTable('transactions')
    .addColumn('seq', seqType, (c) => (ctx.dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('enterprise_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('provider_id', 'text', (c) => c.notNull())
    .addColumn('timestamp', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('is_internal_transfer', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('counterparty_account_id', 'text')
    .addColumn('inputs', 'text', (c) => c.notNull())
    .addColumn('outputs', 'text', (c) => c.notNull())
    .addColumn('fee_items', 'text', (c) => c.notNull())
    .addColumn('fee_total', decType)
    .addColumn('value_currency', 'text', (c) => c.notNull())
    .addColumn('network', 'text')
    .addColumn('tx_hash', 'text')
    .addColumn('from_address', 'text')
    .addColumn('to_address', 'text')
    .addColumn('provider_transaction_id', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('raw', 'text')
    .addColumn('connector_version', 'text')
    .addColumn('price_source', 'text')
    .addColumn('priced_at', 'text')
    .addColumn('removed_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('transactions_account_fingerprint').on('transactions').columns(['account_id', 'fingerprint']).unique().execute();
  await db.schema.createIndex('transactions_enterprise_time').on('transactions').columns(['enterprise_id', 'timestamp', 'seq']).execute();
  await db.schema.createIndex('transactions_user_time').on('transactions').columns(['user_id', 'timestamp', 'seq']).execute();
  await db.schema.createIndex('transactions_account_time').on('transactions').columns(['account_id', 'timestamp', 'seq']).execute();

  await db.schema
    .createTable('transaction_movements')
    .addColumn('transaction_seq', 'bigint', (c) => c.notNull())
    .addColumn('enterprise_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('asset_id', 'text', (c) => c.notNull())
    .addColumn('asset_symbol_lower', 'text', (c) => c.notNull())
    .addColumn('side', 'text', (c) => c.notNull())
    .addColumn('quantity', decType, (c) => c.notNull())
    .addColumn('value', decType)
    .addColumn('timestamp', 'text', (c) => c.notNull())
    .addColumn('is_trade', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('movements_transaction').on('transaction_movements').column('transaction_seq').execute();
  await db.schema.createIndex('movements_enterprise_asset').on('transaction_movements').columns(['enterprise_id', 'asset_id', 'timestamp']).execute();
  await db.schema.createIndex('movements_enterprise_symbol').on('transaction_movements').columns(['enterprise_id', 'asset_symbol_lower', 'timestamp']).execute();
  await db.schema.createIndex('movements_enterprise_trades').on('transaction_movements').columns(['enterprise_id', 'is_trade', 'timestamp']).execute();

  await db.schema
    .createTable('prices')
    .addColumn('asset_id', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('ts', 'text', (c) => c.notNull())
    .addColumn('price', decType, (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('prices_pk', ['asset_id', 'currency', 'ts'])
    .execute();
}
