/** The local price store: one row per (asset, currency, time). */
import { normalize } from '../lib/decimal.js';
import { chunks, type DbContext, type Executor } from './db-context.js';
import { bulkInsert } from './bulk-insert.js';

const PRICE_COLUMNS = ['asset_id', 'currency', 'ts', 'price', 'source'] as const;

export interface PriceRow {
  asset_id: string;
  currency: string;
  ts: string;
  price: string;
  source: string;
}

export class PricesRepository {
  constructor(private readonly ctx: DbContext) {}

  /** Inserts or replaces prices (same asset, currency and time: the new one wins). */
  async upsert(rows: readonly PriceRow[], ex: Executor = this.ctx.db): Promise<void> {
    for (const batch of chunks(rows, 1000)) {
      await ex
        .insertInto('prices')
        .values(batch.map((r) => ({ ...r, price: normalize(r.price) })))
        .onConflict((oc) => oc.columns(['asset_id', 'currency', 'ts']).doUpdateSet((eb) => ({ price: eb.ref('excluded.price'), source: eb.ref('excluded.source') })))
        .execute();
    }
  }

  /**
   * Inserts prices that are not stored yet and leaves existing ones untouched (same asset, currency
   * and time: the stored one wins). For generated series that must never overwrite imported prices;
   * safe when two processes fill the same days at once.
   */
  async insertMissing(rows: readonly PriceRow[], ex: Executor = this.ctx.db): Promise<void> {
    for (const batch of chunks(rows, 2000)) {
      await bulkInsert(
        ex,
        this.ctx.dialect,
        'prices',
        PRICE_COLUMNS,
        batch.map((r) => [r.asset_id, r.currency, r.ts, normalize(r.price), r.source]),
        'on conflict ("asset_id", "currency", "ts") do nothing',
      );
    }
  }

  /** The time of the newest price of one pair from one source (uses the primary key's prefix). */
  async newestTsOf(assetId: string, currency: string, source: string): Promise<string | undefined> {
    const r = await this.ctx.db
      .selectFrom('prices')
      .select('ts')
      .where('asset_id', '=', assetId)
      .where('currency', '=', currency)
      .where('source', '=', source)
      .orderBy('ts', 'desc')
      .limit(1)
      .executeTakeFirst();
    return r?.ts;
  }

  /** The newest price at or before `atIso` and at or after `notBeforeIso`. */
  async latestAtOrBefore(assetId: string, currency: string, atIso: string, notBeforeIso: string): Promise<PriceRow | undefined> {
    const r = await this.ctx.db
      .selectFrom('prices')
      .select(['asset_id', 'currency', 'ts', 'price', 'source'])
      .where('asset_id', '=', assetId)
      .where('currency', '=', currency)
      .where('ts', '<=', atIso)
      .where('ts', '>=', notBeforeIso)
      .orderBy('ts', 'desc')
      .limit(1)
      .executeTakeFirst();
    return r && { ...r, price: normalize(r.price) };
  }

  /** The newest price of `ts` of a source, or undefined (e.g. where the synthetic series ends). */
  async newestTs(source: string): Promise<string | undefined> {
    const r = await this.ctx.db.selectFrom('prices').select((eb) => eb.fn.max('ts').as('ts')).where('source', '=', source).executeTakeFirst();
    return (r?.ts as string | null | undefined) ?? undefined;
  }

  /** Every price of an asset in a currency within [fromIso, toIso], oldest first (for bulk pricing). */
  async range(assetId: string, currency: string, fromIso: string, toIso: string): Promise<PriceRow[]> {
    const rows = await this.ctx.db
      .selectFrom('prices')
      .select(['asset_id', 'currency', 'ts', 'price', 'source'])
      .where('asset_id', '=', assetId)
      .where('currency', '=', currency)
      .where('ts', '>=', fromIso)
      .where('ts', '<=', toIso)
      .orderBy('ts')
      .execute();
    return rows.map((r) => ({ ...r, price: normalize(r.price) }));
  }

  /** Every asset held in any position (deployment-wide: prices are shared by every tenant). */
  async heldAssetIds(): Promise<string[]> {
    const rows = await this.ctx.db.selectFrom('asset_positions').select('asset_id').distinct().execute();
    return rows.map((r) => r.asset_id);
  }

  /** The base currencies enterprises value in. */
  async baseCurrencies(): Promise<string[]> {
    const rows = await this.ctx.db.selectFrom('enterprises').select('base_currency').distinct().execute();
    return rows.map((r) => r.base_currency);
  }
}
