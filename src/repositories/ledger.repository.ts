/**
 * The write path for account data: positions and transactions with their movement index rows.
 * This is the storage code the sandbox generator and the sync engine both write through; callers
 * run it inside one database transaction per account batch.
 */
import { sql, type Insertable, type SqlBool } from 'kysely';
import type { TransactionsTable, TransactionMovementsTable } from '../db/schema.js';
import type { AccountScope, PositionRecord, TransactionRecord } from '../domain/records.js';
import { normalize } from '../lib/decimal.js';
import { chunks, type DbContext, type Executor } from './db-context.js';
import { bulkInsert, bulkInsertWithChildren, valuesOf } from './bulk-insert.js';
import { StatsCounters } from './stats-counters.js';
import { PendingTrades, TradeDeltas, TradeStats, sourceOfRow } from './trade-stats.js';
import { COLUMN_INDEX, MOVEMENT_COLUMNS, TRANSACTION_COLUMNS, ledgerRows, type LedgerRows } from './ledger-rows.js';

export interface UpsertResult {
  added: number;
  updated: number;
}

type TransactionRow = Insertable<TransactionsTable>;
// the pure row builder (ledger-rows.ts) knows no schema: its column lists are checked against it here
TRANSACTION_COLUMNS satisfies readonly (keyof TransactionRow)[];
MOVEMENT_COLUMNS satisfies readonly (keyof Insertable<TransactionMovementsTable>)[];

/**
 * Columns an upsert of a known fingerprint overwrites. Identity, scope and `created_at` stay; so
 * does the internal-transfer marking, which the sync engine derives across accounts after writing.
 */
const UPDATED_COLUMNS = TRANSACTION_COLUMNS.filter(
  (c) => !['id', 'enterprise_id', 'user_id', 'account_id', 'provider_id', 'fingerprint', 'created_at', 'removed_at', 'is_internal_transfer', 'counterparty_account_id'].includes(c),
);
/**
 * What a source can change about a record. A stored record equal on all of them (and not removed)
 * is left untouched: a replay or re-import writes nothing and reports nothing as updated.
 */
const COMPARED_COLUMNS = [
  'timestamp', 'type', 'status', 'inputs', 'outputs', 'fee_items', 'fee_total', 'value_currency', 'network', 'tx_hash', 'from_address',
  'to_address', 'provider_transaction_id', 'description', 'removed_at',
] as const satisfies readonly (keyof TransactionRow)[];

/** Whether a stored row holds the same content as `row` (values in `TRANSACTION_COLUMNS` order). */
function sameContent(stored: Record<string, unknown>, row: readonly unknown[]): boolean {
  return COMPARED_COLUMNS.every((c) => {
    const a = stored[c] ?? null;
    const b = row[COLUMN_INDEX[c]] ?? null;
    if (c === 'fee_total') return a === null || b === null ? a === b : normalize(String(a)) === normalize(String(b));
    return a === b;
  });
}
const UPSERT_CLAUSE =
  `on conflict ("account_id", "fingerprint") do update set ${UPDATED_COLUMNS.map((c) => `"${c}" = excluded."${c}"`).join(', ')}, "removed_at" = null ` +
  `returning "seq", "account_id", "fingerprint"`;
/**
 * Records per lookup and insert: a bulk load's whole batch in one statement on PostgreSQL (one
 * array per column), and on SQLite in statements of 1,000 rows at most (bulkInsert: 1,000 rows ×
 * 30 columns stays within its 32,766 parameters).
 */
const TRANSACTION_CHUNK = 5_000;

const POSITION_COLUMNS = [
  'enterprise_id', 'user_id', 'account_id', 'provider_id', 'asset_id', 'asset_symbol', 'asset_name', 'network', 'quantity', 'updated_at', 'raw', 'connector_version',
] as const;

const ACCOUNT = COLUMN_INDEX.account_id;
const FINGERPRINT = COLUMN_INDEX.fingerprint;
const keyOf = (accountId: unknown, fingerprint: unknown) => `${String(accountId)}\u0000${String(fingerprint)}`;

export class LedgerRepository {
  private readonly counters: StatsCounters;
  private readonly trades: TradeStats;

  constructor(private readonly ctx: DbContext) {
    this.counters = new StatsCounters(ctx);
    this.trades = new TradeStats(ctx);
  }

