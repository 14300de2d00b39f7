/**
 * Connecting sources and asking for syncs: adds an account after checking its credentials or
 * addresses against the source, stores the connection sealed (AES-256-GCM, AAD = account id) and
 * queues its first sync; queues on-demand syncs. Used by the CLI today and by the Platform API.
 */
import type { Connection, Connector } from '../connectors/connector.js';
import { PermanentConnectorError, RetryableConnectorError } from '../connectors/connector.js';
import type { Account } from '../domain/api-types.js';
import { AppError } from '../domain/errors.js';
import { findProvider } from '../domain/providers.js';
import type { Clock } from '../lib/clock.js';
import { isoOf } from '../lib/clock.js';
import type { CryptoEnvelope } from '../lib/crypto-envelope.js';
import { uuidv7 } from '../lib/ids.js';
import type { AccountsRepository } from '../repositories/accounts.repository.js';
import type { EnterprisesRepository } from '../repositories/enterprises.repository.js';
import type { SyncRepository } from '../repositories/sync.repository.js';
import type { UsersRepository } from '../repositories/users.repository.js';
import { sealConnection } from '../sync/sync-account.js';
import type { AccountValuer } from './account-valuer.js';

export interface AddAccountRequest {
  enterpriseId: string;
  userId: string;
  providerId: string;
  connection: Connection;
  displayLabel?: string | null;
}

export const DEFAULT_MAX_ATTEMPTS = 5;

export class ConnectionsService {
  constructor(
    private readonly d: {
      users: UsersRepository;
      enterprises: EnterprisesRepository;
      accounts: AccountsRepository;
      sync: SyncRepository;
      envelope: CryptoEnvelope;
      clock: Clock;
      valuer: AccountValuer;
      connectorFor(providerId: string): Connector | undefined;
      /** Called after a job is queued (wakes an in-process worker). */
      onEnqueued?: () => void;
    },
  ) {}

  async addAccount(r: AddAccountRequest): Promise<Account> {
    const user = await this.d.users.getById(r.enterpriseId, r.userId);
    if (!user) throw AppError.notFound('User');
    if (user.deactivated) throw new AppError('forbidden', 'The user is deactivated; a deactivated user cannot connect sources');
    await this.checkConnection(r.enterpriseId, r.providerId, r.connection);
    const now = this.d.clock.now();
    const id = uuidv7(now);
    await this.d.accounts.create([
      {
        id,
        enterprise_id: r.enterpriseId,
        user_id: r.userId,
        provider_id: r.providerId,
        display_label: r.displayLabel ?? null,
        connection_type: r.connection.type,
        addresses: r.connection.addresses ?? [],
        status: 'syncing',
        credentials_enc: sealConnection(this.d.envelope, id, r.connection),
        created_at: isoOf(now),
        next_sync_at: isoOf(now),
      },
    ]);
    await this.requestSync(r.enterpriseId, id);
    const row = await this.d.accounts.getById(r.enterpriseId, id);
    const [account] = await this.d.valuer.accounts(r.enterpriseId, [row!]);
    return account!;
  }

  /**
   * Checks a connection against its source before anything is stored (also used by Connect before
   * the person is a User): the provider must exist, be enabled for the enterprise and connect by
   * this type; bad credentials or addresses are `invalid_credentials`, an unreachable source
   * `provider_unavailable`, both naming the provider.
   */
  async checkConnection(enterpriseId: string, providerId: string, connection: Connection): Promise<void> {
    const r = { enterpriseId, providerId, connection };
    if (!findProvider(r.providerId)) throw AppError.badRequest('provider_id', `Unknown provider "${r.providerId.slice(0, 40)}"; see GET /enterprise/v2/providers/all`);
    const enabled = await this.d.enterprises.enabledProviders(r.enterpriseId);
    if (!enabled.includes(r.providerId)) throw AppError.badRequest('provider_id', `Provider "${r.providerId}" is not enabled for this enterprise; enable it with PUT /enterprise/v2/providers`);
    const connector = this.d.connectorFor(r.providerId);
    if (!connector) throw new AppError('not_implemented', `No connector for "${r.providerId}" in this deployment yet`, { provider_id: r.providerId });
    const d = connector.describe();
    if (!d.connection_types.includes(r.connection.type)) {
      throw AppError.badRequest('connection.type', `"${r.providerId}" connects by ${d.connection_types.join(' or ')}, not ${r.connection.type}`);
    }
    try {
      await connector.validate(r.connection, { clock: this.d.clock });
    } catch (e) {
      if (e instanceof PermanentConnectorError) throw new AppError('invalid_credentials', e.message, { provider_id: r.providerId });
      if (e instanceof RetryableConnectorError) throw new AppError('provider_unavailable', `${d.provider_id} could not be reached to check the credentials: ${e.message}. Try again later.`, { provider_id: r.providerId });
      throw e;
    }
  }

  /** Queues a sync of the account now (a no-op when one is already open); returns the job id. */
  async requestSync(enterpriseId: string, accountId: string): Promise<{ job_id: string; created: boolean }> {
    const account = await this.d.accounts.getById(enterpriseId, accountId);
    if (!account) throw AppError.notFound('Account');
    if (account.status === 'disconnected') throw new AppError('conflict', 'The account is disconnected; connect it again to sync');
    const now = this.d.clock.now();
    const r = await this.d.sync.enqueue({
      id: uuidv7(now),
      enterprise_id: enterpriseId,
      account_id: accountId,
      provider_id: account.provider_id,
      run_at: isoOf(now),
      max_attempts: DEFAULT_MAX_ATTEMPTS,
      reason: 'on_demand',
      created_at: isoOf(now),
    });
    this.d.onEnqueued?.();
    return { job_id: r.id, created: r.created };
  }
}
