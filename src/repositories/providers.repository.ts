/**
 * Provider health as the sync engine's circuit breakers record it (`provider_status`). The table
 * is deployment-wide (a provider is up or down for every tenant), so it takes no enterprise id;
 * which providers an enterprise enables lives in EnterprisesRepository.
 */
import type { DbContext } from './db-context.js';

export class ProvidersRepository {
  constructor(private readonly ctx: DbContext) {}

  /** Recorded status per provider id; providers never recorded are absent. */
  async statuses(): Promise<Map<string, string>> {
    const rows = await this.ctx.db.selectFrom('provider_status').select(['provider_id', 'status']).execute();
    return new Map(rows.map((r) => [r.provider_id, r.status]));
  }
}
