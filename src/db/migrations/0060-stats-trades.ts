import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { MigrationContext } from './index.js';
import { dbContext } from '../../repositories/db-context.js';
import { TradeDeltas, TradeStats, sourceOfRow, type TradeRow } from '../../repositories/trade-stats.js';

/**
 * Maintained trade figures for /stats/top-traded-assets (SPEC §5.12): reading the trade rows of
 * the window (the partial index `movements_enterprise_trade_window`) costs as much as the window
 * holds trades, measured at 6.6× (SQLite) / 8.7× (PostgreSQL) a full scan at 1M transactions. The
 * repositories now keep, in the same transaction as every write that changes a trade's
 * contribution (src/repositories/trade-stats.ts), over active users' counted trades:
 * - `stats_trade_hours` per (enterprise, UTC hour `YYYY-MM-DDTHH`, non-fiat asset): `trade_count`,
 *   the exact `volume` (`numeric` / decimal TEXT) and `sample_seq` (the newest trade's `seq`, an
 *   upper bound after removals);
 * - `stats_trade_traders` per (enterprise, asset, hour, user): the user's trades of the asset in
 *   the hour, a refcount whose rows are deleted at zero — a window's traders are the distinct users
 *   over its whole hours, with those of its (at most two) partial edge hours, read from
 *   `transactions_enterprise_time`.
 *
 * The partial index is then read by no query and is dropped (the largest random-order index of
 * the write path). Existing databases are backfilled here from their transactions.
 */
export async function up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  // SQLite: rows stored in their key's b-tree alone (a rowid table would add a second b-tree, one
  // more random insert per row on the write path); PostgreSQL has no such option
  const withoutRowid = ctx.dialect === 'sqlite' ? sql`without rowid` : sql``;
  await db.schema
    .createTable('stats_trade_hours')
    .addColumn('enterprise_id', 'text', (c) => c.notNull())
    .addColumn('hour', 'text', (c) => c.notNull())
    .addColumn('asset_id', 'text', (c) => c.notNull())
    .addColumn('trade_count', 'integer', (c) => c.notNull())
    .addColumn('volume', ctx.decType, (c) => c.notNull())
    .addColumn('sample_seq', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('stats_trade_hours_pk', ['enterprise_id', 'hour', 'asset_id'])
    .modifyEnd(withoutRowid)
    .execute();
  await db.schema
    .createTable('stats_trade_traders')
    .addColumn('enterprise_id', 'text', (c) => c.notNull())
    .addColumn('asset_id', 'text', (c) => c.notNull())
    .addColumn('hour', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('trades', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('stats_trade_traders_pk', ['enterprise_id', 'asset_id', 'hour', 'user_id'])
    .modifyEnd(withoutRowid)
    .execute();
  await db.schema.dropIndex('movements_enterprise_trade_window').ifExists().execute();

  // the typed database: this migration writes through the repository's upkeep code
  const typed = db as unknown as Kysely<Database>;
  const stats = new TradeStats(dbContext(typed, ctx.dialect));
  let after = 0;
  for (;;) {
    const page = await sql<TradeRow & { enterprise_id: string }>`
      select t.seq, t.enterprise_id, t.user_id, t.timestamp, t.type, t.status, t.is_internal_transfer, t.removed_at, t.inputs, t.outputs
        from transactions t join users u on u.id = t.user_id
       where t.seq > ${after} and t.type in ('buy', 'sell', 'trade', 'swap') and t.status = 'confirmed'
         and t.is_internal_transfer = 0 and t.removed_at is null and u.erased_at is null and u.deactivated = 0
       order by t.seq
       limit 5000`.execute(db);
    const last = page.rows[page.rows.length - 1];
    if (!last) break;
    after = Number(last.seq);
    const byEnterprise = new Map<string, TradeDeltas>();
    for (const r of page.rows) {
      let d = byEnterprise.get(r.enterprise_id);
      if (!d) byEnterprise.set(r.enterprise_id, (d = new TradeDeltas()));
      d.add(sourceOfRow(r), 1);
    }
    for (const [enterpriseId, d] of byEnterprise) await stats.apply(typed, enterpriseId, d);
  }
}
