/**
 * The access log (SPEC §6): one row per read of a user's data by a client, written once per
 * request (never per row of a list), read back by the user newest first.
 */
import type { Insertable, Selectable } from 'kysely';
import type { AccessLogTable } from '../db/schema.js';
import type { DbContext } from './db-context.js';

export type AccessLogRow = Selectable<AccessLogTable>;
export type NewAccessLogEntry = Omit<Insertable<AccessLogTable>, 'seq'>;

export class AccessLogRepository {
  constructor(private readonly ctx: DbContext) {}

  async insert(entry: NewAccessLogEntry): Promise<void> {
    await this.ctx.db.insertInto('access_log').values(entry).execute();
  }

  /** Entries of one user, newest first (pagination id descending), before `beforeSeq`. */
  async listForUser(enterpriseId: string, userId: string, beforeSeq: number | undefined, limit: number): Promise<AccessLogRow[]> {
    let q = this.ctx.db.selectFrom('access_log').selectAll().where('user_id', '=', userId).where('enterprise_id', '=', enterpriseId);
    if (beforeSeq !== undefined) q = q.where('seq', '<', beforeSeq);
    return q.orderBy('seq', 'desc').limit(limit).execute();
  }
}
