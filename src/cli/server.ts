/**
 * Runs the HTTP server until SIGINT or SIGTERM (shared by `serve` and `start`): a signing key is
 * ensured, JSON log lines go to stderr (stdout stays for what the command prints), and a signal
 * closes the server gracefully — in-flight requests finish, idle connections close. A second
 * signal exits at once. The handlers are installed before the server announces itself, so a
 * supervisor that signals as soon as it reads the URL is never met by the default (abrupt) exit.
 */
import type { FastifyInstance } from 'fastify';
import type { Container } from '../container.js';
import { buildApp } from '../http/app.js';
import { loggerOptions } from '../http/logger.js';
import { keepSyntheticPricesCurrent } from '../prices/synthetic-prices.js';
import { keepLivePricesCurrent } from '../prices/live-prices.js';

export interface ServeOptions {
  /** Called once the server listens, with the URL it listens on. */
  onListening(url: string): void;
  /** Where the JSON log lines go (default stderr). */
  logStream?: { write(line: string): void };
}

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

export async function serveUntilSignal(c: Container, o: ServeOptions): Promise<void> {
  let signalled: NodeJS.Signals | null = null;
  let wake: () => void = () => {};
  const stopRequested = new Promise<void>((resolve) => (wake = resolve));
  const onSignal = (signal: NodeJS.Signals): void => {
    if (signalled) {
      process.stderr.write(`tortie: second ${signal}: exiting without waiting\n`);
      process.exit(1);
    }
    signalled = signal;
    wake();
  };
  for (const s of SIGNALS) process.on(s, onSignal);
  try {
    await c.tokens.ensureSigningKey();
    const app = await buildApp(c, { logger: loggerOptions(c.config.logLevel, o.logStream ?? process.stderr) });
    let stopBackground: () => Promise<void> = async () => {};
    try {
      const url = await app.listen({ host: c.config.host, port: c.config.port });
      // nothing of this is needed to answer a request: it starts once the server listens (issue #5)
      stopBackground = startBackgroundWork(c, app);
      if (!signalled) o.onListening(url);
      await stopRequested;
      app.log.info({ signal: signalled }, 'shutting down');
    } finally {
      await stopBackground();
      await app.close();
    }
  } finally {
    for (const s of SIGNALS) process.off(s, onSignal);
  }
}

/**
 * What a server runs beside the API: on SQLite the sync worker (SPEC §9; on PostgreSQL syncs run
 * in `tortie worker` processes) and the price refreshers. Returns the function that stops it all.
 */
const WORKER_START_DELAY_MS = 1_000;
const OPTIMIZE_FIRST_MS = 60_000;
const OPTIMIZE_EVERY_MS = 6 * 3_600_000;

function startBackgroundWork(c: Container, app: FastifyInstance): () => Promise<void> {
  const syncLog = app.log.child({ component: 'sync' });
  const worker =
    c.dbh.dialect === 'sqlite' && c.config.inProcessSyncWorker
      ? c.createWorker({ workerId: `serve-${process.pid}`, concurrency: 2, log: (m, d) => syncLog.info(d ?? {}, m) })
      : null;
  // The worker's first round starts a second after listening: SQLite runs synchronously in this
  // thread, so a sync started at once (accounts fall due while a server is down) held the first
  // requests back by half a second at 10M transactions (the bench's start-up scenario).
  const startWorker = worker ? setTimeout(() => worker.start(), WORKER_START_DELAY_MS) : null;
  if (!worker) app.log.info(c.dbh.dialect === 'sqlite' ? 'TORTIE_SYNC_WORKER=off: syncs run in `tortie worker` processes' : 'PostgreSQL: syncs run in `tortie worker` processes (start one or more)');
  // planner statistics of a database that grows by syncs (see DbHandle.optimize)
  const optimize = () =>
    void c.dbh.optimize().catch((e: unknown) => app.log.warn({ err: e instanceof Error ? e.message : String(e) }, 'could not update planner statistics'));
  const firstOptimize = setTimeout(optimize, OPTIMIZE_FIRST_MS);
  const nextOptimize = setInterval(optimize, OPTIMIZE_EVERY_MS);
  firstOptimize.unref();
  nextOptimize.unref();
  const stopSynthetic = keepSyntheticPricesCurrent(c, (e) => app.log.error({ err: e instanceof Error ? e.message : String(e) }, 'could not top up synthetic prices'));
  const stopLive = keepLivePricesCurrent(c, (e) => app.log.warn({ err: e instanceof Error ? e.message : String(e) }, 'could not refresh live prices; values use the newest stored prices'));
  return async () => {
    clearTimeout(firstOptimize);
    clearInterval(nextOptimize);
    stopSynthetic();
    stopLive();
    if (startWorker) clearTimeout(startWorker);
    await worker?.stop();
  };
}
