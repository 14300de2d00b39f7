/**
 * The end-user's own record on the Platform API (SPEC §6 `GET /user`): the user and their newest
 * consent. Revoking consent (`DELETE /user`) is UserLifecycleService.deactivate, as for §5.6.
 */
import type { Consent, User } from '../domain/api-types.js';
import { AppError } from '../domain/errors.js';
import type { ConsentsRepository } from '../repositories/consents.repository.js';
import type { UsersRepository } from '../repositories/users.repository.js';
import { toConsent, toUser } from './api-mappers.js';

export class PlatformUserService {
  constructor(
    private readonly users: UsersRepository,
    private readonly consents: ConsentsRepository,
  ) {}

  async get(enterpriseId: string, userId: string): Promise<{ user: User; consent: Consent | null }> {
    const user = await this.users.getById(enterpriseId, userId);
    if (!user) throw AppError.notFound('User');
    const consent = await this.consents.latestForUser(enterpriseId, userId);
    return { user: toUser(user), consent: consent ? toConsent(consent) : null };
  }

  /**
   * Whether a user token may act: an erased (or unknown) user is 401 — nothing is left to act for;
   * a deactivated one is 403 (SPEC §3). Deactivation also revokes every token of the user, so in
   * practice the revocation check answers 401 first; this guards the window of another instance's
   * revocation cache.
   */
  async assertActive(enterpriseId: string, userId: string): Promise<void> {
    const user = await this.users.getById(enterpriseId, userId);
    if (!user) throw new AppError('unauthorized', 'The user of this token no longer exists');
    if (user.deactivated === 1) throw new AppError('forbidden', 'The user has revoked their consent or been deactivated');
  }
}
