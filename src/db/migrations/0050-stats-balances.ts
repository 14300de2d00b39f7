import { sql, type Kysely } from 'kysely';
import type { MigrationContext } from './index.js';

/**
 * Maintained balances for /stats/balance (SPEC §5.11, issue #5): grouping every position of the
 * enterprise with an exact sum (on SQLite a call into JavaScript per row) cannot be 20× faster
 * than a full scan at 10M transactions. The repositories now keep, in the same transaction as
 * every write that changes positions or a user's activity (src/repositories/stats-counters.ts),
 * one row per (enterprise, asset, display symbol) over **active** users' positions:
 * - `quantity`: the exact sum of those positions' quantities (`numeric` / decimal TEXT);
 * - `positions`: how many positions spell the asset with that symbol (the display symbol is the
 *   least symbol with positions, as `min(asset_symbol)` over the positions was);
 * - `holders`: active users with a position of quantity > 0 in the asset, each counted once, on
 *   the row of the least symbol (byte order) among their positive positions in the asset — so an
 *   asset's holders are the sum over its rows.
 *
 * Existing databases are backfilled here from their positions.
 */
export async function up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  await db.schema
    .createTable('stats_asset_balances')
    .addColumn('enterprise_id', 'text', (c) => c.notNull())
    .addColumn('asset_id', 'text', (c) => c.notNull())
    .addColumn('asset_symbol', 'text', (c) => c.notNull())
    .addColumn('quantity', ctx.decType, (c) => c.notNull())
    .addColumn('positions', 'integer', (c) => c.notNull())
    .addColumn('holders', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('stats_asset_balances_pk', ['enterprise_id', 'asset_id', 'asset_symbol'])
    .execute();

  const pg = ctx.dialect === 'postgres';
  const sum = pg ? sql`sum(p.quantity)` : sql`dec_sum(p.quantity)`;
  // decimals are stored normalized on SQLite: positive is neither "0" nor negative
  const positive = pg ? sql`p.quantity > 0` : sql`(p.quantity <> '0' and substr(p.quantity, 1, 1) <> '-')`;
  // byte order on both databases (SQLite's BINARY collation; "C" on PostgreSQL), as the repository compares
  const minSymbol = pg ? sql`(min(p.asset_symbol collate "C") collate "default")` : sql`min(p.asset_symbol)`;
  await sql`
    insert into stats_asset_balances (enterprise_id, asset_id, asset_symbol, quantity, positions, holders)
    select g.enterprise_id, g.asset_id, g.asset_symbol, g.quantity, g.positions, coalesce(h.holders, 0)
      from (select p.enterprise_id, p.asset_id, p.asset_symbol, ${sum} as quantity, count(*) as positions
              from asset_positions p
              join users u on u.id = p.user_id
             where u.erased_at is null and u.deactivated = 0
             group by p.enterprise_id, p.asset_id, p.asset_symbol) g
      left join (select x.enterprise_id, x.asset_id, x.asset_symbol, count(*) as holders
                   from (select p.enterprise_id, p.user_id, p.asset_id, ${minSymbol} as asset_symbol
                           from asset_positions p
                           join users u on u.id = p.user_id
                          where u.erased_at is null and u.deactivated = 0 and ${positive}
                          group by p.enterprise_id, p.user_id, p.asset_id) x
                  group by x.enterprise_id, x.asset_id, x.asset_symbol) h
        on h.enterprise_id = g.enterprise_id and h.asset_id = g.asset_id and h.asset_symbol = g.asset_symbol`.execute(db);
}
