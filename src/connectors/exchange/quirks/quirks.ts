/**
 * What differs between exchanges, declared as data (and tiny pure functions) so the one exchange
 * connector stays the same for all of them: which sub-wallets to read, how each history stream
 * pages, and how to read the API key's permissions.
 */
import type { StreamKind } from '../exchange.types.js';

/** What an API key may do, as far as the exchange says. */
export interface KeyPermissions {
  canTrade: boolean;
  canWithdraw: boolean;
}

/**
 * How one history stream is walked.
 * - `since`: ccxt `since` + `limit`, forward in time; a short page ends the walk.
 * - `window`: fixed windows (`windowMs`) walked back from now to the last walk's start (or
 *   `historyStartMs` on the first sync), never stopping on an empty window.
 * - `fromId`: by trade id from the oldest (Binance spot trades).
 * - `offset`: newest first by offset from the last walk's newest time (Kraken, 50 per page).
 */
export type Paging =
  | { mode: 'since' }
  | { mode: 'window'; windowMs: number; historyStartMs: number }
  | { mode: 'fromId' }
  | { mode: 'offset'; pageSize: number };

export interface StreamPlan {
  kind: StreamKind;
  paging: Paging;
  /** Trades: one stream per symbol (ccxt needs a symbol). Transfers: one per currency (Coinbase). */
  per?: 'symbol' | 'currency';
  /** Extra ccxt params for every call of this stream. */
  params?: Record<string, unknown>;
}

export interface ExchangeQuirks {
  /** The provider id, which is also the ccxt exchange id. */
  id: string;
  /** Merged into the ccxt constructor options. */
  options?: Record<string, unknown>;
  /** Sub-wallets whose balances are merged per asset: one fetchBalance call each. */
  wallets: { name: string; params: Record<string, unknown> }[];
  /** Folds wallet-specific currency codes onto the asset (Kraken's staking `DOT.S` → `DOT`). */
  balanceCode?: (code: string) => string;
  /** History streams, walked in this order (trades last: their symbols depend on the others). */
  streams: StreamPlan[];
  /**
   * The streams reach back to the account's first record (so past holdings can be rebuilt);
   * false where the exchange only serves a recent span without a window walk (declared as as_of).
   */
  completeHistory: boolean;
  /** Page size asked of the exchange. */
  limit: number;
  /** How to read the key's permissions, where the exchange can tell. */
  permissions?: {
    /** The ccxt implicit API method (a raw endpoint call). */
    method: string;
    params?: Record<string, unknown>;
    read: (raw: unknown) => KeyPermissions;
  };
}

export const DAY_MS = 86_400_000;

/** `obj[key]` of an unknown JSON value, without trusting its shape. */
export function field(obj: unknown, ...path: (string | number)[]): unknown {
  let cur: unknown = obj;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[k];
  }
  return cur;
}
