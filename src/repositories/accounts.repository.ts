/** Accounts (a user's connection to one provider). Reads are scoped by enterprise. */
import type { Selectable } from 'kysely';
import type { AccountsTable } from '../db/schema.js';
import { chunks, type DbContext, type Executor } from './db-context.js';
import { StatsCounters } from './stats-counters.js';
import { TradeStats } from './trade-stats.js';

export type AccountRow = Selectable<AccountsTable>;

export interface NewAccount {
  id: string;
  enterprise_id: string;
  user_id: string;
  provider_id: string;
  display_label?: string | null;
  connection_type: string;
  addresses?: string[];
  status: string;
  status_cause?: string | null;
  /** Already sealed by the crypto envelope. */
  credentials_enc?: string | null;
  created_at: string;
  last_synced_at?: string | null;
  next_sync_at?: string | null;
}

/** Account list filters, combined with AND; each list matches any of its values. */
export interface AccountFilters {
  userIds?: string[];
  accountIds?: string[];
  providerIds?: string[];
  statuses?: string[];
}

/**
 * Inserts account rows and nothing else: callers keep the stats counters (`AccountsRepository.create`,
 * `UsersRepository.create`).
 */
export async function insertAccounts(ex: Executor, accounts: readonly NewAccount[]): Promise<void> {
  for (const part of chunks(accounts)) {
    await ex
      .insertInto('accounts')
      .values(
        part.map((a) => ({
          id: a.id,
          enterprise_id: a.enterprise_id,
          user_id: a.user_id,
          provider_id: a.provider_id,
          display_label: a.display_label ?? null,
          connection_type: a.connection_type,
          addresses: JSON.stringify(a.addresses ?? []),
          status: a.status,
          status_cause: a.status_cause ?? null,
          credentials_enc: a.credentials_enc ?? null,
          created_at: a.created_at,
          last_synced_at: a.last_synced_at ?? null,
          next_sync_at: a.next_sync_at ?? null,
          sync_cursor: null,
          reconciliation: null,
        })),
      )
      .execute();
  }
}

export class AccountsRepository {
  private readonly counters: StatsCounters;
  private readonly trades: TradeStats;

  constructor(private readonly ctx: DbContext) {
    this.counters = new StatsCounters(ctx);
    this.trades = new TradeStats(ctx);
  }

  /**
   * Adds accounts to existing users of one enterprise, with the stats counters, in one transaction
   * (`ex`'s, or a new one). New users with their first accounts: `UsersRepository.create`.
   */
  async create(accounts: readonly NewAccount[], ex: Executor = this.ctx.db): Promise<void> {
    const first = accounts[0];
    if (!first) return;
    const enterpriseId = first.enterprise_id;
    if (accounts.some((a) => a.enterprise_id !== enterpriseId)) throw new Error('AccountsRepository.create: accounts of one enterprise at a time');
    await this.counters.inTransaction(ex, (trx) =>
      this.counters.track(
        trx,
        enterpriseId,
        accounts.map((a) => a.user_id),
        () => insertAccounts(trx, accounts),
      ),
    );
  }

  /**
   * The enterprise's accounts matching the filters, in pagination-id order after `afterSeq`, at
   * most `limit` (SPEC §5.7). Accounts of erased users are deleted with them, so never appear.
   * Served by `accounts_enterprise_seq`, `accounts_enterprise_provider` or `accounts_user`.
   */
  async list(enterpriseId: string, f: AccountFilters, afterSeq: number | undefined, limit: number): Promise<AccountRow[]> {
    let q = this.ctx.db.selectFrom('accounts').selectAll().where('enterprise_id', '=', enterpriseId);
    if (afterSeq !== undefined) q = q.where('seq', '>', afterSeq);
    if (f.userIds) q = q.where('user_id', 'in', f.userIds);
    if (f.accountIds) q = q.where('id', 'in', f.accountIds);
    if (f.providerIds) q = q.where('provider_id', 'in', f.providerIds);
    if (f.statuses) q = q.where('status', 'in', f.statuses);
    return q.orderBy('seq', 'asc').limit(limit).execute();
  }

  /** Every account of one user matching the filters, in pagination-id order (a user has few). */
  async listForUser(enterpriseId: string, userId: string, f: Omit<AccountFilters, 'userIds'> = {}): Promise<AccountRow[]> {
    return this.list(enterpriseId, { ...f, userIds: [userId] }, undefined, 10_000);
  }

  async getById(enterpriseId: string, accountId: string): Promise<AccountRow | undefined> {
    return this.ctx.db.selectFrom('accounts').selectAll().where('enterprise_id', '=', enterpriseId).where('id', '=', accountId).executeTakeFirst();
  }

  /**
   * Removes accounts of one user with everything synced from them (movements, transactions,
   * positions, sync jobs, refreshes) and updates the stats counters, in one transaction; the sealed
   * credentials go with the row.
   * Transactions of the user's other accounts that named a removed account as counterparty lose the
   * reference. Returns the ids removed (only the user's own: others' ids are ignored).
   */
  async removeForUser(enterpriseId: string, userId: string, accountIds: readonly string[]): Promise<string[]> {
    if (!accountIds.length) return [];
    return this.ctx.db.transaction().execute((trx) => this.counters.track(trx, enterpriseId, [userId], async () => {
      const owned = await trx
        .selectFrom('accounts')
        .select('id')
        .where('enterprise_id', '=', enterpriseId)
        .where('user_id', '=', userId)
        .where('id', 'in', [...accountIds])
        .orderBy('seq')
        .execute();
      const ids = owned.map((r) => r.id);
      if (!ids.length) return [];
      const trades = await this.trades.removingAccounts(trx, enterpriseId, userId, ids);
      const txSeqs = trx.selectFrom('transactions').select('seq').where('enterprise_id', '=', enterpriseId).where('account_id', 'in', ids);
      await trx.deleteFrom('transaction_movements').where('transaction_seq', 'in', txSeqs).execute();
      await trx.deleteFrom('transactions').where('enterprise_id', '=', enterpriseId).where('account_id', 'in', ids).execute();
      // the other side of a transfer with a removed account is no longer an internal transfer
      await trx
        .updateTable('transactions')
        .set({ counterparty_account_id: null, is_internal_transfer: 0 })
        .where('enterprise_id', '=', enterpriseId)
        .where('user_id', '=', userId)
        .where('counterparty_account_id', 'in', ids)
        .execute();
      await trx.deleteFrom('asset_positions').where('enterprise_id', '=', enterpriseId).where('account_id', 'in', ids).execute();
      await trx.deleteFrom('sync_jobs').where('enterprise_id', '=', enterpriseId).where('account_id', 'in', ids).execute();
      await trx.deleteFrom('platform_refreshes').where('enterprise_id', '=', enterpriseId).where('account_id', 'in', ids).execute();
      await trx.deleteFrom('accounts').where('enterprise_id', '=', enterpriseId).where('id', 'in', ids).execute();
      await this.trades.apply(trx, enterpriseId, trades);
      return ids;
    }));
  }
}
