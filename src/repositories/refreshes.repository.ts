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

  async insert(rows: readonly RefreshRow[]): Promise<void> {
    if (rows.length) await this.ctx.db.insertInto('platform_refreshes').values([...rows]).execute();
  }

  /** The newest refresh time of each of the accounts refreshed at or after `since`. */
  async lastRefreshedSince(accountIds: readonly string[], since: string): Promise<Map<string, string>> {
    if (!accountIds.length) return new Map();
    const rows = await this.ctx.db
      .selectFrom('platform_refreshes')
      .select(['account_id', (eb) => eb.fn.max('created_at').as('last')])
      .where('account_id', 'in', [...accountIds])
      .where('created_at', '>=', since)
      .groupBy('account_id')
      .execute();
    return new Map(rows.map((r) => [r.account_id, String(r.last)]));
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
