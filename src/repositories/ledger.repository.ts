/**
 * The write path for account data: positions and transactions with their movement index rows.
 * This is the storage code the sandbox generator and the sync engine both write through; callers
 * run it inside one database transaction per account batch.
 */
import type { Insertable } from 'kysely';
import type { TransactionsTable, TransactionMovementsTable } from '../db/schema.js';
import type { AccountScope, PositionRecord, TransactionRecord, MovementRecord } from '../domain/records.js';
import { TRADE_TYPES, TYPE_RULES, checkShape } from '../domain/transactions.js';
import { sum as decSum, normalize } from '../lib/decimal.js';
import { chunks, type DbContext, type Executor } from './db-context.js';

export interface UpsertResult {
  added: number;
  updated: number;
}

const TRADE_SET = new Set<string>(TRADE_TYPES);

function movementJson(m: MovementRecord, currency: string) {
  return {
    asset_id: m.asset_id,
    asset_symbol: m.asset_symbol,
    quantity: normalize(m.quantity),
    value: m.value === null ? null : { amount: normalize(m.value), currency },
  };
}

export class LedgerRepository {
  constructor(private readonly ctx: DbContext) {}

  /**
   * Inserts or updates transactions by (account, fingerprint) and rewrites their movement rows.
   * `newIds` supplies the transaction id for records not stored yet.
   */
  async upsertTransactions(
    ex: Executor,
    scope: AccountScope,
    records: readonly TransactionRecord[],
    nowIso: string,
    newId: (r: TransactionRecord) => string,
  ): Promise<UpsertResult> {
    let added = 0;
    let updated = 0;
    // A fingerprint seen twice in one call: the last record wins (an upsert cannot touch a row twice).
    const unique = [...new Map(records.map((r) => [r.fingerprint, r])).values()];
    for (const batch of chunks(unique)) {
      const existing = await ex
        .selectFrom('transactions')
        .select('seq')
        .where('account_id', '=', scope.accountId)
        .where(
          'fingerprint',
          'in',
          batch.map((r) => r.fingerprint),
        )
        .execute();
      const rows: Insertable<TransactionsTable>[] = batch.map((r) => {
        checkShape(r.type, r.inputs.length, r.outputs.length);
        const pricedFees = r.fees.filter((f) => f.value !== null).map((f) => f.value as string);
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
          inputs: JSON.stringify(r.inputs.map((m) => movementJson(m, r.value_currency))),
          outputs: JSON.stringify(r.outputs.map((m) => movementJson(m, r.value_currency))),
          fee_items: JSON.stringify(r.fees.map((m) => movementJson(m, r.value_currency))),
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
      const returned = await ex
        .insertInto('transactions')
        .values(rows)
        .onConflict((oc) =>
          oc.columns(['account_id', 'fingerprint']).doUpdateSet((eb) => ({
            timestamp: eb.ref('excluded.timestamp'),
            type: eb.ref('excluded.type'),
            status: eb.ref('excluded.status'),
            category: eb.ref('excluded.category'),
            is_internal_transfer: eb.ref('excluded.is_internal_transfer'),
            counterparty_account_id: eb.ref('excluded.counterparty_account_id'),
            inputs: eb.ref('excluded.inputs'),
            outputs: eb.ref('excluded.outputs'),
            fee_items: eb.ref('excluded.fee_items'),
            fee_total: eb.ref('excluded.fee_total'),
            value_currency: eb.ref('excluded.value_currency'),
            network: eb.ref('excluded.network'),
            tx_hash: eb.ref('excluded.tx_hash'),
            from_address: eb.ref('excluded.from_address'),
            to_address: eb.ref('excluded.to_address'),
            provider_transaction_id: eb.ref('excluded.provider_transaction_id'),
            description: eb.ref('excluded.description'),
            raw: eb.ref('excluded.raw'),
            connector_version: eb.ref('excluded.connector_version'),
            price_source: eb.ref('excluded.price_source'),
            priced_at: eb.ref('excluded.priced_at'),
            removed_at: null,
            updated_at: eb.ref('excluded.updated_at'),
          })),
        )
        .returning(['seq', 'fingerprint'])
        .execute();
      const seqByFingerprint = new Map(returned.map((r) => [r.fingerprint, r]));
      const updatedSeqs = existing.map((r) => Number(r.seq));
      updated += updatedSeqs.length;
      added += returned.length - updatedSeqs.length;
      if (updatedSeqs.length) {
        for (const part of chunks(updatedSeqs, 500)) {
          await ex.deleteFrom('transaction_movements').where('transaction_seq', 'in', part).execute();
        }
      }
      const movements: Insertable<TransactionMovementsTable>[] = [];
      for (const r of batch) {
        const seq = Number(seqByFingerprint.get(r.fingerprint)!.seq);
        const isTrade = TRADE_SET.has(r.type) && r.status === 'confirmed' && !r.is_internal_transfer ? 1 : 0;
        const push = (side: string, m: MovementRecord) =>
          movements.push({
            transaction_seq: seq,
            enterprise_id: scope.enterpriseId,
            user_id: scope.userId,
            asset_id: m.asset_id,
            asset_symbol_lower: m.asset_symbol.toLowerCase(),
            side,
            quantity: normalize(m.quantity),
            value: m.value === null ? null : normalize(m.value),
            timestamp: r.timestamp,
            is_trade: isTrade,
          });
        for (const m of r.inputs) push('in', m);
        for (const m of r.outputs) push('out', m);
        for (const m of r.fees) push('fee', m);
      }
      for (const part of chunks(movements, 1000)) {
        await ex.insertInto('transaction_movements').values(part).execute();
      }
    }
    return { added, updated };
  }

  /** Replaces the account's positions with `positions` (assets absent from the list are removed). */
  async replacePositions(ex: Executor, scope: AccountScope, positions: readonly PositionRecord[], nowIso: string): Promise<void> {
    await ex.deleteFrom('asset_positions').where('account_id', '=', scope.accountId).execute();
    for (const batch of chunks(positions)) {
      await ex
        .insertInto('asset_positions')
        .values(
          batch.map((p) => ({
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
        )
        .execute();
    }
  }
}
