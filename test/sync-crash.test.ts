/**
 * Crash safety (SPEC §9): a real `tortie sync --wait` child process is SIGKILLed in the middle of
 * writing a sync, then run again. Afterwards the database holds exactly what one clean sync
 * produces — nothing lost, nothing duplicated — on SQLite and on PostgreSQL.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { ensureBuilt, MAIN } from './support/built-cli.js';
import { DIALECTS, PG_URL, testConfig, type TestDialect } from './support/harness.js';
import { createContainer, type Container } from '../src/container.js';
import { createDb } from '../src/db/create-db.js';
import { seedUser } from './support/seed.js';
import { ensureSyntheticPrices } from '../src/prices/synthetic-prices.js';
import { normalize } from '../src/lib/decimal.js';
import { sql } from 'kysely';

const SEED = 'crash-test-12000tx';

interface Db {
  url: string;
  schema?: string;
  env: NodeJS.ProcessEnv;
  c: Container;
  drop(): Promise<void>;
}

async function openDb(dialect: TestDialect, secretKey: string): Promise<Db> {
  const dataDir = mkdtempSync(join(tmpdir(), `tortie-crash-${dialect}-`));
  let url: string;
  let childUrl: string;
  let schema: string | undefined;
  if (dialect === 'sqlite') url = childUrl = `sqlite:${join(dataDir, 'crash.db')}`;
  else {
    schema = `crash_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    await admin.end();
    const u = new URL(PG_URL);
    u.searchParams.set('options', `-c search_path=${schema}`);
    url = u.toString();
    // the child's sessions carry the schema as application name: the test can see when they are gone
    u.searchParams.set('application_name', schema);
    childUrl = u.toString();
  }
  const config = { ...testConfig(dataDir, url), secretKey };
  const dbh = createDb(url, { schema });
  await dbh.migrate();
  const c = createContainer(config, { dbHandle: dbh, schema });
  return {
    url,
    schema,
    c,
    env: { PATH: process.env.PATH, DATABASE_URL: childUrl, TORTIE_DATA_DIR: dataDir, TORTIE_SECRET_KEY: secretKey, TORTIE_SYNC_LEASE_SECONDS: '2', LOG_LEVEL: 'warn' },
    async drop() {
      await c.close();
      await dbh.destroy();
      if (schema) {
        const admin = new pg.Client({ connectionString: PG_URL });
        await admin.connect();
        await admin.query(`drop schema if exists ${schema} cascade`);
        await admin.end();
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function prepareAccount(db: Db): Promise<string> {
  const { c } = db;
  await ensureSyntheticPrices(c);
  const e = await c.services.enterprises.create({ name: 'Crash Co', demo: true });
  const userId = await seedUser(c, e.enterprise_id, { email: 'crash@example.com' });
  const a = await c.services.connections.addAccount({ enterpriseId: e.enterprise_id, userId, providerId: 'sandbox-exchange', connection: { type: 'api_key', api_key: SEED, secret_key: 's' } });
  return a.account_id;
}

function runSync(db: Db, accountId: string) {
  const child = spawn(process.execPath, [MAIN, 'sync', '--account', accountId, '--wait', '--json'], { env: db.env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((res) => child.on('close', (code, signal) => res({ code, signal, stdout, stderr })));
  return { child, done };
}

async function countLive(db: Db, accountId: string): Promise<number> {
  const r = await db.c.ctx.db.selectFrom('transactions').select((eb) => eb.fn.countAll<number>().as('n')).where('account_id', '=', accountId).executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Everything a sync writes for the account, without ids and times that legitimately differ. */
