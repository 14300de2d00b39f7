/**
 * The sandbox's "wire" format: the generator's records before the connector strips their values
 * (a real source reports quantities, never our fiat values).
 */
export interface SandboxHistory {
  transactions: import('../../domain/records.js').TransactionRecord[];
  positions: import('../../domain/records.js').PositionRecord[];
}

/** Cursor: the index of the next record of the (fixed, time-ordered) history to return. */
export interface SandboxCursor {
  next: number;
}