  /**
   * Inserts or updates transactions by (account, fingerprint) and rewrites their movement rows.
   * Records whose stored content is the same are skipped (neither written nor counted).
   * `newIds` supplies the transaction id for records not stored yet. The trade aggregates of
   * /stats/top-traded-assets follow in `ex`'s transaction when the user is active (its row is
   * read first, locked on PostgreSQL: callers lock no other user before).
   */
  async upsertTransactions(
    ex: Executor,
    scope: AccountScope,
    records: readonly TransactionRecord[],
    nowIso: string,
    newId: (r: TransactionRecord) => string,
  ): Promise<UpsertResult> {
    return this.upsertTransactionsOf(ex, [{ scope, records }], nowIso, newId);
  }

  /**
   * As `upsertTransactions`, for the records of several accounts in one go (a bulk load's batch,
   * each account listed once): the users are read (locked on PostgreSQL, in id order) in one
   * query, stored records looked up, rows and movement rows inserted and trade aggregates changed
   * with a few statements per thousand records instead of several per account. Returns the totals.
   * With `pending`, the trade aggregates' deltas are added to it instead of applied: the caller
   * applies them later with `applyPendingTrades` (a bulk load nobody reads before it ends).
   */
  async upsertTransactionsOf(
    ex: Executor,
    accounts: readonly { scope: AccountScope; records: readonly TransactionRecord[] }[],
    nowIso: string,
    newId: (r: TransactionRecord) => string,
    pending?: PendingTrades,
  ): Promise<UpsertResult> {
    return this.upsertRows(ex, ledgerRows(accounts, nowIso, newId), pending);
  }

