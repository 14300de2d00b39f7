/**
 * Row types of every table, as Kysely sees them. Conventions on both databases:
 * - ids are UUID text; `seq` is the internal, monotonically increasing pagination id;
 * - timestamps are ISO 8601 UTC text with milliseconds (sorts correctly, identical on both);
 * - decimals are TEXT on SQLite and unconstrained `numeric` on PostgreSQL, read as strings and
 *   normalized at the repository boundary;
 * - booleans are integers 0/1; JSON is TEXT.
 */
import type { Generated } from 'kysely';

export interface EnterprisesTable {
  seq: Generated<number>;
  id: string;
  name: string;
  base_currency: string;
  is_demo: number;
  created_at: string;
}

export interface OauthClientsTable {
  client_id: string;
  enterprise_id: string;
  name: string;
  secret_hash: string;
  /** JSON array of registered redirect URIs. */
  redirect_uris: string;
  created_at: string;
  /** Every token issued to this client before this time is revoked. */
  tokens_revoked_before: string | null;
}

export interface SigningKeysTable {
  kid: string;
  alg: string;
  public_jwk: string;
  /** The private JWK sealed with the crypto envelope (AAD = kid). */
  private_jwk_enc: string;
  created_at: string;
  /** Set when a newer key took over signing; the key still verifies until its tokens expire. */
  retired_at: string | null;
}

export interface RevokedTokensTable {
  jti: string;
  revoked_at: string;
  /** When the token would have expired anyway; rows past it can be pruned. */
  expires_at: string;
}

export interface UsersTable {
  seq: Generated<number>;
  id: string;
  enterprise_id: string;
  email: string | null;
  email_lower: string | null;
  full_name: string | null;
  consented_at: string;
  deactivated_on: string | null;
  deactivated: number;
  /** Set when the user was erased: the row stays only as a tombstone. */
  erased_at: string | null;
  tokens_revoked_before: string | null;
  created_at: string;
}

export interface ConsentsTable {
  id: string;
  enterprise_id: string;
  user_id: string;
  client_id: string | null;
  /** JSON array of scopes. */
  scopes: string;
  version: string;
  consented_at: string;
  revoked_at: string | null;
}

export interface EnterpriseProvidersTable {
  enterprise_id: string;
  provider_id: string;
}

export interface ProviderStatusTable {
  provider_id: string;
  /** operational | degraded | down — the circuit breaker's state as users see it. */
  status: string;
  updated_at: string;
  consecutive_failures: Generated<number>;
  /** While set and in the future, the circuit is open: jobs for the provider wait. */
  open_until: string | null;
}

