/**
 * Connect sessions, their sign-in codes and the sources added before consent (SPEC §7), and the
 * one transaction that turns a finished session into a User, a consent and accounts.
 */
import { sql, type Selectable } from 'kysely';
import type { ConnectCodesTable, ConnectPendingAccountsTable, ConnectSessionsTable } from '../db/schema.js';
import type { DbContext } from './db-context.js';
import type { NewUser } from './users.repository.js';
import type { UsersRepository } from './users.repository.js';
import type { ConsentsRepository } from './consents.repository.js';
import type { AccountsRepository, NewAccount } from './accounts.repository.js';

export type ConnectSessionRow = Selectable<ConnectSessionsTable>;
export type ConnectCodeRow = Selectable<ConnectCodesTable>;
export type PendingAccountRow = Selectable<ConnectPendingAccountsTable>;

/** What consent writes, all or nothing. */
export interface CompleteConsent {
  sessionId: string;
  enterpriseId: string;
  nowIso: string;
  /** A new user (first consent), or null when the e-mail already belongs to an active user. */
  newUser: NewUser | null;
  userId: string;
  consent: { id: string; client_id: string; scopes: string; version: string };
  accounts: NewAccount[];
  invitationId: string | null;
}

export class ConnectRepository {
  constructor(
    private readonly ctx: DbContext,
    private readonly users: UsersRepository,
    private readonly consents: ConsentsRepository,
    private readonly accounts: AccountsRepository,
  ) {}

  async createSession(row: ConnectSessionRow): Promise<void> {
    await this.ctx.db.insertInto('connect_sessions').values(row).execute();
  }

  async getSession(id: string): Promise<ConnectSessionRow | undefined> {
    return this.ctx.db.selectFrom('connect_sessions').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async updateSession(id: string, set: Partial<Pick<ConnectSessionRow, 'email' | 'full_name'>>): Promise<void> {
    await this.ctx.db.updateTable('connect_sessions').set(set).where('id', '=', id).where('completed_at', 'is', null).execute();
  }

  /** Marks the session finished without consent (denied); false when it was already finished. */
  async closeSession(id: string, nowIso: string): Promise<boolean> {
    const r = await this.ctx.db.updateTable('connect_sessions').set({ completed_at: nowIso }).where('id', '=', id).where('completed_at', 'is', null).executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) return false;
    await this.ctx.db.deleteFrom('connect_pending_accounts').where('session_id', '=', id).execute();
    return true;
  }

  async insertCode(row: ConnectCodeRow): Promise<void> {
    await this.ctx.db.insertInto('connect_codes').values(row).execute();
  }

  /** Codes sent to an e-mail of an enterprise since `sinceIso` (for the sending rate limit). */
  async countCodesSince(enterpriseId: string, emailLower: string, sinceIso: string): Promise<number> {
    const r = await this.ctx.db
      .selectFrom('connect_codes')
      .select(sql<number>`count(*)`.as('n'))
      .where('enterprise_id', '=', enterpriseId)
      .where('email_lower', '=', emailLower)
      .where('created_at', '>=', sinceIso)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async countSessionCodes(sessionId: string): Promise<number> {
    const r = await this.ctx.db.selectFrom('connect_codes').select(sql<number>`count(*)`.as('n')).where('session_id', '=', sessionId).executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /** The session's newest code. */
  async latestCode(sessionId: string): Promise<ConnectCodeRow | undefined> {
    return this.ctx.db.selectFrom('connect_codes').selectAll().where('session_id', '=', sessionId).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
  }

  /** Counts one attempt at a code; returns the attempts made so far including this one. */
  async countAttempt(codeId: string): Promise<number> {
    await this.ctx.db.updateTable('connect_codes').set((eb) => ({ attempts: eb('attempts', '+', 1) })).where('id', '=', codeId).execute();
    const r = await this.ctx.db.selectFrom('connect_codes').select('attempts').where('id', '=', codeId).executeTakeFirstOrThrow();
    return Number(r.attempts);
  }

  /** Spends a code once; false when it was already used. */
  async useCode(codeId: string, nowIso: string): Promise<boolean> {
    const r = await this.ctx.db.updateTable('connect_codes').set({ used_at: nowIso }).where('id', '=', codeId).where('used_at', 'is', null).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async addPendingAccount(row: PendingAccountRow): Promise<void> {
    await this.ctx.db.insertInto('connect_pending_accounts').values(row).execute();
  }

  async pendingAccounts(sessionId: string): Promise<PendingAccountRow[]> {
    return this.ctx.db.selectFrom('connect_pending_accounts').selectAll().where('session_id', '=', sessionId).orderBy('created_at', 'asc').orderBy('id', 'asc').execute();
  }

  async removePendingAccount(sessionId: string, id: string): Promise<boolean> {
    const r = await this.ctx.db.deleteFrom('connect_pending_accounts').where('session_id', '=', sessionId).where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) === 1;
  }

  /**
   * Consent, in one transaction: the session is closed (once — a second submission changes
   * nothing and returns false), the user created on first consent, the consent recorded, the
   * pending sources become accounts, and the invitation (if any) is marked accepted.
   */
  async complete(c: CompleteConsent): Promise<boolean> {
    return this.ctx.db.transaction().execute(async (trx) => {
      const r = await trx.updateTable('connect_sessions').set({ completed_at: c.nowIso }).where('id', '=', c.sessionId).where('completed_at', 'is', null).executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) return false;
      // a new user is created with its accounts; an existing one gets them added (both keep the stats counters)
      if (c.newUser) await this.users.create([c.newUser], trx, c.accounts);
      await this.consents.create(
        [{ id: c.consent.id, enterprise_id: c.enterpriseId, user_id: c.userId, client_id: c.consent.client_id, scopes: c.consent.scopes, version: c.consent.version, consented_at: c.nowIso, revoked_at: null }],
        trx,
      );
      if (!c.newUser) await this.accounts.create(c.accounts, trx);
      await trx.deleteFrom('connect_pending_accounts').where('session_id', '=', c.sessionId).execute();
      if (c.invitationId) {
        await trx
          .updateTable('invitations')
          .set({ closed_at: c.nowIso, closed_reason: 'accepted', user_id: c.userId })
          .where('id', '=', c.invitationId)
          .where('enterprise_id', '=', c.enterpriseId)
          .execute();
      }
      return true;
    });
  }

  /** An active (non-erased) user of the enterprise with this e-mail, compared case-insensitively. */
  async userByEmail(enterpriseId: string, email: string): Promise<{ id: string; full_name: string | null; deactivated: number } | undefined> {
    return this.ctx.db
      .selectFrom('users')
      .select(['id', 'full_name', 'deactivated'])
      .where('enterprise_id', '=', enterpriseId)
      .where('email_lower', '=', email.toLowerCase())
      .where('erased_at', 'is', null)
      .executeTakeFirst();
  }
}
