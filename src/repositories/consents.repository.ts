/** Consent records: what a user granted, to which client, under which text version. */
import type { Selectable } from 'kysely';
import type { ConsentsTable } from '../db/schema.js';
import type { DbContext, Executor } from './db-context.js';

export type ConsentRow = Selectable<ConsentsTable>;

export class ConsentsRepository {
  constructor(private readonly ctx: DbContext) {}

  async create(rows: readonly ConsentRow[], ex: Executor = this.ctx.db): Promise<void> {
    if (!rows.length) return;
    await ex.insertInto('consents').values([...rows]).execute();
  }

  /** The newest consent of a user. */
  async latestForUser(enterpriseId: string, userId: string): Promise<ConsentRow | undefined> {
    return this.ctx.db
      .selectFrom('consents')
      .selectAll()
      .where('enterprise_id', '=', enterpriseId)
      .where('user_id', '=', userId)
      .orderBy('consented_at', 'desc')
      .limit(1)
      .executeTakeFirst();
  }
}
