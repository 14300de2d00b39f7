/**
 * Raw ccxt structures as the exchange connector receives them with `exchange.number = String`:
 * every amount is a decimal string (or, for fields ccxt computes itself, occasionally a number or
 * undefined). These types never leave the exchange folder; the mapper turns them into records.
 */

/** A ccxt numeric field under `number = String`. */
export type RawNum = string | number | null | undefined;

export interface RawFee {
  cost?: RawNum;
  currency?: string | null;
}

/** ccxt `Trade` (fetchMyTrades). */
export interface RawTrade {
  id?: string | null;
  order?: string | null;
  timestamp?: number | null;
  symbol?: string | null;
  side?: string | null;
  price?: RawNum;
  amount?: RawNum;
  cost?: RawNum;
  fee?: RawFee | null;
  fees?: RawFee[] | null;
  info?: unknown;
}

/** ccxt `Transaction` (fetchDeposits, fetchWithdrawals, fetchDepositsWithdrawals). */
export interface RawTransfer {
  id?: string | null;
  txid?: string | null;
  timestamp?: number | null;
  type?: string | null;
  amount?: RawNum;
  currency?: string | null;
  status?: string | null;
  address?: string | null;
  addressFrom?: string | null;
  addressTo?: string | null;
  network?: string | null;
  fee?: RawFee | null;
  info?: unknown;
}

/** ccxt `LedgerEntry` (fetchLedger). */
export interface RawLedgerEntry {
  id?: string | null;
  referenceId?: string | null;
  timestamp?: number | null;
  direction?: string | null;
  type?: string | null;
  currency?: string | null;
  amount?: RawNum;
  status?: string | null;
  info?: unknown;
}

/** ccxt `Balances`: per currency code `{ free, used, total }`, plus `info`. */
export interface RawBalance {
  info?: unknown;
  total?: Record<string, RawNum>;
  [code: string]: unknown;
}

/** The part of a ccxt `Market` the connector reads. */
export interface RawMarket {
  id?: string;
  symbol: string;
  base: string;
  quote: string;
  spot?: boolean;
  active?: boolean | null;
}

/** The part of a ccxt `Currency` the connector reads. */
export interface RawCurrency {
  id?: string;
  code?: string;
}

/** The history streams an exchange connector walks. */
export const STREAM_KINDS = ['trades', 'deposits', 'withdrawals', 'transfers', 'ledger'] as const;
export type StreamKind = (typeof STREAM_KINDS)[number];

/** Per-stream position in the exchange's history (JSON-serializable, stored in the cursor). */
export interface StreamState {
  /** Lower time bound (ms, inclusive) of the next walk of this stream. */
  since?: number;
  /** Fingerprints already returned at exactly `since`, filtered out of the next page. */
  seen?: string[];
  /** Window walks: end (ms, exclusive) of the next window, walking back toward `since`. */
  upper?: number;
  /** Window walks: when the current walk began (becomes `since` when it ends). */
  walkStart?: number;
  /** Id paging (Binance trades): the next trade id to ask for. */
  fromId?: string;
  /** Offset paging (Kraken): the offset of the next page within the current walk. */
  offset?: number;
  /** Offset paging: newest timestamp seen in the current walk. */
  newest?: number;
  /** Offset paging: fingerprints within a second of `newest` (become `seen` when the walk ends). */
  edge?: string[];
}

/** The exchange connector's cursor (opaque to everything else). */
export interface ExchangeCursor {
  v: 1;
  /** Stream key (`deposits`, `trades:BTC/USDT`, `transfers:USDT`, …) → its state. */
  streams: Record<string, StreamState>;
  /** Streams still to walk in the current sync; empty between syncs. */
  queue: string[];
  /** Currency codes seen in transfers and ledgers (to choose symbols to walk for trades). */
  assets: string[];
}
