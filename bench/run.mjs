#!/usr/bin/env node
// `npm run bench` — the performance suite of issue #5, run on demand (never by `npm test`).
//
//   npm run bench -- [--dialect sqlite|postgres|both] [--users 1000] [--transactions-per-user 100]
//                    [--database-url URL [--enterprise ID]] [--duration 10] [--connections 10]
//                    [--ingest-users 500] [--walk-max-pages 0] [--log-level warn] [--keep]
//                    [--only users,transactions,stats,walk,start,ingest]
//
// For each database it (1) takes the database given by --database-url (or BENCH_DATABASE_URL), or
// generates a fresh one with `tortie demo` (SQLite: a file in a temporary directory; PostgreSQL: a
// new database on TORTIE_TEST_DATABASE_URL's server, dropped afterwards unless --keep); (2) starts
// the real application in a child process (bench/server.mjs: buildApp + listen on 127.0.0.1, plus
// a bare route when TORTIE_BENCH_BARE_ROUTE=1); (3) drives HTTP load from other processes
// (bench/load.mjs: autocannon, each scenario bounded by --duration seconds); (4) measures the
// storage code's ingestion rate and the process start-up on scratch databases; and prints one table
// per scenario, the targets with PASS/FAIL, and writes everything to bench/results/<time>.json.
//
// An existing database must be opened with the environment it was made with (TORTIE_SECRET_KEY or
// TORTIE_DATA_DIR holding its secret.key). The figures describe the machine they ran on: compare
// ratios measured in the same run, not absolute numbers across machines.
import { fork, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, freemem, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { execFileSync } from 'node:child_process';
import { CompiledQuery } from 'kysely';
import { fullScanAccounts, fullScanBalance, fullScanTopTraded, fullScanUsers } from './full-scan.mjs';
import { measureIngestion } from './ingest.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    dialect: { type: 'string', default: 'sqlite' },
    'database-url': { type: 'string', default: process.env.BENCH_DATABASE_URL },
    enterprise: { type: 'string' },
    users: { type: 'string', default: '1000' },
    'transactions-per-user': { type: 'string', default: '100' },
    seed: { type: 'string', default: 'bench' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '10' },
    'ingest-users': { type: 'string', default: '500' },
    'walk-max-pages': { type: 'string', default: '0' },
    'start-runs': { type: 'string', default: '3' },
    'log-level': { type: 'string', default: 'warn' },
    keep: { type: 'boolean', default: false },
    only: { type: 'string' },
  },
});
const GROUPS = ['users', 'transactions', 'stats', 'walk', 'start', 'ingest'];
const ONLY = new Set(values.only ? values.only.split(',').map((x) => x.trim()) : GROUPS);
for (const g of ONLY) if (!GROUPS.includes(g)) throw new Error(`--only: unknown scenario group ${g} (one of ${GROUPS.join(', ')})`);
const DIST = process.env.TORTIE_DIST ?? join(HERE, '..', 'dist');
const distUrl = (p) => new URL(p, pathToFileURL(join(DIST, '/')).href).href;
const MAIN = join(DIST, 'main.js');
const m = {
  ...(await import(distUrl('container.js'))),
  ...(await import(distUrl('config.js'))),
  ...(await import(distUrl('db/create-db.js'))),
  ...(await import(distUrl('services/demo-prepare.js'))),
  ...(await import(distUrl('lib/ids.js'))),
  ...(await import(distUrl('lib/decimal.js'))),
};
const pg = (await import('pg')).default;

const DURATION = Number(values.duration);
const CONNECTIONS = Number(values.connections);
const PG_BASE = process.env.TORTIE_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const DAY = 86_400_000;
const log = (s) => process.stderr.write(`bench: ${s}\n`);
const ms = (x) => (x === null || x === undefined ? '—' : x < 10 ? x.toFixed(2) : x.toFixed(1));
const mb = (b) => (b / 1048576).toFixed(0);

