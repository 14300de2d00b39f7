/**
 * The demo (SPEC §11 `demo`, `npm start`): a NEW demo enterprise filled with deterministic synthetic
 * users, sandbox accounts, histories and positions, written through the real storage code.
 *
 * Same seed ⇒ same content: names, e-mails, consent dates, accounts, every transaction (type,
 * status, timestamp, quantities, values) and every position — all relative to the run day (UTC),
 * so a run on a later day is the same demo shifted in time. Ids, client credentials and stored
 * (sealed) sandbox API keys are new each time. Values use the bundled SYNTHETIC price series, which
 * this installs or tops up first (see prices/synthetic-series.ts).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { EnterprisesService } from './enterprises.service.js';
import type { EnterprisesRepository } from '../repositories/enterprises.repository.js';
import type { UsersRepository } from '../repositories/users.repository.js';
import type { ConsentsRepository } from '../repositories/consents.repository.js';
import type { NewAccount } from '../repositories/accounts.repository.js';
import type { LedgerRepository } from '../repositories/ledger.repository.js';
import { PendingTrades } from '../repositories/trade-stats.js';
import type { PricesRepository } from '../repositories/prices.repository.js';
import type { Executor } from '../repositories/db-context.js';
import type { DialectName } from '../db/migrations/index.js';
import type { PriceService } from '../prices/price.service.js';
import type { CryptoEnvelope } from '../lib/crypto-envelope.js';
import type { Clock } from '../lib/clock.js';
import { DAY_MS, isoOf } from '../lib/clock.js';
import { AppError } from '../domain/errors.js';
import { COMPILED, ROOT_URL } from '../lib/paths.js';
import { ensureSyntheticPrices } from '../prices/synthetic-prices.js';
import { demoBatches, type DemoBatchOptions, type PreparedBatch } from './demo-prepare.js';

export { DEMO_CONSENT_VERSION } from './demo-prepare.js';

export interface DemoOptions {
  /** Number of users (default 25). */
  users?: number;
  /** Any string; the same seed gives the same content (default `tortie`). */
  seed?: string;
  /** Transactions per user across their accounts (default 300). */
  transactionsPerUser?: number;
  /** The enterprise's base currency, the currency of every stored value (default USD). */
  baseCurrency?: string;
  /**
   * Rows of trade-aggregate deltas gathered across batches before they are applied (default
   * 1,000,000; see `PendingTrades`). Tests set it low to see applications in the middle of a load.
   */
  pendingTradesMax?: number;
  /** Called after each batch is committed (progress of large demos; see `tortie demo`). */
  onProgress?: (p: DemoProgress) => void;
}

/** Progress of a demo being written: counts so far, and the totals it will reach. */
export interface DemoProgress {
  users: number;
  totalUsers: number;
  transactions: number;
  /** `users × transactions per user`. */
  totalTransactions: number;
  /** Seconds since writing started. */
  seconds: number;
}

/** What `tortie demo` prints. The client secret is shown only here. */
export interface DemoResult {
  enterprise_id: string;
  client_id: string;
  client_secret: string;
  /** Number of users created. */
  users: number;
}

export interface DemoStats {
  accounts: number;
  transactions: number;
  positions: number;
  /** Time spent generating and storing users, accounts, transactions and positions. */
  seconds: number;
  /** `transactions / seconds`. */
  transactionsPerSecond: number;
  /** Whether generation ran in a worker thread beside the writes. */
  worker: boolean;
}

export interface DemoServiceDeps {
  enterprises: EnterprisesService;
  enterprisesRepo: EnterprisesRepository;
  users: UsersRepository;
  consents: ConsentsRepository;
  ledger: LedgerRepository;
  pricesRepo: PricesRepository;
  prices: PriceService;
  envelope: CryptoEnvelope;
  clock: Clock;
  /**
   * Runs `fn`, many transactions in a row, as a bulk load (see `DbHandle.bulkLoad`); `fn` runs each
   * of them with the `transact` it is given.
   */
  bulkLoad: <T>(fn: (transact: <U>(work: (ex: Executor) => Promise<U>) => Promise<U>) => Promise<T>) => Promise<T>;
  /** The database written (the generator encodes a batch's rows for PostgreSQL's insert). */
  dialect: DialectName;
}

