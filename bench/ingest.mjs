// Sync ingestion: normalized transactions written per second through the storage code
// (LedgerRepository.upsertTransactions, one database transaction per batch, exactly as the sync
// engine and the demo call it) vs a raw batched insert of the same rows (hand-written multi-row
// INSERTs of the very rows the storage code stored, read back: no existence check, no upsert, no
// normalization), in the same batches.
//
// Runs on a scratch database of its own (a fresh SQLite file or PostgreSQL database), with
// synthetic normalized records from the demo generator (demo-prepare.js), so the figures do not
// depend on what the benchmark database already holds.
import { CompiledQuery, sql } from 'kysely';

const DAY = 86_400_000;

/**
 * @param m   the dist modules { createContainer, demoUserBatches, monotonicUuidv7, randomPool, uuidv7 }
 * @param o   { config, users, transactionsPerUser }
 */
export async function measureIngestion(m, o) {
  const c = m.createContainer(o.config);
  try {
    await c.dbh.migrate();
    const db = c.dbh.db;
    const pg = c.dbh.dialect === 'postgres';
    const ent = await c.services.enterprises.create({ name: 'Bench ingestion', demo: true });
    const nowMs = Date.now();
    const mint = m.monotonicUuidv7(m.randomPool());
    const random = m.randomPool();
    const batches = [
      ...m.demoUserBatches({
        enterpriseId: ent.enterprise_id,
        clientId: ent.client_id,
        seed: 'bench-ingest',
        users: o.users,
        transactionsPerUser: o.transactionsPerUser,
        currency: 'USD',
        anchorMs: Math.floor(nowMs / DAY) * DAY,
        nowMs,
        maxTransactions: 1_500,
        maxUsers: 200,
        dialect: c.dbh.dialect,
      }, () => mint(Date.now())),
    ];
    // users, consents and accounts first (not timed): the transactions' parents
    for (const b of batches) {
      await db.transaction().execute(async (ex) => {
        await c.repos.users.create(b.map((u) => u.user), ex);
        await c.repos.consents.create(b.map((u) => u.consent), ex);
        await c.repos.accounts.create(b.flatMap((u) => u.accounts.map((a) => ({ ...a.row, credentials_enc: null }))), ex);
      });
    }
    const nowIso = new Date(nowMs).toISOString();
    let count = 0;
    const batchSizes = [];
    const t0 = performance.now();
    for (const b of batches) {
      let inBatch = 0;
      await db.transaction().execute(async (ex) => {
        for (const u of b) {
          for (const l of u.ledgers) {
            const r = await c.repos.ledger.upsertTransactions(ex, l.scope, l.transactions, nowIso, (x) => m.uuidv7(Date.parse(x.timestamp), random));
            inBatch += r.added + r.updated;
          }
        }
      });
      batchSizes.push(inBatch);
      count += inBatch;
    }
    const storageSeconds = (performance.now() - t0) / 1000;

    // the same rows, read back in insertion order, then removed (not timed)
    const txRows = (await sql`select * from transactions where enterprise_id = ${ent.enterprise_id} order by seq`.execute(db)).rows;
    const mvRows = (await sql`select * from transaction_movements where enterprise_id = ${ent.enterprise_id} order by transaction_seq`.execute(db)).rows;
    const movementRowsWritten = mvRows.length;
    await sql`delete from transaction_movements where enterprise_id = ${ent.enterprise_id}`.execute(db);
    await sql`delete from transactions where enterprise_id = ${ent.enterprise_id}`.execute(db);
    if (pg) await sql`vacuum transactions, transaction_movements`.execute(db);

    const mvBySeq = new Map();
    for (const r of mvRows) {
      const k = Number(r.transaction_seq);
      let list = mvBySeq.get(k);
      if (!list) mvBySeq.set(k, (list = []));
      list.push(r);
    }
    const insert = async (ex, table, rows) => {
      if (!rows.length) return;
      const cols = Object.keys(rows[0]);
      const per = Math.floor(30_000 / cols.length);
      for (let i = 0; i < rows.length; i += per) {
        const part = rows.slice(i, i + per);
        const params = [];
        let k = 0;
        const tuples = part.map((row) => `(${cols.map((col) => (params.push(row[col]), pg ? `$${++k}` : '?')).join(', ')})`);
        await ex.executeQuery(CompiledQuery.raw(`insert into "${table}" (${cols.map((x) => `"${x}"`).join(', ')}) values ${tuples.join(', ')}`, params));
      }
    };
    const t1 = performance.now();
    let at = 0;
    for (const size of batchSizes) {
      const txPart = txRows.slice(at, at + size);
      at += size;
      await db.transaction().execute(async (ex) => {
        await insert(ex, 'transactions', txPart);
        await insert(ex, 'transaction_movements', txPart.flatMap((t) => mvBySeq.get(Number(t.seq)) ?? []));
      });
    }
    const rawSeconds = (performance.now() - t1) / 1000;
    return {
      transactions: count,
      movement_rows: movementRowsWritten,
      batches: batchSizes.length,
      storage: { seconds: storageSeconds, per_second: count / storageSeconds },
      raw: { seconds: rawSeconds, per_second: txRows.length / rawSeconds },
      ratio: count / storageSeconds / (txRows.length / rawSeconds),
    };
  } finally {
    await c.close();
  }
}