export interface SyncJobsTable {
  id: string;
  enterprise_id: string;
  account_id: string;
  provider_id: string;
  /** queued | running | succeeded | failed */
  state: string;
  run_at: string;
  attempts: number;
  max_attempts: number;
  locked_by: string | null;
  locked_until: string | null;
  last_error: string | null;
  last_error_cause: string | null;
  /** scheduled | on_demand */
  reason: string;
  result: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

export interface AccountsTable {
  seq: Generated<number>;
  id: string;
  enterprise_id: string;
  user_id: string;
  provider_id: string;
  display_label: string | null;
  connection_type: string;
  /** JSON array of public addresses (wallets), `[]` otherwise. */
  addresses: string;
  status: string;
  status_cause: string | null;
  /** Credentials sealed with the crypto envelope (AAD = account id); null when none or destroyed. */
  credentials_enc: string | null;
  created_at: string;
  last_synced_at: string | null;
  next_sync_at: string | null;
  /** Connector-owned JSON cursor for incremental syncs. */
  sync_cursor: string | null;
  /** JSON reconciliation result of the last sync. */
  reconciliation: string | null;
}

export interface AssetPositionsTable {
  enterprise_id: string;
  user_id: string;
  account_id: string;
  provider_id: string;
  asset_id: string;
  asset_symbol: string;
  asset_name: string | null;
  network: string | null;
  quantity: string;
  updated_at: string;
  /** Provenance: the raw source record and the connector that produced it. */
  raw: string | null;
  connector_version: string | null;
}

export interface TransactionsTable {
  seq: Generated<number>;
  id: string;
  enterprise_id: string;
  user_id: string;
  account_id: string;
  provider_id: string;
  timestamp: string;
  type: string;
  status: string;
  category: string;
  is_internal_transfer: number;
  counterparty_account_id: string | null;
  /** JSON `[Movement]` as served. */
  inputs: string;
  outputs: string;
  /** JSON `[FeeItem]`. */
  fee_items: string;
  fee_total: string | null;
  /** Currency of every value on this transaction (the enterprise's base currency). */
  value_currency: string;
  network: string | null;
  tx_hash: string | null;
  from_address: string | null;
  to_address: string | null;
  provider_transaction_id: string;
  description: string | null;
  /** Stable identity within the account (source record id or content hash): upserts key on it. */
  fingerprint: string;
  raw: string | null;
  connector_version: string | null;
  price_source: string | null;
  priced_at: string | null;
  removed_at: string | null;
  created_at: string;
  updated_at: string;
}

/** One row per asset a transaction moves, per side: the index behind asset filters and trade stats. */
export interface TransactionMovementsTable {
  transaction_seq: number;
  enterprise_id: string;
  user_id: string;
  asset_id: string;
  asset_symbol_lower: string;
  /** `in` (an input, left the account), `out` (an output, came in), `fee`. */
  side: string;
  quantity: string;
  value: string | null;
  timestamp: string;
  /** 1 when the transaction counts for top-traded-assets (trade type, confirmed, not internal). */
  is_trade: number;
}

export interface PricesTable {
  asset_id: string;
  currency: string;
  /** ISO timestamp the price is for (daily series use 00:00:00.000Z). */
  ts: string;
  price: string;
  source: string;
}

export interface OauthCodesTable {
  /** SHA-256 (base64url) of the code; the code itself is never stored. */
  code_hash: string;
  client_id: string;
  enterprise_id: string;
  user_id: string;
  redirect_uri: string;
  code_challenge: string | null;
  /** S256 | plain | null */
  code_challenge_method: string | null;
  /** JSON array of scopes. */
  scopes: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
  family_id: string | null;
}

export interface RefreshTokensTable {
  /** SHA-256 (base64url) of the opaque token. */
  token_hash: string;
  family_id: string;
  client_id: string;
  enterprise_id: string;
  user_id: string;
  /** JSON array of scopes. */
  scopes: string;
  /** 1 when the grant was obtained with the client secret: its refreshes need the secret too. */
  confidential: number;
  access_jti: string;
  access_expires_at: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
  revoked_at: string | null;
}

export interface AccessLogTable {
  seq: Generated<number>;
  enterprise_id: string;
  user_id: string;
  client_id: string;
  /** enterprise | platform */
  surface: string;
  resource: string;
  read_at: string;
}

export interface PlatformRefreshesTable {
  id: string;
  enterprise_id: string;
  user_id: string;
  /** assets | transactions */
  kind: string;
  account_id: string;
  job_id: string | null;
  created_at: string;
}

export interface ConnectSessionsTable {
  /** SHA-256 (base64url) of the session cookie's value. */
  id: string;
  enterprise_id: string;
  client_id: string;
  redirect_uri: string;
  code_challenge: string | null;
  code_challenge_method: string | null;
  state: string | null;
  /** JSON array of scopes. */
  scopes: string;
  invitation_id: string | null;
  /** The verified e-mail (null until verified). */
  email: string | null;
  full_name: string | null;
  created_at: string;
  expires_at: string;
  completed_at: string | null;
}

export interface ConnectCodesTable {
  id: string;
  session_id: string;
  enterprise_id: string;
  email: string;
  email_lower: string;
  /** HMAC-SHA256 (base64url) of the session id and the code; the code itself is never stored. */
  code_hash: string;
  attempts: number;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

export interface ConnectPendingAccountsTable {
  /** The account id the source will have once the person consents (the AAD of the sealed credentials). */
  id: string;
  session_id: string;
  provider_id: string;
  display_label: string | null;
  connection_type: string;
  /** JSON array. */
  addresses: string;
  credentials_enc: string;
  created_at: string;
}

export interface InvitationsTable {
  seq: Generated<number>;
  id: string;
  enterprise_id: string;
  email: string;
  email_lower: string;
  full_name: string | null;
  client_id: string;
  redirect_uri: string;
  /** SHA-256 (base64url) of the link's token. */
  token_hash: string;
  created_at: string;
  expires_at: string;
  closed_at: string | null;
  /** cancelled | replaced | accepted */
  closed_reason: string | null;
  user_id: string | null;
}

/**
 * Maintained counters of /stats/users (SPEC §5.9), one row per enterprise that has had a user:
 * updated in the same transaction as every write that changes them (repositories/stats-counters.ts).
 */
export interface StatsUserCountsTable {
  enterprise_id: string;
  /** Non-erased users. */
  total: number;
  /** Users neither deactivated nor erased. */
  active: number;
  /** Active users with at least one account whose status is not `disconnected`. */
  with_accounts: number;
}

/** Non-erased users per UTC day of `consented_at` (the whole days of `new_last_30_days`). */
export interface StatsConsentDaysTable {
  enterprise_id: string;
  /** `YYYY-MM-DD` (UTC), the first ten characters of `consented_at`. */
  day: string;
  users: number;
}

/** Maintained counters of /stats/accounts (SPEC §5.10): active users' accounts per provider. */
export interface StatsProviderCountsTable {
  enterprise_id: string;
  provider_id: string;
  /** Accounts of active users (any status). */
  accounts: number;
  /** Distinct active users with an account there. */
  users: number;
}

/**
 * Maintained balances of /stats/balance (SPEC §5.11, migration 0050): active users' positions per
 * asset and display symbol, updated in the same transaction as every write that changes them
 * (repositories/stats-counters.ts). An asset's figures are the sums over its rows.
 */
export interface StatsAssetBalancesTable {
  enterprise_id: string;
  asset_id: string;
  /** A symbol the positions spell the asset with; the display symbol is the least one with `positions > 0`. */
  asset_symbol: string;
  /** Exact sum of the quantities of those positions (decimal string). */
  quantity: string;
  /** Number of those positions. */
  positions: number;
  /** Active users holding the asset (a position > 0) whose least positive symbol (byte order) is this one. */
  holders: number;
}

/**
 * Maintained trade figures of /stats/top-traded-assets (SPEC §5.12, migration 0060) per UTC hour
 * and non-fiat asset, over active users' counted trades (repositories/trade-stats.ts).
 */
export interface StatsTradeHoursTable {
  enterprise_id: string;
  /** `YYYY-MM-DDTHH` (UTC). */
  hour: string;
  asset_id: string;
  /** Trades (transactions) that moved the asset in the hour. */
  trade_count: number;
  /** Exact sum of their absolute movement values of the asset (decimal string). */
  volume: string;
  /** An upper bound of the newest such trade's `seq` (exact while nothing was removed; 0: none). */
  sample_seq: number;
}

/** Per asset, hour and active user: how many of the user's counted trades moved the asset (rows at 0 are deleted). */
export interface StatsTradeTradersTable {
  enterprise_id: string;
  asset_id: string;
  hour: string;
  user_id: string;
  trades: number;
}

/** Version of an enterprise's users, bumped by triggers on every users write (migration 0070). */
export interface UsersVersionsTable {
  enterprise_id: string;
  version: number | string;
}

/** Version of an enterprise's transactions (migration 0080). */
export interface TransactionsVersionsTable {
  enterprise_id: string;
  version: number | string;
}

export interface Database {
  enterprises: EnterprisesTable;
  oauth_clients: OauthClientsTable;
  signing_keys: SigningKeysTable;
  revoked_tokens: RevokedTokensTable;
  users: UsersTable;
  consents: ConsentsTable;
  enterprise_providers: EnterpriseProvidersTable;
  provider_status: ProviderStatusTable;
  accounts: AccountsTable;
  asset_positions: AssetPositionsTable;
  transactions: TransactionsTable;
  transaction_movements: TransactionMovementsTable;
  prices: PricesTable;
  sync_jobs: SyncJobsTable;
  oauth_codes: OauthCodesTable;
  refresh_tokens: RefreshTokensTable;
  access_log: AccessLogTable;
  platform_refreshes: PlatformRefreshesTable;
  connect_sessions: ConnectSessionsTable;
  connect_codes: ConnectCodesTable;
  connect_pending_accounts: ConnectPendingAccountsTable;
  invitations: InvitationsTable;
  stats_user_counts: StatsUserCountsTable;
  stats_consent_days: StatsConsentDaysTable;
  stats_provider_counts: StatsProviderCountsTable;
  stats_asset_balances: StatsAssetBalancesTable;
  stats_trade_hours: StatsTradeHoursTable;
  stats_trade_traders: StatsTradeTradersTable;
  users_versions: UsersVersionsTable;
  transactions_versions: TransactionsVersionsTable;
}
