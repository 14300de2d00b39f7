/**
 * Deactivate account (SPEC §5.6), by the enterprise (and, through the Platform API, by the user).
 * Deactivation keeps history readable; erasure purges it and leaves only a tombstone.
 */
import type { User } from '../domain/api-types.js';
import { AppError } from '../domain/errors.js';
import { dateOf, isoOf, type Clock } from '../lib/clock.js';
import type { UsersRepository } from '../repositories/users.repository.js';
import type { RevocationCache } from './auth/revocation-cache.js';
import { toUser } from './api-mappers.js';

export interface DeactivateOptions {
  /** Purge personal data, accounts, positions, transactions and consents too. */
  erase?: boolean;
}

export class UserLifecycleService {
  constructor(
    private readonly users: UsersRepository,
    private readonly revocations: RevocationCache,
    private readonly clock: Clock,
  ) {}

  /**
   * Deactivates (idempotent: a second call keeps the first `deactivated_on`) or erases a user and
   * returns the user as deactivated. Every token of the user is revoked at once on this instance
   * (other instances pick up `tokens_revoked_before` within the revocation cache's refresh).
   *
   * Syncs stop because the user's accounts are `disconnected` with no credentials and no
   * `next_sync_at`: the sync engine schedules only connected accounts of active users and a job
   * claimed for a disconnected (or, after erasure, deleted) account does nothing (sync-account.ts).
   * Queued jobs are not deleted: they carry no personal data and finish as no-ops.
   */
  async deactivate(enterpriseId: string, userId: string, o: DeactivateOptions = {}): Promise<{ user: User }> {
    const now = this.clock.now();
    const row = o.erase
      ? await this.users.erase(enterpriseId, userId, dateOf(now), isoOf(now))
      : await this.users.deactivate(enterpriseId, userId, dateOf(now), isoOf(now));
    if (!row) throw AppError.notFound('User');
    this.revocations.invalidate('user', userId);
    return { user: toUser(row) };
  }
}
