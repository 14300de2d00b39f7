/**
 * Reads of current asset positions (the write path is the ledger repository). Every read is
 * scoped by enterprise; quantities come back normalized (PostgreSQL pads `numeric`).
 */
import { sql, type SqlBool } from 'kysely';
import { normalize } from '../lib/decimal.js';
import type { DbContext } from './db-context.js';

export interface PositionRow {
  account_id: string;
  provider_id: string;
  asset_id: string;
  asset_symbol: string;
  asset_name: string | null;
  network: string | null;
  /** Normalized decimal string. */
  quantity: string;
  updated_at: string;
}

/** Position filters, combined with AND; each list matches any of its values. */
export interface PositionFilters {
  assetIds?: string[];
  /** Lower-cased symbols, matched case-insensitively. */
  assetSymbolsLower?: string[];
  providerIds?: string[];
  accountIds?: string[];
}

export class PositionsRepository {
  constructor(private readonly ctx: DbContext) {}

  /**
   * A user's positions with a non-zero quantity matching the filters, ordered by account
   * (pagination id) then asset id. Served by `asset_positions_user`.
   */
  async forUser(enterpriseId: string, userId: string, f: PositionFilters = {}): Promise<PositionRow[]> {
    let q = this.ctx.db
      .selectFrom('asset_positions as p')
      .innerJoin('accounts as a', 'a.id', 'p.account_id')
      .select(['p.account_id', 'p.provider_id', 'p.asset_id', 'p.asset_symbol', 'p.asset_name', 'p.network', 'p.quantity', 'p.updated_at'])
      .where(this.tenant('p.enterprise_id', enterpriseId))
      .where('p.user_id', '=', userId)
      .where(this.nonZero());
    if (f.assetIds) q = q.where('p.asset_id', 'in', f.assetIds);
    const symbols = f.assetSymbolsLower;
    if (symbols) q = q.where(sql<SqlBool>`lower(p.asset_symbol) in (${sql.join(symbols)})`);
    if (f.providerIds) q = q.where('p.provider_id', 'in', f.providerIds);
    if (f.accountIds) q = q.where('p.account_id', 'in', f.accountIds);
    const rows = await q.orderBy('a.seq', 'asc').orderBy('p.asset_id', 'asc').execute();
    return rows.map((r) => ({ ...r, quantity: normalize(r.quantity) }));
  }

  /** Every position (zero quantities included: they value to zero) of the given accounts. */
  async forAccounts(enterpriseId: string, accountIds: readonly string[]): Promise<{ account_id: string; asset_id: string; quantity: string }[]> {
    if (!accountIds.length) return [];
    const rows = await this.ctx.db
      .selectFrom('asset_positions')
      .select(['account_id', 'asset_id', 'quantity'])
      .where(this.tenant('enterprise_id', enterpriseId))
      .where('account_id', 'in', [...accountIds])
      .execute();
    return rows.map((r) => ({ ...r, quantity: normalize(r.quantity) }));
  }

  /** Distinct assets in the enterprise's positions (the set to price once for value filters). */
  async assetIdsOf(enterpriseId: string): Promise<string[]> {
    const rows = await this.ctx.db.selectFrom('asset_positions').select('asset_id').distinct().where('enterprise_id', '=', enterpriseId).execute();
    return rows.map((r) => r.asset_id);
  }

  /**
   * The tenant check. On SQLite (no planner statistics) a plain `enterprise_id = ?` can win the
   * index choice over the far more selective user or account index and scan the whole tenant;
   * the unary `+` keeps the check but takes it out of index selection.
   */
  private tenant(column: string, enterpriseId: string) {
    return this.ctx.dialect === 'postgres' ? sql<SqlBool>`${sql.ref(column)} = ${enterpriseId}` : sql<SqlBool>`+${sql.ref(column)} = ${enterpriseId}`;
  }

  private nonZero() {
    return this.ctx.dialect === 'postgres' ? sql<SqlBool>`p.quantity <> 0` : sql<SqlBool>`dec_cmp(p.quantity, '0') <> 0`;
  }

  /**
   * Holdings reconstructed from history (SPEC §5.4 `as_of`): per account and asset, the net of the
   * movements (outputs − inputs − fees) of the user's confirmed, listed transactions before
   * `beforeIso`. Sums come back per side, exact; the caller nets them.
   */
  async historyBefore(enterpriseId: string, userId: string, beforeIso: string, f: PositionFilters = {}): Promise<{ account_id: string; provider_id: string; asset_id: string; asset_symbol_lower: string; side: string; quantity: string }[]> {
    let q = this.ctx.db
      .selectFrom('transaction_movements as m')
      .innerJoin('transactions as t', 't.seq', 'm.transaction_seq')
      .select(['t.account_id', 't.provider_id', 'm.asset_id', 'm.side'])
      .select((eb) => [eb.fn.max('m.asset_symbol_lower').as('asset_symbol_lower'), this.ctx.dec.sum(sql.ref('m.quantity')).as('quantity')])
      .where('t.enterprise_id', '=', enterpriseId)
      .where('t.user_id', '=', userId)
      .where('t.status', '=', 'confirmed')
      .where('t.removed_at', 'is', null)
      .where('t.timestamp', '<', beforeIso);
    if (f.assetIds) q = q.where('m.asset_id', 'in', f.assetIds);
    if (f.assetSymbolsLower) q = q.where('m.asset_symbol_lower', 'in', f.assetSymbolsLower);
    if (f.providerIds) q = q.where('t.provider_id', 'in', f.providerIds);
    if (f.accountIds) q = q.where('t.account_id', 'in', f.accountIds);
    const rows = await q.groupBy(['t.account_id', 't.provider_id', 'm.asset_id', 'm.side']).execute();
    return rows.map((r) => ({ ...r, asset_symbol_lower: String(r.asset_symbol_lower), quantity: normalize(r.quantity ?? '0') }));
  }
}
