/**
 * User account (SPEC §5.3): the user, their consent and their accounts with values. A read scoped
 * to one user: accounts in status `error` are listed in `errors` (→ 206) beside the last-known data.
 */
import type { Account, Consent, PartialResult, User } from '../domain/api-types.js';
import { AppError } from '../domain/errors.js';
import type { AccountsRepository } from '../repositories/accounts.repository.js';
import type { ConsentsRepository } from '../repositories/consents.repository.js';
import type { UsersRepository } from '../repositories/users.repository.js';
import type { AccountValuer } from './account-valuer.js';
import { accountErrors, toConsent, toUser } from './api-mappers.js';

export interface UserProfile {
  user: User;
  consent: Consent | null;
  accounts: Account[];
}

export class UserProfileService {
  constructor(
    private readonly users: UsersRepository,
    private readonly consents: ConsentsRepository,
    private readonly accounts: AccountsRepository,
    private readonly valuer: AccountValuer,
  ) {}

  /** 404 for an unknown id, an erased user and a user of another enterprise alike. */
  async get(enterpriseId: string, userId: string): Promise<PartialResult<UserProfile>> {
    const user = await this.users.getById(enterpriseId, userId);
    if (!user) throw AppError.notFound('User');
    const [consent, rows] = await Promise.all([this.consents.latestForUser(enterpriseId, userId), this.accounts.listForUser(enterpriseId, userId)]);
    const accounts = await this.valuer.accounts(enterpriseId, rows);
    return { data: { user: toUser(user), consent: consent ? toConsent(consent) : null, accounts }, errors: accountErrors(rows) };
  }
}
