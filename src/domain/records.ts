/**
 * Normalized records as the storage code receives them, from the sandbox generator today and from
 * connectors through the sync engine later. Amounts are exact decimal strings.
 */
import type { TransactionStatus, TransactionType } from './transactions.js';

export interface MovementRecord {
  asset_id: string;
  asset_symbol: string;
  /** Positive decimal string. */
  quantity: string;
  /** Value in the record's `value_currency` at the transaction's time, or null when unpriced. */
  value: string | null;
}

export interface TransactionRecord {
  /** Stable identity within the account: source record id or content hash. */
  fingerprint: string;
  timestamp: string;
  type: TransactionType;
  status: TransactionStatus;
  inputs: MovementRecord[];
  outputs: MovementRecord[];
  fees: MovementRecord[];
  value_currency: string;
  network?: string | null;
  tx_hash?: string | null;
  from_address?: string | null;
  to_address?: string | null;
  provider_transaction_id: string;
  description?: string | null;
  is_internal_transfer?: boolean;
  counterparty_account_id?: string | null;
  /** Provenance. */
  raw?: unknown;
  connector_version?: string | null;
  price_source?: string | null;
  priced_at?: string | null;
}

export interface PositionRecord {
  asset_id: string;
  asset_symbol: string;
  asset_name?: string | null;
  network?: string | null;
  /** Decimal string. */
  quantity: string;
  raw?: unknown;
  connector_version?: string | null;
}

/** Which account a batch of records belongs to; every write is scoped by it. */
export interface AccountScope {
  enterpriseId: string;
  userId: string;
  accountId: string;
  providerId: string;
}
