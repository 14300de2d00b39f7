/**
 * The connector port (SPEC §10, STYLE habit 6): one interface every source implements — exchanges
 * (ccxt), EVM chains (viem), Bitcoin (Esplora), Solana (JSON-RPC), CSV files, the sandbox.
 *
 * A connector turns one account's source into normalized records. It never touches the database
 * and never prices anything: the sync engine stores what it returns, values it through the price
 * service, and advances the cursor in the same database transaction.
 *
 * Every connector folder has the same file set:
 *   index.ts            the factory, imported by ../registry.ts on the first validate/fetch
 *   <name>.description.ts
 *                       what the connector declares (describe()), importing no library: the
 *                       registry answers describe() from it without loading the rest
 *   <name>.connector.ts the Connector implementation (network calls through the client)
 *   <name>.client.ts    the wire client (HTTP/RPC/library), endpoints from configuration
 *   <name>.mapper.ts    pure functions raw payload → SourceTransaction / PositionRecord, with a raw
 *                       sample above each mapper
 *   <name>.types.ts     the raw payload types; they never leave the folder
 */
import type { CredentialField, ConnectionType } from '../domain/providers.js';
import type { PositionRecord, TransactionRecord } from '../domain/records.js';
import type { TransactionStatus, TransactionType } from '../domain/transactions.js';
import type { Clock } from '../lib/clock.js';

export interface ConnectorCapabilities {
  balances: boolean;
  transactions: boolean;
  /** History is complete enough to reconstruct past holdings. */
  as_of: boolean;
  /** The source can tell whether an API key may trade or withdraw (and such keys are refused). */
  detects_key_permissions?: boolean;
}

export interface ConnectorDescription {
  provider_id: string;
  /** Recorded as provenance on every record this connector produces. */
  version: string;
  connection_types: ConnectionType[];
  credential_fields: CredentialField[];
  capabilities: ConnectorCapabilities;
}

/** What the user supplied to connect one account. Secrets live only in memory and, sealed, in the database. */
export interface Connection {
  type: ConnectionType;
  api_key?: string;
  secret_key?: string;
  passphrase?: string;
  /** Public wallet addresses (checksummed where the chain has a checksum). */
  addresses?: string[];
  xpub?: string;
  /** A CSV export: its declared format and bytes. */
  file?: { format: string; content: Buffer };
  /** Sandbox: the generator seed. */
  seed?: string;
}

/** A movement as the source reports it: no fiat value (the sync engine prices it). */
export interface SourceMovement {
  asset_id: string;
  /** As the source spells it; an unknown ticker is kept, never dropped. */
  asset_symbol: string;
  /** Positive decimal string. */
  quantity: string;
}

/** A normalized transaction before pricing. */
export interface SourceTransaction {
  /** Stable identity within the account (source record id, or a content hash when there is none). */
  fingerprint: string;
  timestamp: string;
  type: TransactionType;
  status: TransactionStatus;
  inputs: SourceMovement[];
  outputs: SourceMovement[];
  fees: SourceMovement[];
  network?: string | null;
  tx_hash?: string | null;
  from_address?: string | null;
  to_address?: string | null;
  provider_transaction_id: string;
  description?: string | null;
  /** The raw source record (provenance). */
  raw: unknown;
}

/**
 * The connector's incremental position in the source's history, JSON-serializable and opaque to
 * everything but the connector (last trade id, block height, time window…).
 */
export type ConnectorCursor = Record<string, unknown>;

export interface TransactionsPage {
  records: SourceTransaction[];
  /** Where the next call continues. Stored with the page's records in one database transaction. */
  cursor: ConnectorCursor;
  /** True when the history is exhausted for now (the next sync starts from `cursor`). */
  done: boolean;
}

export interface ConnectorContext {
  clock: Clock;
  /** Aborts network calls (timeouts, shutdown). */
  signal?: AbortSignal;
  /** Progress and diagnostics; never receives a secret. */
  log?: (message: string, data?: Record<string, unknown>) => void;
}

export interface Connector {
  describe(): ConnectorDescription;
  /**
   * Checks the connection against the source before it is stored: bad credentials or addresses →
   * PermanentConnectorError('invalid_credentials'); a key that can trade or withdraw, where the
   * source can tell → PermanentConnectorError('invalid_credentials') saying so.
   */
  validate(connection: Connection, ctx: ConnectorContext): Promise<void>;
  /** Current balances of the account. Zero balances may be omitted. */
  fetchBalances(connection: Connection, ctx: ConnectorContext): Promise<PositionRecord[]>;
  /** One page of history after `cursor` (null: from the beginning). */
  fetchTransactions(connection: Connection, cursor: ConnectorCursor | null, ctx: ConnectorContext): Promise<TransactionsPage>;
}

export type ConnectorErrorCause = 'invalid_credentials' | 'provider_unavailable' | 'rate_limited' | 'not_supported' | 'bad_response';

/** A failure worth retrying later: network, timeout, 429, 5xx, maintenance, a malformed answer. */
export class RetryableConnectorError extends Error {
  readonly retryable = true;
  constructor(
    message: string,
    readonly cause_: Extract<ConnectorErrorCause, 'provider_unavailable' | 'rate_limited' | 'bad_response'>,
    /** From Retry-After, when the source said. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** A failure that retrying will not fix: bad credentials, an unsupported request. */
export class PermanentConnectorError extends Error {
  readonly retryable = false;
  constructor(
    message: string,
    readonly cause_: Extract<ConnectorErrorCause, 'invalid_credentials' | 'not_supported'>,
  ) {
    super(message);
  }
}

export type ConnectorError = RetryableConnectorError | PermanentConnectorError;

export function isConnectorError(e: unknown): e is ConnectorError {
  return e instanceof RetryableConnectorError || e instanceof PermanentConnectorError;
}

/** Endpoints of every source, from configuration (SPEC §10). */
export interface ConnectorEndpoints {
  /** `TORTIE_RPC_<ID>` by provider id. */
  rpc: Record<string, string>;
  /** `TORTIE_EXPLORER_<ID>` (Etherscan-compatible) by provider id. */
  explorer: Record<string, string>;
  /** `TORTIE_ESPLORA_BITCOIN`. */
  esplora: string | null;
  /** `TORTIE_EXCHANGE_URL_<ID>` by provider id. */
  exchange: Record<string, string>;
  /** `TORTIE_TOKENS_<ID>`: extra token contracts whose balances an EVM chain's connector reads. */
  tokens?: Record<string, string[]>;
}

export type ConnectorFactory = (endpoints: ConnectorEndpoints) => Connector;
export type { TransactionRecord };
