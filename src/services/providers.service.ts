/**
 * Enterprise providers (SPEC §5.13–14): the catalogue this deployment supports, the subset an
 * enterprise enables, and each provider's health (`provider_status`, `operational` until the sync
 * engine records otherwise). Lists follow the catalogue's order.
 */
import { AppError } from '../domain/errors.js';
import { PROVIDERS, PROVIDER_STATUSES, findProvider, type ProviderDefinition, type ProviderStatus } from '../domain/providers.js';
import type { EnterprisesRepository } from '../repositories/enterprises.repository.js';
import type { ProvidersRepository } from '../repositories/providers.repository.js';
import type { ConnectorDescription } from '../connectors/connector.js';

/** SPEC §8 `ProviderMetadata`. */
export interface ProviderMetadata extends ProviderDefinition {
  status: ProviderStatus;
}

const STATUS_SET = new Set<string>(PROVIDER_STATUSES);

export class ProvidersService {
  constructor(
    private readonly enterprises: EnterprisesRepository,
    private readonly providers: ProvidersRepository,
    /** What this deployment's connector for a provider declares (none: nothing can be synced yet). */
    private readonly describe: (providerId: string) => ConnectorDescription | undefined,
  ) {}

  /** Every provider this deployment supports. */
  async all(): Promise<ProviderMetadata[]> {
    return this.metadata(PROVIDERS);
  }

  /** The providers the enterprise enables. */
  async enabled(enterpriseId: string): Promise<ProviderMetadata[]> {
    const ids = new Set(await this.enterprises.enabledProviders(enterpriseId));
    return this.metadata(PROVIDERS.filter((p) => ids.has(p.provider_id)));
  }

  /** The providers the enterprise enables that this deployment has a connector for: what a user can add. */
  async supported(enterpriseId: string): Promise<ProviderMetadata[]> {
    const ids = new Set(await this.enterprises.enabledProviders(enterpriseId));
    return this.metadata(PROVIDERS.filter((p) => ids.has(p.provider_id) && this.describe(p.provider_id) !== undefined));
  }

  /**
   * Replaces the enabled set. Ids outside the catalogue are a 400 naming them; so are sandbox
   * providers for an enterprise that is not a demo (SPEC §10: sandbox is for demo enterprises only).
   */
  async setEnabled(enterpriseId: string, providerIds: readonly string[]): Promise<ProviderMetadata[]> {
    const ids = [...new Set(providerIds)];
    const unknown = ids.filter((id) => !findProvider(id));
    if (unknown.length) {
      throw AppError.badRequest('provider_ids', `Unknown provider id${unknown.length > 1 ? 's' : ''}: ${unknown.map((id) => JSON.stringify(id.slice(0, 60))).join(', ')}; GET /providers/all lists the supported ones`);
    }
    const e = await this.enterprises.get(enterpriseId);
    if (!e) throw AppError.notFound('Enterprise');
    const sandbox = e.is_demo ? [] : ids.filter((id) => findProvider(id)?.type === 'sandbox');
    if (sandbox.length) {
      throw AppError.badRequest('provider_ids', `Sandbox providers are for demo enterprises only: ${sandbox.join(', ')}`);
    }
    await this.enterprises.setEnabledProviders(enterpriseId, ids);
    return this.enabled(enterpriseId);
  }

  private async metadata(defs: readonly ProviderDefinition[]): Promise<ProviderMetadata[]> {
    const statuses = await this.providers.statuses();
    return defs.map((p) => {
      const s = statuses.get(p.provider_id);
      // connection types and capabilities are what the connector really does, not what the catalogue hopes
      const d = this.describe(p.provider_id);
      const capabilities = d ? { balances: d.capabilities.balances, transactions: d.capabilities.transactions, as_of: d.capabilities.as_of } : { balances: false, transactions: false, as_of: false };
      return { ...p, connection_types: d?.connection_types ?? p.connection_types, capabilities, status: s !== undefined && STATUS_SET.has(s) ? (s as ProviderStatus) : 'operational' };
    });
  }
}
