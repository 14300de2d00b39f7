// The figures of the four /stats/* endpoints computed the naive way: one SQL query each over the
// raw tables with every index switched off (SQLite `NOT INDEXED`; PostgreSQL index and bitmap scans
// disabled for the transaction); the balance from every stored position of active users (SPEC
// §5.11's definition — an earlier version recomputed holdings from the whole confirmed history,
// which equals the positions only until a sync replaces an account's positions from its source,
// as a sandbox sync of a benchmark database does). Exact decimals: `numeric` on PostgreSQL, the
// registered `dec_sum` on SQLite (the database handle comes from dist/db/create-db.js).
//
// Each function returns the figures in the shape the harness compares with the API's answer.
import { sql } from 'kysely';

const INACTIVE = (p) => sql`(select iu.id from users iu ${p.ni('iu')} where iu.enterprise_id = ${p.e} and (iu.deactivated <> 0 or iu.erased_at is not null))`;

function parts(dbh, enterpriseId) {
  const pgsql = dbh.dialect === 'postgres';
  return {
    pg: pgsql,
    e: enterpriseId,
    ni: (alias) => (pgsql ? sql`` : sql.raw(`not indexed`)),
  };
}

/** Runs `fn(ex)` where no index can be used. */
async function withoutIndexes(dbh, fn) {
  if (dbh.dialect !== 'postgres') return fn(dbh.db);
  return dbh.db.transaction().execute(async (tx) => {
    await sql`set local enable_indexscan = off`.execute(tx);
    await sql`set local enable_indexonlyscan = off`.execute(tx);
    await sql`set local enable_bitmapscan = off`.execute(tx);
    return fn(tx);
  });
}

const n = (v) => Number(v ?? 0);

export async function fullScanUsers(dbh, enterpriseId, nowMs) {
  const p = parts(dbh, enterpriseId);
  const since = new Date(nowMs - 30 * 86_400_000).toISOString();
  const now = new Date(nowMs).toISOString();
  return withoutIndexes(dbh, async (ex) => {
    const r = await sql`
      select count(*) as total,
             sum(case when u.deactivated = 0 then 1 else 0 end) as active,
             sum(case when u.deactivated = 0 and coalesce(a.live, 0) = 1 then 1 else 0 end) as with_accounts,
             sum(case when u.consented_at >= ${since} and u.consented_at <= ${now} then 1 else 0 end) as recent
        from users u ${p.ni('u')}
        left join (select a.user_id, max(case when a.status <> 'disconnected' then 1 else 0 end) as live
                     from accounts a ${p.ni('a')} where a.enterprise_id = ${enterpriseId} group by a.user_id) a on a.user_id = u.id
       where u.enterprise_id = ${enterpriseId} and u.erased_at is null`.execute(ex);
    const x = r.rows[0];
    return { total: n(x.total), active: n(x.active), deactivated: n(x.total) - n(x.active), with_accounts: n(x.with_accounts), new_last_30_days: n(x.recent) };
  });
}

export async function fullScanAccounts(dbh, enterpriseId) {
  const p = parts(dbh, enterpriseId);
  return withoutIndexes(dbh, async (ex) => {
    const r = await sql`
      select a.provider_id, count(*) as accounts, count(distinct a.user_id) as users
        from accounts a ${p.ni('a')}
       where a.enterprise_id = ${enterpriseId} and a.user_id not in ${INACTIVE(p)}
       group by a.provider_id`.execute(ex);
    const providers = r.rows.map((x) => ({ provider_id: x.provider_id, accounts: n(x.accounts), users: n(x.users) })).sort((a, b) => (a.provider_id < b.provider_id ? -1 : 1));
    return { total: providers.reduce((s, x) => s + x.accounts, 0), providers };
  });
}

/** Holdings per asset recomputed from every confirmed transaction of active users (not from positions). */
export async function fullScanBalance(dbh, enterpriseId, normalize) {
  const p = parts(dbh, enterpriseId);
  const sum = (x) => (p.pg ? sql`sum(${x})` : sql`dec_sum(${x})`);
  const positive = p.pg ? sql`ap.quantity > 0` : sql`(ap.quantity <> '0' and substr(ap.quantity, 1, 1) <> '-')`;
  return withoutIndexes(dbh, async (ex) => {
    const r = await sql`
      select ap.asset_id, ${sum(sql`ap.quantity`)} as quantity, count(distinct case when ${positive} then ap.user_id end) as holders
        from asset_positions ap ${p.ni('ap')}
       where ap.enterprise_id = ${enterpriseId} and ap.user_id not in ${INACTIVE(p)}
       group by ap.asset_id`.execute(ex);
    return r.rows
      .map((x) => ({ asset_id: x.asset_id, quantity: normalize(String(x.quantity ?? '0')), holders: n(x.holders) }))
      .filter((x) => x.holders > 0 || x.quantity !== '0')
      .sort((a, b) => (a.asset_id < b.asset_id ? -1 : 1));
  });
}

/** SPEC §5.12 from the transactions' own JSON movements (not the movement index). */
export async function fullScanTopTraded(dbh, enterpriseId, startIso, endIso, normalize) {
  const p = parts(dbh, enterpriseId);
  const where = sql`t.enterprise_id = ${enterpriseId} and t.type in ('buy', 'sell', 'trade', 'swap') and t.status = 'confirmed'
         and t.is_internal_transfer = 0 and t.removed_at is null and t.timestamp >= ${startIso} and t.timestamp < ${endIso}
         and t.user_id not in ${INACTIVE(p)}`;
  return withoutIndexes(dbh, async (ex) => {
    const r = p.pg
      ? await sql`
      with mv as (
        select t.seq, t.user_id, e->>'asset_id' as asset_id, (e->'value'->>'amount')::numeric as v
          from transactions t, jsonb_array_elements(t.inputs::jsonb || t.outputs::jsonb) e
         where ${where})
      select asset_id, count(distinct seq) as trade_count, count(distinct user_id) as traders, coalesce(sum(abs(v)), 0) as volume
        from mv where substr(asset_id, 1, 5) <> 'fiat:' group by asset_id`.execute(ex)
      : await sql`
      with mv as (
        select t.seq, t.user_id, json_extract(e.value, '$.asset_id') as asset_id, json_extract(e.value, '$.value.amount') as v
          from transactions t not indexed, json_each(t.inputs) e where ${where}
        union all
        select t.seq, t.user_id, json_extract(e.value, '$.asset_id') as asset_id, json_extract(e.value, '$.value.amount') as v
          from transactions t not indexed, json_each(t.outputs) e where ${where})
      select asset_id, count(distinct seq) as trade_count, count(distinct user_id) as traders,
             coalesce(dec_sum(case when substr(v, 1, 1) = '-' then substr(v, 2) else v end), '0') as volume
        from mv where substr(asset_id, 1, 5) <> 'fiat:' group by asset_id`.execute(ex);
    return r.rows
      .map((x) => ({ asset_id: x.asset_id, trade_count: n(x.trade_count), traders: n(x.traders), volume: normalize(String(x.volume)) }))
      .sort((a, b) => (a.asset_id < b.asset_id ? -1 : 1));
  });
}
