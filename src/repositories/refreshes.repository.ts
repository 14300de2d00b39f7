/**
 * On-demand refreshes of the Platform API (SPEC §6): one row per account of a refresh, pointing
 * at the sync job that serves it. The newest row of an account enforces the one-minute spacing.
 */
import type { Selectable } from 'kysely';
import type { PlatformRefreshesTable } from '../db/schema.js';
import type { DbContext } from './db-context.js';

export type RefreshRow = Selectable<PlatformRefreshesTable>;

export interface RefreshAccountStatus {
  account_id: string;
  provider_id: string;
  /** The sync job's state; null when the job is gone (the account was removed). */
  state: string | null;
  last_error_cause: string | null;
}

export class RefreshesRepository {
  constructor(private readonly ctx: DbContext) {}

  /**
   * Records a refresh of the rows' accounts unless one of them was refreshed at or after `since`;
   * returns the newest such time instead. Check and insert share one transaction with the accounts
   * locked (SQLite: an IMMEDIATE transaction; PostgreSQL: their rows), so two concurrent refreshes
   * of an account cannot both pass.
   */
  async reserve(rows: readonly RefreshRow[], since: string): Promise<{ reserved: true } | { reserved: false; last: string }> {
    if (!rows.length) return { reserved: true };
    const ids = rows.map((r) => r.account_id);
    return this.ctx.db.transaction().execute(async (trx) => {
      if (this.ctx.dialect === 'postgres') await trx.selectFrom('accounts').select('id').where('id', 'in', ids).forUpdate().execute();
      const recent = await trx
        .selectFrom('platform_refreshes')
        .select((eb) => eb.fn.max('created_at').as('last'))
        .where('account_id', 'in', ids)
        .where('created_at', '>=', since)
        .executeTakeFirst();
      if (recent?.last) return { reserved: false as const, last: String(recent.last) };
      await trx.insertInto('platform_refreshes').values([...rows]).execute();
      return { reserved: true as const };
    });
  }

  /** Points a refresh's account at the sync job serving it. */
  async setJob(refreshId: string, accountId: string, jobId: string): Promise<void> {
    await this.ctx.db.updateTable('platform_refreshes').set({ job_id: jobId }).where('id', '=', refreshId).where('account_id', '=', accountId).execute();
  }

  /** The accounts of one of the user's refreshes with their jobs' states; empty when unknown. */
  async statusOf(enterpriseId: string, userId: string, refreshId: string): Promise<{ created_at: string; accounts: RefreshAccountStatus[] } | undefined> {
    const rows = await this.ctx.db
      .selectFrom('platform_refreshes as r')
      .leftJoin('sync_jobs as j', 'j.id', 'r.job_id')
      .leftJoin('accounts as a', 'a.id', 'r.account_id')
      .select(['r.account_id', 'r.created_at', 'a.provider_id', 'j.state', 'j.last_error_cause'])
      .where('r.id', '=', refreshId)
      .where('r.enterprise_id', '=', enterpriseId)
      .where('r.user_id', '=', userId)
      .orderBy('r.account_id')
      .execute();
    if (!rows.length) return undefined;
    return {
      created_at: rows[0]!.created_at,
      accounts: rows.map((r) => ({ account_id: r.account_id, provider_id: r.provider_id ?? '', state: r.state ?? null, last_error_cause: r.last_error_cause ?? null })),
    };
  }
}
