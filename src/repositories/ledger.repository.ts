/**
 * The write path for account data: positions and transactions with their movement index rows.
 * This is the storage code the sandbox generator and the sync engine both write through; callers
 * run it inside one database transaction per account batch.
 */
import { sql, type Insertable, type SqlBool } from 'kysely';
import type { TransactionsTable, TransactionMovementsTable } from '../db/schema.js';
import type { AccountScope, PositionRecord, TransactionRecord, MovementRecord } from '../domain/records.js';
import { TRADE_TYPES, TYPE_RULES, checkShape } from '../domain/transactions.js';
import { sum as decSum, normalize } from '../lib/decimal.js';
import { chunks, type DbContext, type Executor } from './db-context.js';
import { bulkInsert, bulkInsertWithChildren, valuesOf } from './bulk-insert.js';
import { StatsCounters } from './stats-counters.js';
import { PendingTrades, TradeDeltas, TradeStats, sourceOfRow } from './trade-stats.js';

export interface UpsertResult {
  added: number;
  updated: number;
}

const TRADE_SET = new Set<string>(TRADE_TYPES);

type TransactionRow = Insertable<TransactionsTable>;
type MovementRow = Insertable<TransactionMovementsTable>;

const TRANSACTION_COLUMNS = [
  'id', 'enterprise_id', 'user_id', 'account_id', 'provider_id', 'timestamp', 'type', 'status', 'category', 'is_internal_transfer',
  'counterparty_account_id', 'inputs', 'outputs', 'fee_items', 'fee_total', 'value_currency', 'network', 'tx_hash', 'from_address',
  'to_address', 'provider_transaction_id', 'description', 'fingerprint', 'raw', 'connector_version', 'price_source', 'priced_at',
  'removed_at', 'created_at', 'updated_at',
] as const satisfies readonly (keyof TransactionRow)[];
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