export const DEMO_DEFAULTS = { users: 25, seed: 'tortie', transactionsPerUser: 300 } as const;
export const DEMO_LIMITS = { users: 100_000, transactionsPerUser: 100_000 } as const;
/**
 * A batch (one database transaction, one message from the worker) closes at this many transactions
 * or users: small enough that writing starts early and a write lock is held briefly on SQLite.
 */
const BATCH = { maxTransactions: 1_500, maxUsers: 200 } as const;
/**
 * The trade aggregates' deltas are gathered across batches (the enterprise is read by nobody
 * before the demo ends) and applied in the batch that brings them past this many rows, and at the
 * end: about 200 MB of memory at most (see `PendingTrades`; `DemoOptions.pendingTradesMax`).
 */
const PENDING_TRADES_MAX = 1_000_000;

/**
 * The compiled worker (dist/services/demo-worker.js, bundled or not); none when running from
 * TypeScript sources (tests), which generate in-thread.
 */
const WORKER_URL = COMPILED ? new URL('dist/services/demo-worker.js', ROOT_URL) : null;

/**
 * The generator in a worker thread. It is started first, so its start-up (loading modules) overlaps
 * the enterprise's creation; `batches` then streams batches, one requested ahead so generating the
 * next (and building its rows: `ledgerRows`) overlaps writing this one. `stop` terminates it (call
 * it whatever happens).
 */
class DemoWorker {
  private readonly worker: Worker;
  private readonly waiting: { resolve: (b: PreparedBatch | null) => void; reject: (e: Error) => void }[] = [];

  constructor(url: URL) {
    this.worker = new Worker(url);
    const failAll = (e: Error) => {
      for (const w of this.waiting.splice(0)) w.reject(e);
    };
    this.worker.on('message', (b: PreparedBatch | null) => this.waiting.shift()?.resolve(b));
    this.worker.on('error', failAll);
    this.worker.on('exit', (code) => failAll(new Error(`demo worker exited (code ${code})`)));
  }

  async *batches(o: DemoBatchOptions): AsyncGenerator<PreparedBatch> {
    this.worker.postMessage({ start: o });
    const request = () =>
      new Promise<PreparedBatch | null>((resolve, reject) => {
        this.waiting.push({ resolve, reject });
        this.worker.postMessage('next');
      });
    let next = request();
    try {
      for (;;) {
        const batch = await next;
        if (batch === null) return;
        next = request();
        yield batch;
      }
    } finally {
      next.catch(() => undefined); // a request still in flight when the consumer stops
    }
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }
}

export class DemoService {
  constructor(private readonly d: DemoServiceDeps) {}

  /** Creates a new demo enterprise with generated users and data. */
  async generate(o: DemoOptions = {}): Promise<DemoResult & { stats: DemoStats }> {
    const users = o.users ?? DEMO_DEFAULTS.users;
    const perUser = o.transactionsPerUser ?? DEMO_DEFAULTS.transactionsPerUser;
    const seed = o.seed ?? DEMO_DEFAULTS.seed;
    if (!Number.isSafeInteger(users) || users < 1 || users > DEMO_LIMITS.users) throw AppError.badRequest('users', `users must be an integer from 1 to ${DEMO_LIMITS.users}`);
    if (!Number.isSafeInteger(perUser) || perUser < 0 || perUser > DEMO_LIMITS.transactionsPerUser) {
      throw AppError.badRequest('transactions_per_user', `transactions per user must be an integer from 0 to ${DEMO_LIMITS.transactionsPerUser}`);
    }

    const worker = WORKER_URL && existsSync(fileURLToPath(WORKER_URL)) ? new DemoWorker(WORKER_URL) : null;
    try {
      return await this.generateWith(worker, users, perUser, seed, o.baseCurrency, o.onProgress, o.pendingTradesMax ?? PENDING_TRADES_MAX);
    } finally {
      await worker?.stop();
    }
  }

