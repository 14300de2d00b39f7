/**
 * The pure half of the ledger's transaction writes (LedgerRepository.upsertRows): normalized
 * records turned into the rows of `transactions` and `transaction_movements` and what their trade
 * contributions depend on. No database and no I/O, so a bulk load can build a batch's rows in a
 * worker thread (the demo: demo-prepare.ts) while the writing thread waits on the database, and hand
 * them over as plain data (arrays of strings and numbers survive a `postMessage` unchanged).
 *
 * For PostgreSQL the rows can also be encoded here (`encodeLedgerRows`) into the array literals the
 * insert binds, one per column: that text is what the driver would otherwise build, in the writing
 * thread, from the same values.
 */
import type { AccountScope, MovementRecord, TransactionRecord } from '../domain/records.js';
import { TRADE_TYPES, TYPE_RULES, checkShape } from '../domain/transactions.js';
import { sum as decSum, normalize } from '../lib/decimal.js';

export const TRANSACTION_COLUMNS = [
  'id', 'enterprise_id', 'user_id', 'account_id', 'provider_id', 'timestamp', 'type', 'status', 'category', 'is_internal_transfer',
  'counterparty_account_id', 'inputs', 'outputs', 'fee_items', 'fee_total', 'value_currency', 'network', 'tx_hash', 'from_address',
  'to_address', 'provider_transaction_id', 'description', 'fingerprint', 'raw', 'connector_version', 'price_source', 'priced_at',
  'removed_at', 'created_at', 'updated_at',
] as const;
export type TransactionColumn = (typeof TRANSACTION_COLUMNS)[number];
/** Position of each column in a row of `LedgerRows.rows`. */
export const COLUMN_INDEX = Object.fromEntries(TRANSACTION_COLUMNS.map((c, i) => [c, i])) as Record<TransactionColumn, number>;

/** Movement columns after `transaction_seq`, which the insert of their transaction generates. */
export const MOVEMENT_COLUMNS = ['enterprise_id', 'user_id', 'asset_id', 'asset_symbol_lower', 'side', 'quantity', 'value', 'timestamp', 'is_trade'] as const;

const TRADE_SET = new Set<string>(TRADE_TYPES);

/** What a record's trade contribution depends on, but its `seq` (the insert generates it). */
export interface TradeCandidate {
  user_id: string;
  timestamp: string;
  type: string;
  status: string;
  is_internal_transfer: number;
  /** Inputs then outputs, normalized. */
  moves: { asset_id: string; value: string | null }[];
}

/** A batch of records as rows, in record order (one per account and fingerprint). */
export interface LedgerRows {
  /** The accounts written, each once. */
  scopes: AccountScope[];
  /** Per record: its values in `TRANSACTION_COLUMNS` order. */
  rows: unknown[][];
  /** The movement rows of every record, in record order: account id, fingerprint, then `MOVEMENT_COLUMNS`. */
  movements: unknown[][];
  /** Per record: where its movement rows start in `movements` (and, at `rows.length`, their end). */
  movementStart: number[];
  /**
   * Per record: its trade contribution's inputs, or null when it cannot count whatever is stored (not
   * a trade type, or not confirmed). Whether it counts also takes its user's activity and the stored
   * internal-transfer marking, which the write reads.
   */
  trades: (TradeCandidate | null)[];
  /** PostgreSQL array literals of the columns (`encodeLedgerRows`), when built ahead. */
  encoded?: { transactions: string[]; movements: string[] };
}

/** A movement with its decimals in minimal form, as stored in the JSON columns and the movement index. */
function normalizedMovement(m: MovementRecord): MovementRecord {
  return { asset_id: m.asset_id, asset_symbol: m.asset_symbol, quantity: normalize(m.quantity), value: m.value === null ? null : normalize(m.value) };
}

function movementJson(m: MovementRecord, currency: string) {
  return { asset_id: m.asset_id, asset_symbol: m.asset_symbol, quantity: m.quantity, value: m.value === null ? null : { amount: m.value, currency } };
}

/**
 * The rows of `accounts`' records (each account listed once: `upsertRows` refuses a batch listing one
 * twice; a fingerprint seen twice in one account's records: the last record wins, as an upsert cannot
 * touch a row twice). `newId` supplies each row's id, used only if the record is not stored yet.
 * Throws on a record whose movements do not fit its type.
 */