// ---------------------------------------------------------------------------------------------
// databases

async function pgAdmin(fn) {
  const client = new pg.Client({ connectionString: PG_BASE });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A fresh empty database of the dialect: { url, dir, drop() }. */
async function freshDatabase(dialect, label) {
  const dir = mkdtempSync(join(tmpdir(), `tortie-bench-${label}-`));
  if (dialect === 'sqlite') return { url: `sqlite:${join(dir, 'tortie.db')}`, dir, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  const name = `tortie_bench_${label}_${randomBytes(4).toString('hex')}`;
  await pgAdmin((c) => c.query(`create database ${name}`));
  const u = new URL(PG_BASE);
  u.pathname = `/${name}`;
  return {
    url: u.href,
    dir,
    drop: async () => {
      await pgAdmin((c) => c.query(`drop database if exists ${name} with (force)`));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function diskBytes(url) {
  const { dialect, path } = m.parseDatabaseUrl(url);
  if (dialect === 'sqlite') return ['', '-wal', '-shm'].reduce((s, x) => s + (existsSync(path + x) ? statSync(path + x).size : 0), 0);
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return Number((await c.query('select pg_database_size(current_database()) as n')).rows[0].n);
  } finally {
    await c.end();
  }
}

/** `node dist/main.js <args> --json` → its JSON; stderr passes through, prefixed. */
function cli(args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args, '--json'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => process.stderr.write(String(d).replace(/^(?=.)/gm, '  | ')));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`tortie ${args.join(' ')} exited ${code}: ${out}`))));
  });
}

// ---------------------------------------------------------------------------------------------
// the server and its load

