/** Enterprise invitations to Connect (SPEC §5.15). Every read takes the enterprise id. */
import type { Selectable } from 'kysely';
import type { InvitationsTable } from '../db/schema.js';
import type { DbContext } from './db-context.js';

export type InvitationRow = Selectable<InvitationsTable>;
export type NewInvitation = Omit<InvitationRow, 'seq'>;

export class InvitationsRepository {
  constructor(private readonly ctx: DbContext) {}

  /** Inserts the invitation and closes, as replaced, every open one of the same e-mail (one transaction). */
  async replaceOpen(row: NewInvitation): Promise<void> {
    await this.ctx.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('invitations')
        .set({ closed_at: row.created_at, closed_reason: 'replaced' })
        .where('enterprise_id', '=', row.enterprise_id)
        .where('email_lower', '=', row.email_lower)
        .where('closed_at', 'is', null)
        .execute();
      await trx.insertInto('invitations').values(row).execute();
    });
  }

  /** The enterprise's invitations that are neither replaced nor cancelled, in creation order, after `afterSeq`. */
  async list(enterpriseId: string, afterSeq: number | undefined, limit: number): Promise<InvitationRow[]> {
    let q = this.ctx.db
      .selectFrom('invitations')
      .selectAll()
      .where('enterprise_id', '=', enterpriseId)
      .where((eb) => eb.or([eb('closed_reason', 'is', null), eb('closed_reason', '=', 'accepted')]));
    if (afterSeq !== undefined) q = q.where('seq', '>', afterSeq);
    return q.orderBy('seq', 'asc').limit(limit).execute();
  }

  async get(enterpriseId: string, id: string): Promise<InvitationRow | undefined> {
    return this.ctx.db.selectFrom('invitations').selectAll().where('enterprise_id', '=', enterpriseId).where('id', '=', id).executeTakeFirst();
  }

  /** By the link's token hash (Connect's launch; the enterprise is the invitation's own). */
  async byTokenHash(tokenHash: string): Promise<InvitationRow | undefined> {
    return this.ctx.db.selectFrom('invitations').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
  }

  /** Cancels an open invitation; false when it was not open. */
  async cancel(enterpriseId: string, id: string, nowIso: string): Promise<boolean> {
    const r = await this.ctx.db
      .updateTable('invitations')
      .set({ closed_at: nowIso, closed_reason: 'cancelled' })
      .where('enterprise_id', '=', enterpriseId)
      .where('id', '=', id)
      .where('closed_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }
}
