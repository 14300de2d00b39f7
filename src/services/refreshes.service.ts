/**
 * On-demand refreshes of the Platform API (SPEC §6 `POST /assets/refresh`, `POST
 * /transactions/refresh`, `GET /refreshes/{id}`): queue a sync of the user's connected accounts
 * (or of some providers), at most once a minute per account, and report each account's job state.
 */
import { AppError } from '../domain/errors.js';
import type { Clock } from '../lib/clock.js';
import { isoOf } from '../lib/clock.js';
import { uuidv7 } from '../lib/ids.js';
import type { AccountsRepository } from '../repositories/accounts.repository.js';
import type { RefreshesRepository } from '../repositories/refreshes.repository.js';
import type { ConnectionsService } from './connections.service.js';

export const REFRESH_INTERVAL_MS = 60_000;
export const REFRESH_KINDS = ['assets', 'transactions'] as const;
export type RefreshKind = (typeof REFRESH_KINDS)[number];
export const REFRESH_STATES = ['queued', 'running', 'succeeded', 'failed'] as const;
export type RefreshState = (typeof REFRESH_STATES)[number];

export interface RefreshAccount {
  account_id: string;
  provider_id: string;
  status: RefreshState;
  /** Why the sync failed (an account status cause), when it did. */
  cause: string | null;
}

export interface Refresh {
  refresh_id: string;
  status: RefreshState;
  accounts: RefreshAccount[];
}

export class RefreshesService {
  constructor(
    private readonly accounts: AccountsRepository,
    private readonly refreshes: RefreshesRepository,
    private readonly connections: ConnectionsService,
    private readonly clock: Clock,
  ) {}

  /**
   * Queues a sync of each connected account of the user (of `providerIds` when given). 429 with
   * Retry-After when one of them was refreshed less than a minute ago; 404 when none matches.
   */
  async request(enterpriseId: string, userId: string, kind: RefreshKind, providerIds?: string[]): Promise<Refresh> {
    const rows = (await this.accounts.listForUser(enterpriseId, userId, providerIds ? { providerIds } : {})).filter((a) => a.status !== 'disconnected');
    if (!rows.length) throw new AppError('not_found', providerIds ? 'No connected account of these providers to refresh' : 'No connected account to refresh', providerIds ? { field: 'crypto_sources' } : {});
    const now = this.clock.now();
    const refreshId = uuidv7(now);
    const r = await this.refreshes.reserve(
      rows.map((a) => ({ id: refreshId, enterprise_id: enterpriseId, user_id: userId, kind, account_id: a.id, job_id: null, created_at: isoOf(now) })),
      isoOf(now - REFRESH_INTERVAL_MS),
    );
    if (!r.reserved) {
      const retryAfterSeconds = Math.max(1, Math.ceil((Date.parse(r.last) + REFRESH_INTERVAL_MS - now) / 1000));
      throw new AppError('rate_limited', `An account was refreshed less than a minute ago; try again in ${retryAfterSeconds} s`, { retryAfterSeconds });
    }
    for (const a of rows) {
      const job = await this.connections.requestSync(enterpriseId, a.id);
      await this.refreshes.setJob(refreshId, a.id, job.job_id);
    }
    return { refresh_id: refreshId, status: 'queued', accounts: rows.map((a) => ({ account_id: a.id, provider_id: a.provider_id, status: 'queued' as const, cause: null })) };
  }

  /** The state of each account's sync; 404 for a refresh of another user (or none). */
  async status(enterpriseId: string, userId: string, refreshId: string): Promise<Refresh> {
    const r = await this.refreshes.statusOf(enterpriseId, userId, refreshId);
    if (!r) throw AppError.notFound('Refresh');
    const accounts = r.accounts.map((a): RefreshAccount => {
      // a job removed with its account counts as failed: nothing more will happen
      const status = (REFRESH_STATES as readonly string[]).includes(a.state ?? '') ? (a.state as RefreshState) : 'failed';
      return { account_id: a.account_id, provider_id: a.provider_id, status, cause: status === 'failed' ? (a.last_error_cause ?? 'internal_error') : null };
    });
    return { refresh_id: refreshId, status: overall(accounts.map((a) => a.status)), accounts };
  }
}

function overall(states: RefreshState[]): RefreshState {
  if (states.includes('running')) return 'running';
  if (states.includes('queued')) return 'queued';
  if (states.includes('failed')) return 'failed';
  return 'succeeded';
}