  /**
   * As `upsertTransactionsOf`, for records already turned into rows by `ledgerRows` (a bulk load
   * builds them in a worker thread). Rows encoded ahead for PostgreSQL (`encodeLedgerRows`) are
   * bound as they are when the whole batch is inserted in one statement, which is so when none of
   * its accounts has a stored transaction and it is at most a chunk; otherwise from `rows`.
   */
  async upsertRows(ex: Executor, batch: LedgerRows, pending?: PendingTrades): Promise<UpsertResult> {
    let added = 0;
    let updated = 0;
    if (new Set(batch.scopes.map((s) => s.accountId)).size !== batch.scopes.length) throw new Error('upsertTransactionsOf: an account is listed twice');
    if (!batch.rows.length) return { added, updated };
    // the users (locked on PostgreSQL) and which accounts already have stored transactions, in one read
    const { active, withStored } = await this.lockedUsersAndStored(ex, batch.scopes);
    const deltas = pending?.byEnterprise ?? new Map<string, TradeDeltas>();
    const tradesOf = (enterpriseId: string, userId: string): TradeDeltas | null => {
      if (!active.has(`${enterpriseId}\u0000${userId}`)) return null;
      let d = deltas.get(enterpriseId);
      if (!d) deltas.set(enterpriseId, (d = new TradeDeltas()));
      return d;
    };
    const whole = batch.encoded !== undefined && this.ctx.dialect === 'postgres' && batch.rows.length <= TRANSACTION_CHUNK && withStored.size === 0;
    for (let from = 0; from < batch.rows.length; from += TRANSACTION_CHUNK) {
      const to = Math.min(batch.rows.length, from + TRANSACTION_CHUNK);
      const lookedUp: (readonly [string, string])[] = [];
      for (let i = from; i < to; i++) {
        const row = batch.rows[i]!;
        if (withStored.has(row[ACCOUNT] as string)) lookedUp.push([row[ACCOUNT] as string, row[FINGERPRINT] as string]);
      }
      const existing = lookedUp.length
        ? await ex
            .selectFrom('transactions')
            .select(['seq', 'account_id', 'fingerprint', 'is_internal_transfer', ...COMPARED_COLUMNS])
            .where(this.storedPairs(lookedUp))
            .execute()
        : [];
      const stored = new Map(existing.map((e) => [keyOf(e.account_id, e.fingerprint), e]));
      // records stored with the same content are left alone
      const written: number[] = [];
      for (let i = from; i < to; i++) {
        const row = batch.rows[i]!;
        const s = stored.get(keyOf(row[ACCOUNT], row[FINGERPRINT]));
        if (s === undefined || !sameContent(s, row)) written.push(i);
      }
      if (!written.length) continue;
      const writtenKeys = new Set(written.map((i) => keyOf(batch.rows[i]![ACCOUNT], batch.rows[i]![FINGERPRINT])));
      const updatedSeqs = existing.filter((e) => writtenKeys.has(keyOf(e.account_id, e.fingerprint))).map((e) => Number(e.seq));
      // the movement rows of updated records are rewritten: the old ones go first
      for (const part of chunks(updatedSeqs, 500)) await ex.deleteFrom('transaction_movements').where('transaction_seq', 'in', part).execute();
      // each movement row names its record by (account, fingerprint): its seq is generated by the insert
      const movements: unknown[][] = [];
      for (const i of written) for (let m = batch.movementStart[i]!; m < batch.movementStart[i + 1]!; m++) movements.push(batch.movements[m]!);
      const returned = await bulkInsertWithChildren<{ seq: number | string; account_id: string; fingerprint: string }>(
        ex,
        this.ctx.dialect,
        { table: 'transactions', columns: TRANSACTION_COLUMNS, rows: written.map((i) => batch.rows[i]!), suffix: UPSERT_CLAUSE, keys: ['account_id', 'fingerprint'], parentKey: 'seq' },
        { table: 'transaction_movements', link: 'transaction_seq', columns: MOVEMENT_COLUMNS, rows: movements },
        whole ? { parent: batch.encoded!.transactions, child: batch.encoded!.movements } : undefined,
      );
      const seqOf = new Map(returned.map((r) => [keyOf(r.account_id, r.fingerprint), Number(r.seq)]));
      updated += updatedSeqs.length;
      added += returned.length - updatedSeqs.length;
      for (const i of written) {
        const row = batch.rows[i]!;
        const userId = row[COLUMN_INDEX.user_id] as string;
        const trades = tradesOf(row[COLUMN_INDEX.enterprise_id] as string, userId);
        if (!trades) continue;
        const key = keyOf(row[ACCOUNT], row[FINGERPRINT]);
        const seq = seqOf.get(key)!;
        // the stored row's contribution leaves; the new one counts with the kept internal-transfer marking
        const s = stored.get(key);
        if (s) trades.add(sourceOfRow({ ...s, seq, user_id: userId }), -1);
        const t = batch.trades[i];
        if (t) trades.add({ ...t, seq, is_internal_transfer: s ? Number(s.is_internal_transfer) : t.is_internal_transfer, removed_at: null }, 1);
      }
    }
    if (!pending) await this.applyTrades(ex, deltas);
    // SQLite counts inserted rows here (migration 0080: PostgreSQL's statement triggers count them)
    if (added && this.ctx.dialect === 'sqlite') {
      for (const enterpriseId of [...new Set(batch.scopes.map((s) => s.enterpriseId))].sort()) {
        await ex
          .insertInto('transactions_versions')
          .values({ enterprise_id: enterpriseId, version: 1 })
          .onConflict((oc) => oc.column('enterprise_id').doUpdateSet({ version: sql`transactions_versions.version + 1` }))
          .execute();
      }
    }
    return { added, updated };
  }

  /** Applies the trade deltas gathered in `pending` (see `upsertTransactionsOf`) in `ex`'s transaction, and empties it. */
  async applyPendingTrades(ex: Executor, pending: PendingTrades): Promise<void> {
    await this.applyTrades(ex, pending.byEnterprise);
    pending.byEnterprise.clear();
  }

  private async applyTrades(ex: Executor, deltas: ReadonlyMap<string, TradeDeltas>): Promise<void> {
    for (const [enterpriseId, d] of [...deltas].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) await this.trades.apply(ex, enterpriseId, d);
  }

  /** Rows of `transactions` whose (account, fingerprint) is one of `pairs`, through the unique index. */
  private storedPairs(pairs: readonly (readonly [string, string])[]) {
    if (this.ctx.dialect === 'postgres') {
      return sql<SqlBool>`("account_id", "fingerprint") in (select * from unnest(${pairs.map((p) => p[0])}::text[], ${pairs.map((p) => p[1])}::text[]))`;
    }
    return sql<SqlBool>`("account_id", "fingerprint") in (select value ->> 0, value ->> 1 from json_each(${JSON.stringify(pairs)}))`;
  }