function sameContent(stored: Record<string, unknown>, row: TransactionRow): boolean {
  return COMPARED_COLUMNS.every((c) => {
    const a = stored[c] ?? null;
    const b = row[c] ?? null;
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
/** Movement columns after `transaction_seq`, which the insert of their transaction generates. */
const MOVEMENT_COLUMNS = [
  'enterprise_id', 'user_id', 'asset_id', 'asset_symbol_lower', 'side', 'quantity', 'value', 'timestamp', 'is_trade',
] as const satisfies readonly (keyof MovementRow)[];

const POSITION_COLUMNS = [
  'enterprise_id', 'user_id', 'account_id', 'provider_id', 'asset_id', 'asset_symbol', 'asset_name', 'network', 'quantity', 'updated_at', 'raw', 'connector_version',
] as const;

/** A movement with its decimals in minimal form, as stored in the JSON columns and the movement index. */
function normalizedMovement(m: MovementRecord): MovementRecord {
  return { asset_id: m.asset_id, asset_symbol: m.asset_symbol, quantity: normalize(m.quantity), value: m.value === null ? null : normalize(m.value) };
}

function movementJson(m: MovementRecord, currency: string) {
  return {
    asset_id: m.asset_id,
    asset_symbol: m.asset_symbol,
    quantity: m.quantity,
    value: m.value === null ? null : { amount: m.value, currency },
  };
}

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
    let added = 0;
    let updated = 0;
    if (new Set(accounts.map((a) => a.scope.accountId)).size !== accounts.length) throw new Error('upsertTransactionsOf: an account is listed twice');
    // A fingerprint seen twice in one account's records: the last record wins (an upsert cannot touch a row twice).
    const items = accounts.flatMap(({ scope, records }) => [...new Map(records.map((r) => [r.fingerprint, r])).values()].map((r) => ({ scope, r })));
    if (!items.length) return { added, updated };
    // the users (locked on PostgreSQL) and which accounts already have stored transactions, in one read
    const { active, withStored } = await this.lockedUsersAndStored(ex, accounts.map((a) => a.scope));
    const deltas = pending?.byEnterprise ?? new Map<string, TradeDeltas>();
    const tradesOf = (scope: AccountScope): TradeDeltas | null => {
      if (!active.has(`${scope.enterpriseId}\u0000${scope.userId}`)) return null;
      let d = deltas.get(scope.enterpriseId);
      if (!d) deltas.set(scope.enterpriseId, (d = new TradeDeltas()));
      return d;
    };
    const keyOf = (accountId: string, fingerprint: string) => `${accountId}\u0000${fingerprint}`;
    for (const batch of chunks(items, TRANSACTION_CHUNK)) {
      const lookedUp = batch.filter(({ scope }) => withStored.has(scope.accountId));
      const existing = lookedUp.length
        ? await ex
            .selectFrom('transactions')
            .select(['seq', 'account_id', 'fingerprint', 'is_internal_transfer', ...COMPARED_COLUMNS])
            .where(this.storedPairs(lookedUp.map(({ scope, r }) => [scope.accountId, r.fingerprint] as const)))
            .execute()
        : [];
      const normalized = batch.map(({ r }) => ({
        inputs: r.inputs.map(normalizedMovement),
        outputs: r.outputs.map(normalizedMovement),
        fees: r.fees.map(normalizedMovement),
      }));
      const allRows: TransactionRow[] = batch.map(({ scope, r }, i) => {
        checkShape(r.type, r.inputs.length, r.outputs.length);
        const n = normalized[i]!;
        const pricedFees = n.fees.filter((f) => f.value !== null).map((f) => f.value as string);
        return {
          id: newId(r),
          enterprise_id: scope.enterpriseId,
          user_id: scope.userId,
          account_id: scope.accountId,
          provider_id: scope.providerId,
          timestamp: r.timestamp,
          type: r.type,
          status: r.status,
          category: TYPE_RULES[r.type].category,
          is_internal_transfer: r.is_internal_transfer ? 1 : 0,
          counterparty_account_id: r.counterparty_account_id ?? null,
          inputs: JSON.stringify(n.inputs.map((m) => movementJson(m, r.value_currency))),
          outputs: JSON.stringify(n.outputs.map((m) => movementJson(m, r.value_currency))),
          fee_items: JSON.stringify(n.fees.map((m) => movementJson(m, r.value_currency))),
          fee_total: pricedFees.length ? decSum(pricedFees) : null,
          value_currency: r.value_currency,
          network: r.network ?? null,
          tx_hash: r.tx_hash ?? null,
          from_address: r.from_address ?? null,
          to_address: r.to_address ?? null,
          provider_transaction_id: r.provider_transaction_id,
          description: r.description ?? null,
          fingerprint: r.fingerprint,
          raw: r.raw === undefined ? null : JSON.stringify(r.raw),
          connector_version: r.connector_version ?? null,
          price_source: r.price_source ?? null,
          priced_at: r.priced_at ?? null,
          removed_at: null,
          created_at: nowIso,
          updated_at: nowIso,
        };
      });
      const stored = new Map(existing.map((e) => [keyOf(e.account_id, e.fingerprint), e]));
      const unchanged = new Set(
        allRows
          .filter((row) => {
            const s = stored.get(keyOf(row.account_id, row.fingerprint));
            return s !== undefined && sameContent(s, row);
          })
          .map((row) => keyOf(row.account_id, row.fingerprint)),
      );
      const rows = allRows.filter((row) => !unchanged.has(keyOf(row.account_id, row.fingerprint)));
      if (!rows.length) continue;
      const updatedSeqs = existing.filter((e) => !unchanged.has(keyOf(e.account_id, e.fingerprint))).map((e) => Number(e.seq));
      // the movement rows of updated records are rewritten: the old ones go first
      for (const part of chunks(updatedSeqs, 500)) await ex.deleteFrom('transaction_movements').where('transaction_seq', 'in', part).execute();
      // each movement row names its record by (account, fingerprint): its seq is generated by the insert
      const movements: unknown[][] = [];
      for (const [i, { scope, r }] of batch.entries()) {
        if (unchanged.has(keyOf(scope.accountId, r.fingerprint))) continue;
        const n = normalized[i]!;
        const isTrade = TRADE_SET.has(r.type) && r.status === 'confirmed' && !r.is_internal_transfer ? 1 : 0;
        // the record's account and fingerprint, then MOVEMENT_COLUMNS
        const push = (side: string, m: MovementRecord) =>
          movements.push([scope.accountId, r.fingerprint, scope.enterpriseId, scope.userId, m.asset_id, m.asset_symbol.toLowerCase(), side, m.quantity, m.value, r.timestamp, isTrade]);
        for (const m of n.inputs) push('in', m);
        for (const m of n.outputs) push('out', m);
        for (const m of n.fees) push('fee', m);
      }
      const returned = await bulkInsertWithChildren<{ seq: number | string; account_id: string; fingerprint: string }>(
        ex,
        this.ctx.dialect,
        { table: 'transactions', columns: TRANSACTION_COLUMNS, rows: rows.map((row) => valuesOf(row, TRANSACTION_COLUMNS)), suffix: UPSERT_CLAUSE, keys: ['account_id', 'fingerprint'], parentKey: 'seq' },
        { table: 'transaction_movements', link: 'transaction_seq', columns: MOVEMENT_COLUMNS, rows: movements },
      );
      const seqOf = new Map(returned.map((r) => [keyOf(r.account_id, r.fingerprint), Number(r.seq)]));
      updated += updatedSeqs.length;
      added += returned.length - updatedSeqs.length;
      for (const [i, { scope, r }] of batch.entries()) {
        const trades = tradesOf(scope);
        if (!trades) continue;
        const key = keyOf(scope.accountId, r.fingerprint);
        if (unchanged.has(key)) continue;
        const n = normalized[i]!;
        const seq = seqOf.get(key)!;
        // the stored row's contribution leaves; the new one counts with the kept internal-transfer marking
        const s = stored.get(key);
        if (s) trades.add(sourceOfRow({ ...s, seq, user_id: scope.userId }), -1);
        trades.add({ seq, user_id: scope.userId, timestamp: r.timestamp, type: r.type, status: r.status, is_internal_transfer: s ? Number(s.is_internal_transfer) : r.is_internal_transfer ? 1 : 0, removed_at: null, moves: [...n.inputs, ...n.outputs] }, 1);
      }
    }
    if (!pending) await this.applyTrades(ex, deltas);
    // SQLite counts inserted rows here (migration 0080: PostgreSQL's statement triggers count them)
    if (added && this.ctx.dialect === 'sqlite') {
      for (const enterpriseId of [...new Set(accounts.map((a) => a.scope.enterpriseId))].sort()) {
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
