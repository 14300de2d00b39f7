/**
 * Users of an enterprise. Every read takes the enterprise id: there is no unscoped lookup.
 */
import type { Selectable } from 'kysely';
import type { UsersTable } from '../db/schema.js';
import type { DbContext, Executor } from './db-context.js';

export type UserRow = Selectable<UsersTable>;

export interface NewUser {
  id: string;
  enterprise_id: string;
  email: string;
  full_name: string;
  consented_at: string;
  created_at: string;
  deactivated_on?: string | null;
}

export class UsersRepository {
  constructor(private readonly ctx: DbContext) {}

  async create(users: readonly NewUser[], ex: Executor = this.ctx.db): Promise<void> {
    if (!users.length) return;
    await ex
      .insertInto('users')
      .values(
        users.map((u) => ({
          id: u.id,
          enterprise_id: u.enterprise_id,
          email: u.email,
          email_lower: u.email.toLowerCase(),
          full_name: u.full_name,
          consented_at: u.consented_at,
          deactivated_on: u.deactivated_on ?? null,
          deactivated: u.deactivated_on ? 1 : 0,
          erased_at: null,
          tokens_revoked_before: null,
          created_at: u.created_at,
        })),
      )
      .execute();
  }

  async getById(enterpriseId: string, userId: string): Promise<UserRow | undefined> {
    return this.ctx.db
      .selectFrom('users')
      .selectAll()
      .where('enterprise_id', '=', enterpriseId)
      .where('id', '=', userId)
      .where('erased_at', 'is', null)
      .executeTakeFirst();
  }
}