async function snapshot(db: Db, accountId: string) {
  const { db: k } = db.c.ctx;
  const txs = await k
    .selectFrom('transactions')
    .select(['fingerprint', 'timestamp', 'type', 'status', 'category', 'inputs', 'outputs', 'fee_items', 'fee_total', 'tx_hash', 'provider_transaction_id', 'removed_at', 'price_source', 'priced_at', 'is_internal_transfer'])
    .where('account_id', '=', accountId)
    .orderBy('fingerprint')
    .execute();
  const movements = await k
    .selectFrom('transaction_movements as m')
    .innerJoin('transactions as t', 't.seq', 'm.transaction_seq')
    .select(['t.fingerprint', 'm.asset_id', 'm.side', 'm.quantity', 'm.value', 'm.is_trade'])
    .where('t.account_id', '=', accountId)
    .orderBy('t.fingerprint')
    .orderBy('m.side')
    .orderBy('m.asset_id')
    .orderBy('m.quantity')
    .execute();
  const positions = await k.selectFrom('asset_positions').select(['asset_id', 'quantity']).where('account_id', '=', accountId).orderBy('asset_id').execute();
  const account = await k.selectFrom('accounts').select(['status', 'status_cause', 'sync_cursor', 'reconciliation']).where('id', '=', accountId).executeTakeFirstOrThrow();
  const recon = JSON.parse(account.reconciliation ?? 'null') as { checked_at?: string } | null;
  if (recon) delete recon.checked_at;
  return {
    txs: txs.map((t) => ({ ...t, fee_total: t.fee_total === null ? null : normalize(t.fee_total) })),
    movements: movements.map((m) => ({ ...m, quantity: normalize(m.quantity), value: m.value === null ? null : normalize(m.value) })),
    positions: positions.map((p) => ({ ...p, quantity: normalize(p.quantity) })),
    account: { ...account, reconciliation: recon },
  };
}

describe('sync crash safety', () => {
  const opened: Db[] = [];
  afterAll(async () => {
    for (const d of opened) await d.drop();
  });

  describe.each(DIALECTS)('%s', (dialect) => {
    it('a worker SIGKILLed mid-sync and restarted leaves exactly what one clean sync leaves', async () => {
      ensureBuilt();
      const secret = randomBytes(32).toString('base64');
      const crashed = await openDb(dialect, secret);
      const clean = await openDb(dialect, secret);
      opened.push(crashed, clean);
      const crashedAccount = await prepareAccount(crashed);
      const cleanAccount = await prepareAccount(clean);

      // 1. start a sync and kill it once some pages are committed, before it is done
      const first = runSync(crashed, crashedAccount);
      let seen = 0;
      for (let i = 0; i < 6000; i++) {
        seen = await countLive(crashed, crashedAccount);
        if (seen >= 1500) break;
        await new Promise((r) => setTimeout(r, 10));
      }
      first.child.kill('SIGKILL');
      const killed = await first.done;
      // PostgreSQL: a COMMIT already sent may still complete after the client died; wait until the
      // server has ended the child's sessions so what we read next is final
      if (dialect === 'postgres') {
        const app = crashed.schema!;
        for (let i = 0; i < 500; i++) {
          const r = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where application_name = ${app} and pid <> pg_backend_pid()`.execute(crashed.c.ctx.db);
          if (r.rows[0]!.n === 0) break;
          await new Promise((res) => setTimeout(res, 20));
        }
      }
      expect(killed.signal, `killed mid-sync (stderr: ${killed.stderr.slice(-500)})`).toBe('SIGKILL');
      const atKill = await countLive(crashed, crashedAccount);
      expect(atKill).toBeGreaterThan(0);
      expect(atKill, 'the kill came before the sync finished').toBeLessThan(12000);
      // what was committed is whole pages with their cursor
      const cursor = JSON.parse((await crashed.c.repos.accounts.getById((await crashed.c.repos.sync.enterpriseOfAccount(crashedAccount))!, crashedAccount))!.sync_cursor ?? '{"next":0}') as { next: number };
      expect(cursor.next).toBe(atKill);

      // 2. run it again: it waits out the dead worker's lease, resumes from the cursor and finishes
      const second = await runSync(crashed, crashedAccount).done;
      expect(second.code, second.stderr.slice(-800)).toBe(0);
      const out = JSON.parse(second.stdout) as Record<string, unknown>;
      expect(out).toMatchObject({ account_id: crashedAccount, status: 'active', added: 12000 - atKill, updated: 0, removed: 0 });

      // 3. a clean sync of the same source elsewhere
      const cleanRun = await runSync(clean, cleanAccount).done;
      expect(cleanRun.code, cleanRun.stderr.slice(-800)).toBe(0);
      expect(JSON.parse(cleanRun.stdout)).toMatchObject({ added: 12000, updated: 0, removed: 0 });

      const a = await snapshot(crashed, crashedAccount);
      const b = await snapshot(clean, cleanAccount);
      expect(a.txs).toHaveLength(12000);
      expect(a.txs).toEqual(b.txs);
      expect(a.movements).toEqual(b.movements);
      expect(a.positions).toEqual(b.positions);
      expect(a.account).toEqual(b.account);
    }, 240_000);
  });
});
