// The server under test, started by bench/run.mjs (never by the application): the real
// application (createContainer + buildApp from dist/, configured from the environment like
// `tortie serve`) listening on 127.0.0.1, plus what only the benchmark needs —
//
//   - with TORTIE_BENCH_BARE_ROUTE=1, a bare route GET /bench/bare in the SAME Fastify instance,
//     answering bytes held in memory (set by the harness over IPC): the baseline a real route is
//     compared with;
//   - its own peak RSS, sampled every 10 ms, reset and read by the harness over IPC.
//
// No sync worker and no price top-ups run here (they would write while we measure reads).
// IPC messages: in { type: 'bare', body: base64 } | { type: 'rss-reset' } | { type: 'rss' };
// out { type: 'listening', url } | { type: 'rss', peak, current } | { type: 'bare-set' }.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const dist = process.env.TORTIE_DIST ? pathToFileURL(join(process.env.TORTIE_DIST, '/')).href : new URL('../dist/', import.meta.url).href;
const { loadConfig } = await import(new URL('config.js', dist).href);
const { createContainer } = await import(new URL('container.js', dist).href);
const { buildApp } = await import(new URL('http/app.js', dist).href);
const { loggerOptions } = await import(new URL('http/logger.js', dist).href);

let peak = process.memoryUsage.rss();
const sample = () => {
  const rss = process.memoryUsage.rss();
  if (rss > peak) peak = rss;
};
setInterval(sample, 10).unref();

const config = loadConfig(process.env);
const c = createContainer(config);
const pending = await c.dbh.pendingMigrations();
if (pending.length) throw new Error(`bench server: the database has pending migrations (${pending.join(', ')})`);
await c.tokens.ensureSigningKey();
const app = await buildApp(c, { logger: loggerOptions(config.logLevel, process.stderr) });

let bare = Buffer.from('{}');
if (process.env.TORTIE_BENCH_BARE_ROUTE === '1') {
  app.get('/bench/bare', async (_request, reply) => reply.type('application/json; charset=utf-8').send(bare));
}

process.on('message', (m) => {
  if (m.type === 'bare') {
    bare = Buffer.from(m.body, 'base64');
    process.send({ type: 'bare-set' });
  } else if (m.type === 'rss-reset') {
    peak = process.memoryUsage.rss();
    process.send({ type: 'rss-reset', current: peak });
  } else if (m.type === 'rss') {
    sample();
    process.send({ type: 'rss', peak, current: process.memoryUsage.rss() });
  }
});

const stop = async () => {
  await app.close();
  await c.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());

const url = await app.listen({ host: '127.0.0.1', port: 0 });
process.send({ type: 'listening', url });