class Server {
  static async start(env) {
    const s = new Server();
    s.child = fork(join(HERE, 'server.mjs'), [], { env: { ...env, TORTIE_BENCH_BARE_ROUTE: '1' }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    s.url = (await s.next('listening')).url;
    return s;
  }
  next(type) {
    return new Promise((resolve, reject) => {
      const onMessage = (msg) => {
        if (msg.type !== type) return;
        this.child.off('message', onMessage);
        this.child.off('exit', onExit);
        resolve(msg);
      };
      const onExit = (code) => reject(new Error(`bench server exited (${code}) while waiting for ${type}`));
      this.child.on('message', onMessage);
      this.child.once('exit', onExit);
    });
  }
  async ask(msg, reply) {
    const p = this.next(reply);
    this.child.send(msg);
    return p;
  }
  async stop() {
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    await exited;
  }
}

/**
 * fetch, once more on a socket the server closed: a keep-alive connection left idle while a full
 * scan runs (a minute and more at 10M) is closed by the server (Fastify's keep-alive timeout), and
 * undici may hand it out again — "other side closed". Only idempotent requests (and token requests,
 * where a second token is harmless) go through here.
 */
async function fetchAgain(url, init) {
  try {
    return await fetch(url, init);
  } catch (e) {
    if (e?.cause?.code !== 'UND_ERR_SOCKET' && e?.cause?.code !== 'ECONNRESET') throw e;
    return fetch(url, init);
  }
}

async function tokenFor(baseUrl, creds) {
  const res = await fetchAgain(`${baseUrl}/oauth/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${creds.client_id}:${creds.client_secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  const body = await res.json();
  if (!res.ok) throw new Error(`POST /oauth/token: ${res.status} ${JSON.stringify(body)}`);
  return body.access_token;
}

/** One autocannon run from another process. */
function autocannon(url, headers, duration, connections, mode = 'autocannon') {
  return new Promise((resolve, reject) => {
    const child = fork(join(HERE, 'load.mjs'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', (msg) => (msg.ok ? resolve(msg.result) : reject(new Error(msg.error))));
    child.once('error', reject);
    child.send({ url, headers, duration, connections, mode });
  });
}

function table(title, columns, rows) {
  const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => String(c).padStart(widths[i])).join('  ');
  process.stdout.write(`\n${title}\n${line(columns)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n${rows.map(line).join('\n')}\n`);
}

// ---------------------------------------------------------------------------------------------
// one database

async function benchDialect(dialect) {
  const result = { dialect, scenarios: {}, stats: {}, targets: [] };
  const env = { ...process.env, LOG_LEVEL: values['log-level'], HOST: '127.0.0.1', PORT: '0' };
  const scratch = [];
  let db;
  let creds;
  try {
    // 1. the database
    const given = values['database-url'];
    if (given) {
      env.DATABASE_URL = given;
      db = m.createDb(given);
      const enterpriseId =
        values.enterprise ??
        (await db.db.selectFrom('users').select(['enterprise_id', db.db.fn.countAll().as('n')]).groupBy('enterprise_id').orderBy('n', 'desc').limit(1).executeTakeFirst())?.enterprise_id;
      if (!enterpriseId) throw new Error('the database holds no user; generate one with `tortie demo`');
      creds = { enterprise_id: enterpriseId, ...(await cli(['client', 'create', '--enterprise', enterpriseId], env)) };
      result.database = { url: given.replace(/\/\/[^@/]*@/, '//…@'), generated: false, enterprise_id: enterpriseId };
    } else {
      const f = await freshDatabase(dialect, 'main');
      scratch.push(f);
      Object.assign(env, { DATABASE_URL: f.url, TORTIE_DATA_DIR: f.dir, TORTIE_SECRET_KEY: randomBytes(32).toString('base64') });
      const users = Number(values.users);
      const perUser = Number(values['transactions-per-user']);
      log(`${dialect}: generating ${users.toLocaleString('en-US')} users × ${perUser} transactions with \`tortie demo\``);
      const t0 = performance.now();
      creds = await cli(['demo', '--users', String(users), '--transactions-per-user', String(perUser), '--seed', values.seed], env);
      const seconds = (performance.now() - t0) / 1000;
      db = m.createDb(f.url);
      const bytes = await diskBytes(f.url);
      const transactions = users * perUser;
      result.database = {
        generated: true,
        users,
        transactions,
        accounts: Number((await db.db.selectFrom('accounts').select(db.db.fn.countAll().as('n')).where('enterprise_id', '=', creds.enterprise_id).executeTakeFirstOrThrow()).n),
        seconds,
        transactions_per_second: transactions / seconds,
        disk_bytes: bytes,
        disk_bytes_per_million_transactions: transactions ? (bytes / transactions) * 1e6 : null,
      };
      log(`${dialect}: generated in ${seconds.toFixed(1)} s, ${mb(bytes)} MB on disk`);
    }
    const enterpriseId = creds.enterprise_id;
    if (dialect === 'postgres') {
      // steady state: the planner's statistics current, as autovacuum leaves them (see DbHandle.bulkLoad)
      await db.db.executeQuery(CompiledQuery.raw('analyze'));
    }

    // 2. the server
    const server = await Server.start(env);
    let token = await tokenFor(server.url, creds);
    const headers = () => ({ authorization: `Bearer ${token}` });
    const get = async (path) => {
      const res = await fetchAgain(server.url + path, { headers: headers() });
      const text = await res.text();
      if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${text.slice(0, 300)}`);
      return { text, json: JSON.parse(text) };
    };
    const run = async (name, path, duration = DURATION, connections = CONNECTIONS, mode = 'autocannon') => {
      token = await tokenFor(server.url, creds); // tokens last 15 minutes; each scenario starts with a fresh one
      await server.ask({ type: 'rss-reset' }, 'rss-reset');
      log(`${dialect}: ${name} for ${duration} s, ${mode === 'sequential' ? 'one request at a time' : `${connections} connection(s)`}`);
      const r = await autocannon(server.url + path, headers(), duration, mode === 'sequential' ? 1 : connections, mode);
      const rss = await server.ask({ type: 'rss' }, 'rss');
      const s = { path: path.replace(/cursor=[^&]+/, 'cursor=…'), connections: mode === 'sequential' ? 'sequential' : connections, ...r, peak_rss_bytes: rss.peak };
      result.scenarios[name] = s;
      if (r.non2xx || r.errors) log(`${dialect}: ${name}: ${r.non2xx} non-2xx answers, ${r.errors} errors`);
      return s;
    };

    try {
      // users: first page, a page deep in the list (reached by walking), the bare route
      if (ONLY.has('users')) {
        const first = await get('/enterprise/v2/users/all?limit=100');
        const total = (await get('/enterprise/v2/stats/users')).json.data.total;
        const pages = Math.ceil(total / 100);
        const deepIndex = Math.max(0, Math.floor((pages - 1) * 0.9));
        let deepPath = '/enterprise/v2/users/all?limit=100';
        for (let i = 0; i < deepIndex; i++) deepPath = (await get(deepPath)).json.page.next_uri;
        log(`${dialect}: deep page = page ${deepIndex + 1} of ${pages}`);
        await server.ask({ type: 'bare', body: Buffer.from(first.text).toString('base64') }, 'bare-set');
        const usersFirst = await run('users_first_page', '/enterprise/v2/users/all?limit=100');
        const usersDeep = await run('users_deep_page', deepPath);
        usersDeep.page = deepIndex + 1;
        usersDeep.pages = pages;
        // the latency of one request at a time, timed to the microsecond (autocannon's are whole
        // milliseconds, and a kept page takes a fraction of one): what the deep-page target compares
        await run('users_first_page_sequential', '/enterprise/v2/users/all?limit=100', DURATION, 1, 'sequential');
        Object.assign(await run('users_deep_page_sequential', deepPath, DURATION, 1, 'sequential'), { page: deepIndex + 1, pages });
        const bare = await run('bare_route_same_bytes', '/bench/bare');
        bare.bytes = Buffer.byteLength(first.text);
      }

      // transactions in a time window: throughput under load (autocannon), then the latency of one
      // request at a time, against the bare route answering the same page's bytes
      const anchor = Math.floor(Date.now() / DAY) * DAY;
      const iso = (t) => new Date(t).toISOString();
      if (ONLY.has('transactions')) {
        const txPath = `/enterprise/v2/transactions/all?start_time=${iso(anchor - 60 * DAY)}&end_time=${iso(anchor - 30 * DAY)}&limit=100`;
        const txAnswer = await get(txPath);
        const txPage = txAnswer.json.data.transactions.length;
        const tx = await run('transactions_window', txPath);
        tx.rows_per_page = txPage;
        await server.ask({ type: 'bare', body: Buffer.from(txAnswer.text).toString('base64') }, 'bare-set');
        const bareSeq = await run('bare_route_transactions_bytes_sequential', '/bench/bare', DURATION, 1, 'sequential');
        bareSeq.bytes = Buffer.byteLength(txAnswer.text);
        const txSeq = await run('transactions_window_sequential', txPath, DURATION, 1, 'sequential');
        txSeq.rows_per_page = txPage;
        txSeq.bytes = Buffer.byteLength(txAnswer.text);
      }

      // the four stats endpoints vs full scans
      const topWindow = { start: iso(anchor - 30 * DAY), end: iso(anchor) };
      const statsCases = [
        { name: 'users', path: '/enterprise/v2/stats/users', api: (d) => d, scan: () => fullScanUsers(db, enterpriseId, Date.now()) },
        {
          name: 'accounts',
          path: '/enterprise/v2/stats/accounts',
          api: (d) => ({ total: d.total, providers: d.providers.map((p) => ({ provider_id: p.provider_id, accounts: p.accounts, users: p.users })).sort((a, b) => (a.provider_id < b.provider_id ? -1 : 1)) }),
          scan: () => fullScanAccounts(db, enterpriseId),
        },
        {
          name: 'balance',
          path: '/enterprise/v2/stats/balance',
          api: (d) => d.assets.map((a) => ({ asset_id: a.asset_id, quantity: a.quantity, holders: a.holders })).sort((a, b) => (a.asset_id < b.asset_id ? -1 : 1)),
          scan: () => fullScanBalance(db, enterpriseId, m.normalize),
          check: (d) => d.total_value.amount === m.sum(d.assets.filter((a) => a.value).map((a) => a.value.amount)),
        },
        {
          name: 'top_traded_assets',
          path: `/enterprise/v2/stats/top-traded-assets?start_time=${topWindow.start}&end_time=${topWindow.end}&rank_by=count&limit=100`,
          api: (d) => d.assets.map((a) => ({ asset_id: a.asset_id, trade_count: a.trade_count, traders: a.traders, volume: a.volume.amount })).sort((a, b) => (a.asset_id < b.asset_id ? -1 : 1)),
          scan: () => fullScanTopTraded(db, enterpriseId, topWindow.start, topWindow.end, m.normalize),
        },
      ];
      // one connection: the latency of one request (not its queueing behind others) against one full scan
      // autocannon's latencies are whole milliseconds: the speedup uses the median of sequential
      // requests timed here (another process than the server) to the microsecond
      const timeApi = async (path) => {
        const xs = [];
        const until = performance.now() + 5_000;
        while (xs.length < 5 || (xs.length < 50 && performance.now() < until)) {
          const t0 = performance.now();
          await get(path);
          xs.push(performance.now() - t0);
        }
        return xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
      };
      for (const sc of ONLY.has('stats') ? statsCases : []) {
        const load = await run(`stats_${sc.name}`, sc.path, Math.max(5, Math.round(DURATION / 2)), 1);
        const apiMs = await timeApi(sc.path);
        const answer = (await get(sc.path)).json.data;
        log(`${dialect}: full scan for stats/${sc.name}`);
        const t0 = performance.now();
        const scanned = await sc.scan();
        const scanMs = performance.now() - t0;
        const apiFigures = sc.api(answer);
        const equal = JSON.stringify(apiFigures) === JSON.stringify(scanned) && (sc.check ? sc.check(answer) : true);
        result.stats[sc.name] = {
          api_p50_ms: apiMs,
          autocannon_p50_ms: load.p50,
          full_scan_ms: scanMs,
          speedup: scanMs / apiMs,
          equal,
          ...(equal ? {} : { api: apiFigures, full_scan: scanned }),
        };
      }

      // walking every page of /transactions/all
      if (ONLY.has('walk')) {
        token = await tokenFor(server.url, creds);
        await server.ask({ type: 'rss-reset' }, 'rss-reset');
        const maxPages = Number(values['walk-max-pages']);
        log(`${dialect}: walking /transactions/all${maxPages ? ` (at most ${maxPages} pages)` : ''}`);
        const w0 = performance.now();
        let next = '/enterprise/v2/transactions/all?limit=100';
        let walked = 0;
        let rows = 0;
        const seen = new Set();
        let repeated = 0;
        while (next && (!maxPages || walked < maxPages)) {
          if (walked % 2000 === 1999) token = await tokenFor(server.url, creds);
          const page = (await get(next)).json;
          for (const t of page.data.transactions) {
            if (seen.has(t.transaction_id)) repeated++;
            if (seen.size < 2_000_000) seen.add(t.transaction_id);
          }
          rows += page.data.transactions.length;
          walked++;
          next = page.page.next_uri;
        }
        const walkSeconds = (performance.now() - w0) / 1000;
        const walkRss = await server.ask({ type: 'rss' }, 'rss');
        result.scenarios.walk_transactions = { pages: walked, rows, complete: next === null, repeated_rows: repeated, seconds: walkSeconds, pages_per_second: walked / walkSeconds, peak_rss_bytes: walkRss.peak };
      }
    } finally {
      await server.stop();
    }

    // 3. process start to first answered request (the real `tortie serve`)
    if (ONLY.has('start')) {
      const starts = [];
      for (let i = 0; i < Number(values['start-runs']); i++) starts.push(await startUp(env, creds));
      const startMs = starts.map((s) => s.first_answer_ms).sort((a, b) => a - b);
      const enterpriseMs = starts.map((s) => s.first_enterprise_answer_ms).sort((a, b) => a - b);
      result.scenarios.start = {
        runs: starts,
        median_first_answer_ms: startMs[Math.floor(startMs.length / 2)],
        median_first_enterprise_answer_ms: enterpriseMs[Math.floor(enterpriseMs.length / 2)],
        ccxt_loaded: starts.some((s) => s.ccxt.length > 0),
      };
    }

    // 4. ingestion through the storage code vs a raw insert, on a scratch database
    if (ONLY.has('ingest')) {
      const ing = await freshDatabase(dialect, 'ingest');
      scratch.push(ing);
      log(`${dialect}: ingestion of ${(Number(values['ingest-users']) * 100).toLocaleString('en-US')} transactions (storage code, then raw inserts)`);
      result.ingestion = await measureIngestion(m, { config: m.loadConfig({ ...env, DATABASE_URL: ing.url, TORTIE_DATA_DIR: ing.dir, TORTIE_SECRET_KEY: randomBytes(32).toString('base64') }), users: Number(values['ingest-users']), transactionsPerUser: 100 });
    }
  } finally {
    await db?.destroy();
    if (!values.keep) for (const s of scratch) await s.drop().catch((e) => log(`could not drop ${s.url}: ${e.message}`));
    else log(`${dialect}: kept ${scratch.map((s) => s.url).join(', ')}`);
  }
  result.targets = targets(result);
  return result;
}

/** Spawns `tortie serve`, times spawn → first answered request, and lists any ccxt module it loaded. */
async function startUp(env, creds) {
  const dir = mkdtempSync(join(tmpdir(), 'tortie-bench-start-'));
  const importLog = join(dir, 'imports.log');
  const t0 = performance.now();
  const child = spawn(process.execPath, ['--import', pathToFileURL(join(HERE, 'import-watch.mjs')).href, MAIN, 'serve', '--json'], {
    // no sync worker: it would sync due accounts of the benchmark database, changing what later
    // runs measure (and a sync holding the event loop is not start-up)
    env: { ...env, TORTIE_BENCH_IMPORT_LOG: importLog, TORTIE_SYNC_WORKER: 'off' },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const exited = new Promise((r) => child.once('exit', r));
  try {
    const url = await new Promise((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        const line = out.split('\n').find((l) => l.startsWith('{'));
        if (line) resolve(JSON.parse(line).url);
      });
      child.once('exit', (code) => reject(new Error(`tortie serve exited (${code}) before listening`)));
    });
    const listening = performance.now() - t0;
    const res = await fetch(`${url}/healthz`);
    const firstAnswer = performance.now() - t0;
    if (res.status !== 200) throw new Error(`GET /healthz: ${res.status}`);
    const token = await tokenFor(url, creds);
    const r2 = await fetch(`${url}/enterprise/v2/users/all?limit=1`, { headers: { authorization: `Bearer ${token}` } });
    const firstEnterprise = performance.now() - t0;
    if (r2.status !== 200) throw new Error(`GET /enterprise/v2/users/all: ${r2.status}`);
    await new Promise((r) => setTimeout(r, 200)); // anything loaded right after the first answers
    const ccxt = existsSync(importLog) ? readFileSync(importLog, 'utf8').split('\n').filter(Boolean) : [];
    return { listening_ms: listening, first_answer_ms: firstAnswer, first_enterprise_answer_ms: firstEnterprise, ccxt };
  } finally {
    child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  }
}

function targets(r) {
  const s = r.scenarios;
  const t = [];
  const add = (name, value, op, limit, detail) => t.push({ name, value, target: `${op} ${limit}`, pass: op === '≤' ? value <= limit : op === '<' ? value < limit : value >= limit, detail });
  if (s.users_first_page_sequential) {
    // one request at a time, timed to the microsecond: autocannon's latencies are whole
    // milliseconds, and its mean under load counts mostly which requests crossed 1 ms
    const deep = s.users_deep_page_sequential;
    const first = s.users_first_page_sequential;
    add('users/all deep page p50 ÷ first page p50 (one request at a time)', deep.p50 / first.p50, '≤', 1.2, `${ms(deep.p50)} ms vs ${ms(first.p50)} ms, p99 ${ms(deep.p99)} vs ${ms(first.p99)} ms (page ${deep.page} of ${deep.pages}); under load, means ${ms(s.users_deep_page.mean)} vs ${ms(s.users_first_page.mean)} ms`);
  }
  if (s.users_first_page) {
    add('users/all throughput ÷ bare route throughput', s.users_first_page.rps / s.bare_route_same_bytes.rps, '≥', 0.5, `${s.users_first_page.rps.toFixed(0)} vs ${s.bare_route_same_bytes.rps.toFixed(0)} req/s`);
  }
  if (s.transactions_window_sequential) {
    const tx = s.transactions_window_sequential;
    const bare = s.bare_route_transactions_bytes_sequential;
    add('transactions/all window p99 ÷ bare route p99 (same bytes, one request at a time)', tx.p99 / bare.p99, '≤', 3, `${ms(tx.p99)} ms vs ${ms(bare.p99)} ms (${tx.rows_per_page} transactions, ${(tx.bytes / 1024).toFixed(0)} KiB a page)`);
  }
  for (const [name, x] of Object.entries(r.stats)) {
    add(`stats/${name}: full scan ÷ API p50`, x.speedup, '≥', 20, `${ms(x.full_scan_ms)} ms vs ${ms(x.api_p50_ms)} ms`);
    t.push({ name: `stats/${name}: equal to the full scan`, value: x.equal, target: 'equal', pass: x.equal, detail: x.equal ? 'every figure equal' : 'DIFFERENT (see JSON)' });
  }
  if (r.ingestion) add('ingestion: storage code ÷ raw insert', r.ingestion.ratio, '≥', 0.5, `${r.ingestion.storage.per_second.toFixed(0)} vs ${r.ingestion.raw.per_second.toFixed(0)} transactions/s`);
  if (s.walk_transactions) add('walk every /transactions/all page: server peak RSS (MB)', s.walk_transactions.peak_rss_bytes / 1048576, '<', 300, `${s.walk_transactions.pages} pages, ${s.walk_transactions.rows} rows${s.walk_transactions.complete ? '' : ' (stopped early)'}`);
  if (s.start) {
    add('start to first answered request (ms, median)', s.start.median_first_answer_ms, '<', 1000, s.start.runs.map((x) => ms(x.first_answer_ms)).join(', ') + ` ms (first Enterprise API answer, token included: ${ms(s.start.median_first_enterprise_answer_ms)} ms)`);
    t.push({ name: 'no exchange library loaded at start', value: !s.start.ccxt_loaded, target: 'ccxt not loaded', pass: !s.start.ccxt_loaded, detail: s.start.ccxt_loaded ? s.start.runs.flatMap((x) => x.ccxt).slice(0, 3).join('; ') : 'ccxt never imported' });
  }
  return t;
}

function print(r) {
  const d = r.database;
  process.stdout.write(`\n=== ${r.dialect} ===\n`);
  if (d.generated) {
    process.stdout.write(
      `database: generated ${d.users.toLocaleString('en-US')} users, ${d.accounts.toLocaleString('en-US')} accounts, ${d.transactions.toLocaleString('en-US')} transactions ` +
        `in ${d.seconds.toFixed(1)} s (${d.transactions_per_second.toFixed(0)}/s), ${mb(d.disk_bytes)} MB on disk (${mb(d.disk_bytes_per_million_transactions)} MB per million transactions)\n`,
    );
  } else process.stdout.write(`database: ${d.url}, enterprise ${d.enterprise_id}\n`);
  const load = Object.entries(r.scenarios).filter(([, s]) => s.p50 !== undefined);
  for (const [name, s] of load) {
    table(`${name}: GET ${s.path}`, ['connections', 'p50 ms', 'p99 ms', 'req/s', 'requests', 'non-2xx', 'peak RSS MB'], [[s.connections, ms(s.p50), ms(s.p99), s.rps.toFixed(0), s.requests, s.non2xx, mb(s.peak_rss_bytes)]]);
  }
  if (Object.keys(r.stats).length) table('stats vs full-scan SQL', ['endpoint', 'API p50 ms', 'full scan ms', 'speedup', 'equal'], Object.entries(r.stats).map(([n, x]) => [n, ms(x.api_p50_ms), ms(x.full_scan_ms), x.speedup.toFixed(1) + '×', x.equal ? 'yes' : 'NO']));
  const w = r.scenarios.walk_transactions;
  if (w) table('walk every page of /transactions/all (limit=100)', ['pages', 'rows', 'complete', 'pages/s', 'peak RSS MB'], [[w.pages, w.rows, w.complete ? 'yes' : 'no', w.pages_per_second.toFixed(0), mb(w.peak_rss_bytes)]]);
  const i = r.ingestion;
  if (i) table('sync ingestion (normalized transactions/s)', ['path', 'transactions', 'seconds', 'per second'], [
    ['storage code (upsertTransactions)', i.transactions, i.storage.seconds.toFixed(2), i.storage.per_second.toFixed(0)],
    ['raw batched INSERT, same rows', i.transactions, i.raw.seconds.toFixed(2), i.raw.per_second.toFixed(0)],
  ]);
  if (r.scenarios.start) table('start-up (tortie serve)', ['run', 'listening ms', 'first answer ms', 'first enterprise answer ms', 'ccxt loaded'], r.scenarios.start.runs.map((x, k) => [k + 1, ms(x.listening_ms), ms(x.first_answer_ms), ms(x.first_enterprise_answer_ms), x.ccxt.length ? 'YES' : 'no']));
  table(`targets (${r.dialect})`, ['', 'measure', 'value', 'target', 'detail'], r.targets.map((x) => [x.pass ? 'PASS' : 'FAIL', x.name, typeof x.value === 'number' ? x.value.toFixed(2) : String(x.value), x.target, x.detail]));
}

function machine() {
  const sh = (cmd, args) => {
    try {
      return execFileSync(cmd, args, { encoding: 'utf8' }).trim();
    } catch {
      return null;
    }
  };
  return {
    nproc: cpus().length,
    cpu: cpus()[0]?.model ?? null,
    memory_total_bytes: totalmem(),
    memory_free_bytes: freemem(),
    node: process.version,
    loadavg_at_start: loadavg(),
    disk: sh('df', ['-h', tmpdir()]),
  };
}

const dialects = values['database-url'] ? [m.parseDatabaseUrl(values['database-url']).dialect] : values.dialect === 'both' ? ['sqlite', 'postgres'] : [values.dialect];
const report = { started_at: new Date().toISOString(), machine: machine(), options: { ...values, 'database-url': values['database-url'] ? '(given)' : undefined }, results: [] };
let failed = false;
for (const dialect of dialects) {
  const r = await benchDialect(dialect);
  report.results.push(r);
  print(r);
  failed ||= r.targets.some((x) => !x.pass);
}
report.loadavg_at_end = loadavg();
report.finished_at = new Date().toISOString();
const outDir = join(HERE, 'results');
mkdirSync(outDir, { recursive: true });
const file = join(outDir, `${report.started_at.replace(/[:.]/g, '-')}.json`);
writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
process.stdout.write(`\nresults: ${file}\n${failed ? 'some targets FAILED' : 'every target PASSED'}\n`);