  /**
   * Which of the scopes' users count in the trade aggregates (active; keys: enterprise id and user
   * id), reading their rows — locked FOR UPDATE on PostgreSQL, in id order: call it before the
   * transaction's other writes, as the users-first lock order requires — and, in the same query,
   * which of the scopes' accounts have a stored transaction (`withStored`: a first sync or a bulk
   * load needs no lookup of its records).
   */
  private async lockedUsersAndStored(ex: Executor, scopes: readonly AccountScope[]): Promise<{ active: Set<string>; withStored: Set<string> }> {
    const active = new Set<string>();
    const withStored = new Set<string>();
    const accountsOf = new Map<string, string[]>();
    for (const s of scopes) {
      const list = accountsOf.get(s.userId);
      if (list) list.push(s.accountId);
      else accountsOf.set(s.userId, [s.accountId]);
    }
    for (const part of chunks([...accountsOf.keys()].sort(), 500)) {
      const accountIds = part.flatMap((u) => accountsOf.get(u)!);
      let q = ex
        .selectFrom('users as u')
        .leftJoin('accounts as a', (j) =>
          j
            .onRef('a.user_id', '=', 'u.id')
            .on('a.id', 'in', accountIds)
            .on(({ exists, selectFrom }) => exists(selectFrom('transactions as t').select('t.seq').whereRef('t.account_id', '=', 'a.id'))),
        )
        .select(['u.id', 'u.enterprise_id', 'u.deactivated', 'u.erased_at', 'a.id as stored'])
        .where('u.id', 'in', part)
        .orderBy('u.id');
      if (this.ctx.dialect === 'postgres') q = q.modifyEnd(sql`for update of "u"`);
      for (const u of await q.execute()) {
        if (u.erased_at === null && Number(u.deactivated) === 0) active.add(`${u.enterprise_id}\u0000${u.id}`);
        if (u.stored !== null) withStored.add(u.stored);
      }
    }
    return { active, withStored };
  }

  /**
   * Replaces the account's positions with `positions` (assets absent from the list are removed),
   * with the balance counters of /stats/balance, in `ex`'s transaction (or a new one).
   */
  async replacePositions(ex: Executor, scope: AccountScope, positions: readonly PositionRecord[], nowIso: string): Promise<void> {
    await this.replacePositionsOf(ex, [{ scope, positions }], nowIso);
  }

  /**
   * As `replacePositions`, for several accounts in one go (a bulk load's batch): one delete and one
   * multi-row insert per chunk of accounts, and the balance counters' changes applied once.
   */
  async replacePositionsOf(ex: Executor, accounts: readonly { scope: AccountScope; positions: readonly PositionRecord[] }[], nowIso: string): Promise<void> {
    const rows = accounts.flatMap(({ scope, positions }) =>
      positions.map((p) => ({
        enterprise_id: scope.enterpriseId,
        user_id: scope.userId,
        account_id: scope.accountId,
        provider_id: scope.providerId,
        asset_id: p.asset_id,
        asset_symbol: p.asset_symbol,
        asset_name: p.asset_name ?? null,
        network: p.network ?? null,
        quantity: normalize(p.quantity),
        updated_at: nowIso,
        raw: p.raw === undefined ? null : JSON.stringify(p.raw),
        connector_version: p.connector_version ?? null,
      })),
    );
    if (new Set(accounts.map((a) => a.scope.accountId)).size !== accounts.length) throw new Error('replacePositionsOf: an account is listed twice');
    const rowsOf = new Map<string, typeof rows>();
    for (const r of rows) {
      const list = rowsOf.get(r.account_id);
      if (list) list.push(r);
      else rowsOf.set(r.account_id, [r]);
    }
    const replaced = accounts.map(({ scope }) => ({ scope, after: rowsOf.get(scope.accountId) ?? [] }));
    await this.counters.inTransaction(ex, (trx) =>
      this.counters.replacingPositionsOf(trx, replaced, async () => {
        for (const part of chunks(accounts.map((a) => a.scope.accountId), 500)) await trx.deleteFrom('asset_positions').where('account_id', 'in', part).execute();
        for (const part of chunks(rows, 1000)) {
          await bulkInsert(trx, this.ctx.dialect, 'asset_positions', POSITION_COLUMNS, part.map((row) => valuesOf(row, POSITION_COLUMNS)));
        }
      }),
    );
  }
}
