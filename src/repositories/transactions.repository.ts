/**
 * Reads of transactions (the write path is the ledger repository): keyset pages newest first —
 * `timestamp` then pagination id, both descending — so page N costs what page 1 costs. Records a
 * source no longer reports (`removed_at` set) are never listed. Every read is scoped by enterprise.
 */
import { sql, type Selectable, type SqlBool } from 'kysely';
import type { TransactionsTable } from '../db/schema.js';
import type { DbContext } from './db-context.js';
import { KnownVersions } from './known-versions.js';

/**
 * The columns a transaction list reads: what the wire Transaction needs and the pagination id —
 * not the stored raw payload, the fingerprint or the bookkeeping times (each column read costs,
 * on a page of 100).
 */
export const TRANSACTION_LIST_COLUMNS = [
  'seq', 'id', 'user_id', 'account_id', 'provider_id', 'timestamp', 'type', 'status', 'category', 'is_internal_transfer', 'counterparty_account_id',
  'inputs', 'outputs', 'fee_items', 'fee_total', 'value_currency', 'network', 'tx_hash', 'from_address', 'to_address', 'provider_transaction_id', 'description',
] as const;
export type TransactionRow = Pick<Selectable<TransactionsTable>, (typeof TRANSACTION_LIST_COLUMNS)[number]>;
const TRANSACTION_LIST_SELECTION = TRANSACTION_LIST_COLUMNS.map((c) => `t.${c}` as const);

/** Transaction filters, combined with AND; each list matches any of its values. */
export interface TransactionFilters {
  userIds?: string[];
  accountIds?: string[];
  providerIds?: string[];
  types?: string[];
  /** Any movement (input, output or fee) of one of these assets. */
  assetIds?: string[];
  /** As `assetIds`, by lower-cased symbol. */
  assetSymbolsLower?: string[];
  /** Inclusive lower bound, normalized ISO. */
  start?: string;
  /** Exclusive upper bound, normalized ISO. */
  end?: string;
}

/** The position of the last row of a page: the next page starts strictly after it. */
export interface TransactionKey {
  timestamp: string;
  seq: number;
}

export class TransactionsRepository {
  /** The enterprises' transactions versions, known between writes (see `version`). */
  private readonly versions: KnownVersions;

  constructor(private readonly ctx: DbContext) {
    this.versions = new KnownVersions(ctx, 'transactions_versions');
  }

  /**
   * The enterprise's transactions version (migration 0080): changes with every committed write of
   * its transaction rows; "0" if none since. Read again only after a write (known-versions.ts).
   */
  async version(enterpriseId: string): Promise<string> {
    return this.versions.of(enterpriseId);
  }

  /**
   * Up to `limit` transactions after `after`, newest first. With one user the range scan runs on
   * `transactions_user_time`, otherwise on `transactions_enterprise_time`; asset filters probe
   * `movements_transaction` per candidate row.
   */
  async list(enterpriseId: string, f: TransactionFilters, after: TransactionKey | undefined, limit: number): Promise<TransactionRow[]> {
    const oneUser = f.userIds?.length === 1;
    // On SQLite (no planner statistics) `enterprise_id = ?` could steer a one-user read onto the
    // tenant-wide index; the unary `+` keeps the check out of index selection.
    const tenant = oneUser && this.ctx.dialect === 'sqlite' ? sql<SqlBool>`+t.enterprise_id = ${enterpriseId}` : sql<SqlBool>`t.enterprise_id = ${enterpriseId}`;
    let q = this.ctx.db.selectFrom('transactions as t').select(TRANSACTION_LIST_SELECTION).where(tenant).where('t.removed_at', 'is', null);
    if (f.userIds) q = oneUser ? q.where('t.user_id', '=', f.userIds[0]!) : q.where('t.user_id', 'in', f.userIds);
    if (f.accountIds) q = q.where('t.account_id', 'in', f.accountIds);
    if (f.providerIds) q = q.where('t.provider_id', 'in', f.providerIds);
    if (f.types) q = q.where('t.type', 'in', f.types);
    if (f.start !== undefined) q = q.where('t.timestamp', '>=', f.start);
    if (f.end !== undefined) q = q.where('t.timestamp', '<', f.end);
    const assetIds = f.assetIds;
    if (assetIds) {
      q = q.where(sql<SqlBool>`exists (select 1 from transaction_movements m where m.transaction_seq = t.seq and m.asset_id in (${sql.join(assetIds)}))`);
    }
    const symbols = f.assetSymbolsLower;
    if (symbols) {
      q = q.where(sql<SqlBool>`exists (select 1 from transaction_movements m where m.transaction_seq = t.seq and m.asset_symbol_lower in (${sql.join(symbols)}))`);
    }
    if (after) q = q.where(sql<SqlBool>`(t.timestamp, t.seq) < (${after.timestamp}, ${after.seq})`);
    return q.orderBy('t.timestamp', 'desc').orderBy('t.seq', 'desc').limit(limit).execute();
  }
}
