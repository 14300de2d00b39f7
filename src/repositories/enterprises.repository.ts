import type { DbContext, Executor } from './db-context.js';

export interface EnterpriseRow {
  id: string;
  name: string;
  base_currency: string;
  is_demo: boolean;
  created_at: string;
}

export class EnterprisesRepository {
  constructor(private readonly ctx: DbContext) {}

  async create(e: EnterpriseRow, enabledProviders: string[], ex: Executor = this.ctx.db): Promise<void> {
    await ex
      .insertInto('enterprises')
      .values({ id: e.id, name: e.name, base_currency: e.base_currency, is_demo: e.is_demo ? 1 : 0, created_at: e.created_at })
      .execute();
    if (enabledProviders.length) {
      await ex
        .insertInto('enterprise_providers')
        .values(enabledProviders.map((provider_id) => ({ enterprise_id: e.id, provider_id })))
        .execute();
    }
  }

  async get(id: string): Promise<EnterpriseRow | undefined> {
    const r = await this.ctx.db.selectFrom('enterprises').select(['id', 'name', 'base_currency', 'is_demo', 'created_at']).where('id', '=', id).executeTakeFirst();
    return r && { ...r, is_demo: r.is_demo === 1 };
  }

  async count(): Promise<number> {
    const r = await this.ctx.db.selectFrom('enterprises').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async enabledProviders(enterpriseId: string): Promise<string[]> {
    const rows = await this.ctx.db.selectFrom('enterprise_providers').select('provider_id').where('enterprise_id', '=', enterpriseId).execute();
    return rows.map((r) => r.provider_id);
  }

  async setEnabledProviders(enterpriseId: string, providerIds: string[]): Promise<void> {
    await this.ctx.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('enterprise_providers').where('enterprise_id', '=', enterpriseId).execute();
      if (providerIds.length) {
        await trx.insertInto('enterprise_providers').values(providerIds.map((provider_id) => ({ enterprise_id: enterpriseId, provider_id }))).execute();
      }
    });
  }
}