  private async generateWith(
    worker: DemoWorker | null,
    users: number,
    perUser: number,
    seed: string,
    baseCurrency: string | undefined,
    onProgress: DemoOptions['onProgress'],
    pendingTradesMax: number,
  ): Promise<DemoResult & { stats: DemoStats }> {
    await ensureSyntheticPrices({ repos: { prices: this.d.pricesRepo }, prices: this.d.prices, clock: this.d.clock });
    const enterprise = await this.d.enterprises.create({ name: `Tortie Demo (seed ${seed})`.slice(0, 200), demo: true, baseCurrency });

    const started = performance.now();
    const nowMs = this.d.clock.now();
    const options: DemoBatchOptions = {
      enterpriseId: enterprise.enterprise_id,
      clientId: enterprise.client_id,
      seed,
      users,
      transactionsPerUser: perUser,
      currency: (baseCurrency ?? 'USD').toUpperCase(),
      anchorMs: Math.floor(nowMs / DAY_MS) * DAY_MS,
      nowMs,
      ...BATCH,
      dialect: this.d.dialect,
    };
    const stats = { accounts: 0, transactions: 0, positions: 0 };
    let written = 0;
    const pending = new PendingTrades();
    await this.d.bulkLoad(async (transact) => {
      for await (const batch of worker ? worker.batches(options) : demoBatches(options)) {
        await this.write(transact, batch, nowMs, stats, pending, pendingTradesMax);
        written += batch.users.length;
        onProgress?.({ users: written, totalUsers: users, transactions: stats.transactions, totalTransactions: users * perUser, seconds: (performance.now() - started) / 1000 });
      }
      if (pending.size) await transact((ex) => this.d.ledger.applyPendingTrades(ex, pending));
    });
    const seconds = (performance.now() - started) / 1000;
    return {
      enterprise_id: enterprise.enterprise_id,
      client_id: enterprise.client_id,
      client_secret: enterprise.client_secret,
      users,
      stats: { ...stats, seconds, transactionsPerSecond: seconds > 0 ? stats.transactions / seconds : 0, worker: worker !== null },
    };
  }

  /**
   * For `npm start`: creates the default 25-user demo enterprise when the database holds no
   * enterprise at all, and returns it; returns null (and changes nothing) otherwise.
   */
  async ensureDemo(o: DemoOptions = {}): Promise<(DemoResult & { stats: DemoStats }) | null> {
    if ((await this.d.enterprisesRepo.count()) > 0) return null;
    return this.generate(o);
  }

  /**
   * Writes a batch of users in one database transaction, through the repositories and the ledger
   * (`upsertRows`: the batch's transactions come as the rows `ledgerRows` built in the generator).
   */
  private async write(
    transact: <U>(work: (ex: Executor) => Promise<U>) => Promise<U>,
    batch: PreparedBatch,
    nowMs: number,
    stats: { accounts: number; transactions: number; positions: number },
    pending: PendingTrades,
    pendingMax: number,
  ): Promise<void> {
    const nowIso = isoOf(nowMs);
    // sandbox API keys are sealed like real credentials (AAD = the account id)
    const accounts: NewAccount[] = batch.users.flatMap((b) =>
      b.accounts.map((a) => ({ ...a.row, credentials_enc: a.credentials ? this.d.envelope.seal(JSON.stringify(a.credentials), a.row.id) : null })),
    );
    await transact(async (ex) => {
      // users with all their accounts: their stats counters are added from these rows, without reads
      await this.d.users.create(
        batch.users.map((b) => b.user),
        ex,
        accounts,
      );
      await this.d.consents.create(
        batch.users.map((b) => b.consent),
        ex,
      );
      await this.d.ledger.upsertRows(ex, batch.ledger, pending);
      if (pending.size >= pendingMax) await this.d.ledger.applyPendingTrades(ex, pending);
      await this.d.ledger.replacePositionsOf(
        ex,
        batch.users.flatMap((b) => b.ledgers.map((l) => ({ scope: l.scope, positions: l.positions }))),
        nowIso,
      );
    });
    for (const n of batch.counts) stats.transactions += n;
    for (const b of batch.users) for (const l of b.ledgers) stats.positions += l.positions.length;
    stats.accounts += accounts.length;
  }
}
