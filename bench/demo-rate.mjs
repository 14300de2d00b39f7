// Demo generation rate on SQLite and PostgreSQL (not part of `npm test`).
//
//   npm run build && node bench/demo-rate.mjs [--users 100] [--transactions-per-user 300] [--dialect sqlite|postgres|both]
//
// SQLite uses a fresh file in a temporary directory; PostgreSQL a fresh schema in
// TORTIE_TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres), dropped afterwards.
// TORTIE_DIST points at another build output directory (default ../dist).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '100' },
    'transactions-per-user': { type: 'string', default: '300' },
    dialect: { type: 'string', default: 'both' },
    seed: { type: 'string', default: 'bench' },
  },
});
const dist = process.env.TORTIE_DIST ? pathToFileURL(join(process.env.TORTIE_DIST, '/')).href : new URL('../dist/', import.meta.url).href;
const { createContainer } = await import(new URL('container.js', dist).href);
const { createDb } = await import(new URL('db/create-db.js', dist).href);
const { ensureSyntheticPrices } = await import(new URL('prices/synthetic-prices.js', dist).href);
const pg = (await import('pg')).default;

const PG_URL = process.env.TORTIE_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const users = Number(values.users);
const perUser = Number(values['transactions-per-user']);
const dialects = values.dialect === 'both' ? ['sqlite', 'postgres'] : [values.dialect];

for (const dialect of dialects) {
  const dir = mkdtempSync(join(tmpdir(), 'tortie-bench-'));
  const schema = `bench_${randomBytes(5).toString('hex')}`;
  const url = dialect === 'sqlite' ? `sqlite:${join(dir, 'bench.db')}` : PG_URL;
  const dbh = createDb(url, dialect === 'postgres' ? { schema } : {});
  const config = {
    databaseUrl: url, dataDir: dir, host: '127.0.0.1', port: 0, baseUrl: 'http://bench', secretKey: randomBytes(32).toString('base64'),
    smtpUrl: null, logLevel: 'silent', bodyLimit: 1 << 20,
  };
  const c = createContainer(config, { dbHandle: dbh, schema: dialect === 'postgres' ? schema : undefined });
  try {
    await dbh.migrate();
    const p0 = performance.now();
    await ensureSyntheticPrices(c); // installed once per database; timed apart from the demo itself
    const prices = (performance.now() - p0) / 1000;
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const r = await c.services.demo.generate({ users, transactionsPerUser: perUser, seed: values.seed });
    const total = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const s = r.stats;
    console.log(
      `${dialect.padEnd(8)} ${users} users × ${perUser}: ${s.transactions.toLocaleString('en-US')} transactions, ${s.accounts} accounts, ${s.positions} positions ` +
        `in ${s.seconds.toFixed(2)} s (${Math.round(s.transactionsPerSecond).toLocaleString('en-US')}/s); ${total.toFixed(2)} s with the enterprise (CPU ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s); price series installed in ${prices.toFixed(2)} s`,
    );
  } finally {
    await c.close();
    await dbh.destroy();
    rmSync(dir, { recursive: true, force: true });
    if (dialect === 'postgres') {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      await client.query(`drop schema if exists ${schema} cascade`);
      await client.end();
    }
  }
}
