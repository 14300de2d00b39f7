/**
 * The wire shapes of SPEC §8 as TypeScript types. The HTTP schemas in `http/schemas/` describe the
 * same shapes for validation and /openapi.json; services build these objects.
 */
import type { ErrorItem } from './errors.js';
import type { Category, TransactionStatus, TransactionType } from './transactions.js';

export interface CurrencyValue {
  /** Exact decimal string. */
  amount: string;
  /** ISO 4217 code. */
  currency: string;
}

/** [seed] exactly these six fields, in this order. */
export interface User {
  email: string;
  user_id: string;
  consented_at: string;
  full_name: string;
  deactivated_on: string | null;
  deactivated: boolean;
}

export interface Consent {
  consented_at: string;
  scopes: string[];
  client_id: string | null;
  revoked_at: string | null;
  version: string;
}

export const ACCOUNT_STATUSES = ['active', 'syncing', 'error', 'disconnected'] as const;
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];
export const ACCOUNT_STATUS_CAUSES = ['invalid_credentials', 'provider_unavailable', 'rate_limited', 'reconciliation_gap', 'internal_error'] as const;
export type AccountStatusCause = (typeof ACCOUNT_STATUS_CAUSES)[number];

export interface Account {
  account_id: string;
  user_id: string;
  provider_id: string;
  provider_name: string;
  display_label: string | null;
  connection_type: string;
  addresses: string[];
  status: AccountStatus;
  status_cause: AccountStatusCause | null;
  created_at: string;
  last_synced_at: string | null;
  next_sync_at: string | null;
  total_value: CurrencyValue;
}

export interface AssetPosition {
  account_id: string;
  provider_id: string;
  asset_id: string;
  asset_symbol: string;
  asset_name: string | null;
  network: string | null;
  quantity: string;
  price: CurrencyValue | null;
  value: CurrencyValue | null;
  updated_at: string;
}

export interface AssetTotal {
  asset_id: string;
  asset_symbol: string;
  quantity: string;
  value: CurrencyValue | null;
}

export interface Movement {
  asset_id: string;
  asset_symbol: string;
  quantity: string;
  value: CurrencyValue | null;
}

export type FeeItem = Movement;

export interface Transaction {
  transaction_id: string;
  user_id: string;
  account_id: string;
  provider_id: string;
  timestamp: string;
  type: TransactionType;
  status: TransactionStatus;
  categorization: { category: Category; is_internal_transfer: boolean; counterparty_account_id: string | null };
  inputs: Movement[];
  outputs: Movement[];
  fees: { total: CurrencyValue | null; items: FeeItem[] };
  network: string | null;
  tx_hash: string | null;
  from_address: string | null;
  to_address: string | null;
  provider_transaction_id: string;
  description: string | null;
}

export interface PageInfo {
  next_uri: string | null;
  next_cursor: string | null;
}

/** What a service returns for a user-scoped read: data plus per-account errors (→ 206). */
export interface PartialResult<T> {
  data: T;
  errors: ErrorItem[];
}