export function ledgerRows(
  accounts: readonly { scope: AccountScope; records: readonly TransactionRecord[] }[],
  nowIso: string,
  newId: (r: TransactionRecord) => string,
): LedgerRows {
  const out: LedgerRows = { scopes: accounts.map((a) => a.scope), rows: [], movements: [], movementStart: [], trades: [] };
  for (const { scope, records } of accounts) {
    for (const r of new Map(records.map((x) => [x.fingerprint, x])).values()) {
      checkShape(r.type, r.inputs.length, r.outputs.length);
      const inputs = r.inputs.map(normalizedMovement);
      const outputs = r.outputs.map(normalizedMovement);
      const fees = r.fees.map(normalizedMovement);
      const pricedFees = fees.filter((f) => f.value !== null).map((f) => f.value as string);
      const internal = r.is_internal_transfer ? 1 : 0;
      out.rows.push([
        newId(r), scope.enterpriseId, scope.userId, scope.accountId, scope.providerId, r.timestamp, r.type, r.status, TYPE_RULES[r.type].category, internal,
        r.counterparty_account_id ?? null,
        JSON.stringify(inputs.map((m) => movementJson(m, r.value_currency))),
        JSON.stringify(outputs.map((m) => movementJson(m, r.value_currency))),
        JSON.stringify(fees.map((m) => movementJson(m, r.value_currency))),
        pricedFees.length ? decSum(pricedFees) : null,
        r.value_currency, r.network ?? null, r.tx_hash ?? null, r.from_address ?? null, r.to_address ?? null, r.provider_transaction_id, r.description ?? null,
        r.fingerprint, r.raw === undefined ? null : JSON.stringify(r.raw), r.connector_version ?? null, r.price_source ?? null, r.priced_at ?? null,
        null, nowIso, nowIso,
      ]);
      out.movementStart.push(out.movements.length);
      // a confirmed trade type: it counts in the trade aggregates unless an internal transfer (or its user is inactive)
      const candidate = TRADE_SET.has(r.type) && r.status === 'confirmed';
      const isTrade = candidate && !r.is_internal_transfer ? 1 : 0;
      const push = (side: string, m: MovementRecord) =>
        out.movements.push([scope.accountId, r.fingerprint, scope.enterpriseId, scope.userId, m.asset_id, m.asset_symbol.toLowerCase(), side, m.quantity, m.value, r.timestamp, isTrade]);
      for (const m of inputs) push('in', m);
      for (const m of outputs) push('out', m);
      for (const m of fees) push('fee', m);
      out.trades.push(
        candidate
          ? { user_id: scope.userId, timestamp: r.timestamp, type: r.type, status: r.status, is_internal_transfer: internal, moves: [...inputs, ...outputs].map((m) => ({ asset_id: m.asset_id, value: m.value })) }
          : null,
      );
    }
  }
  out.movementStart.push(out.movements.length);
  return out;
}

/**
 * Adds to `rows` the PostgreSQL array literals of its columns (`encoded`): the text of each bound
 * array parameter of the insert, built where the rows were (a worker thread) instead of by the
 * driver in the writing thread. Returns `rows`.
 */
export function encodeLedgerRows(rows: LedgerRows): LedgerRows {
  rows.encoded = {
    transactions: TRANSACTION_COLUMNS.map((_, c) => pgArrayLiteral(rows.rows, c)),
    movements: Array.from({ length: 2 + MOVEMENT_COLUMNS.length }, (_, c) => pgArrayLiteral(rows.movements, c)),
  };
  return rows;
}

/**
 * A one-dimensional PostgreSQL array literal of column `c` of `rows`: NULL for null, numbers as
 * written, strings double-quoted with `\` and `"` escaped (as node-postgres writes a JavaScript array).
 */
export function pgArrayLiteral(rows: readonly (readonly unknown[])[], c: number): string {
  const parts: string[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const v = rows[i]![c];
    if (v === null || v === undefined) parts[i] = 'NULL';
    else if (typeof v === 'number') parts[i] = String(v);
    else if (typeof v === 'string') parts[i] = quoted(v);
    else throw new Error(`pgArrayLiteral: a ${typeof v} value`);
  }
  return `{${parts.join(',')}}`;
}

/** `"v"` with `\` and `"` escaped by a backslash (the JSON columns hold many quotes: plain replaces, no regex group). */
function quoted(v: string): string {
  let e = v;
  if (e.includes('\\')) e = e.replaceAll('\\', '\\\\');
  if (e.includes('"')) e = e.replaceAll('"', '\\"');
  return `"${e}"`;
}
