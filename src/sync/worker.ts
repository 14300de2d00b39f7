/**
 * The sync worker (SPEC §9): claims due jobs from the database queue with a lease, runs them with a
 * per-provider concurrency budget, keeps the lease alive while a job runs, retries retryable
 * failures with exponential backoff and jitter, feeds each provider's circuit breaker, and enqueues
 * scheduled syncs. Any number of workers (processes, machines) can share one PostgreSQL queue; on
 * SQLite the worker runs inside `tortie serve`.
 */
import { randomUUID } from 'node:crypto';
import { PermanentConnectorError, RetryableConnectorError } from '../connectors/connector.js';
import type { SyncJobRow, SyncRepository } from '../repositories/sync.repository.js';
import { isoOf } from '../lib/clock.js';
import { uuidv7 } from '../lib/ids.js';
import { backoffDelay } from './backoff.js';
import { LeaseLostError, syncAccount, type SyncAccountDeps, type SyncResult } from './sync-account.js';

export interface WorkerOptions {
  workerId?: string;
  /** Jobs run at once by this worker. */
  concurrency: number;
  /** Jobs of one provider run at once by this worker. */
  perProviderConcurrency: number;
  pollMs: number;
  maxAttempts: number;
  /** Enqueue due scheduled syncs at most this often. */
  scheduleEveryMs: number;
  /** Consecutive retryable failures after which a provider is `degraded`, and after which its circuit opens (`down`). */
  breaker: { degradedAfter: number; openAfter: number; openForMs: number };
  random?: () => number;
}

export const DEFAULT_WORKER_OPTIONS: WorkerOptions = {
  concurrency: 4,
  perProviderConcurrency: 2,
  pollMs: 1_000,
  maxAttempts: 5,
  scheduleEveryMs: 60_000,
  breaker: { degradedAfter: 2, openAfter: 5, openForMs: 60_000 },
};

export type JobOutcome =
  | { kind: 'succeeded'; result: SyncResult }
  | { kind: 'retry'; runAt: string; cause: string }
  | { kind: 'failed'; cause: string; message: string }
  | { kind: 'lease_lost' };

export class SyncWorker {
  readonly workerId: string;
  private readonly o: WorkerOptions;
  private readonly active = new Map<string, number>();
  private stopping = false;
  private loop: Promise<void> | null = null;
  private readonly waiters = new Set<() => void>();

  constructor(
    private readonly d: SyncAccountDeps & { sync: SyncRepository },
    options: Partial<WorkerOptions> = {},
  ) {
    this.o = { ...DEFAULT_WORKER_OPTIONS, ...options };
    this.workerId = this.o.workerId ?? `w-${randomUUID()}`;
  }

  start(): void {
    if (this.loop) return;
    this.stopping = false;
    this.loop = this.run();
  }

  /** Stops claiming; waits for running jobs to finish. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.poke();
    await this.loop;
    this.loop = null;
  }

  /** Enqueues scheduled syncs of accounts that are due. */
  async scheduleDue(): Promise<number> {
    const now = this.d.clock.now();
    const due = await this.d.sync.dueAccounts(isoOf(now), 500);
    let n = 0;
    for (const a of due) {
      const r = await this.d.sync.enqueue({ id: uuidv7(now), enterprise_id: a.enterprise_id, account_id: a.id, provider_id: a.provider_id, run_at: isoOf(now), max_attempts: this.o.maxAttempts, reason: 'scheduled', created_at: isoOf(now) });
      if (r.created) n++;
    }
    return n;
  }

  /**
   * Claims and runs one due job (or the given one). Returns null when nothing was claimable.
   * Exposed for the CLI's `sync --wait` and for tests; the loop calls it too.
   */
  async runOne(onlyJobId?: string): Promise<{ job: SyncJobRow; outcome: JobOutcome } | null> {
    const now = this.d.clock.now();
    const busy = [...this.active].filter(([, n]) => n >= this.o.perProviderConcurrency).map(([p]) => p);
    const job = await this.d.sync.claim(this.workerId, isoOf(now), isoOf(now + this.d.leaseMs), busy, onlyJobId);
    if (!job) return null;
    this.active.set(job.provider_id, (this.active.get(job.provider_id) ?? 0) + 1);
    try {
      return { job, outcome: await this.execute(job) };
    } finally {
      this.active.set(job.provider_id, (this.active.get(job.provider_id) ?? 1) - 1);
    }
  }

  private async execute(job: SyncJobRow): Promise<JobOutcome> {
    const nowIso = () => isoOf(this.d.clock.now());
    if (job.attempts > job.max_attempts) {
      // a job whose workers kept dying: give up rather than loop forever
      const message = `gave up after ${job.max_attempts} attempts`;
      await this.d.sync.finish(this.d.db, job.id, this.workerId, 'failed', nowIso(), undefined, { message, cause: 'internal_error' });
      await this.d.sync.setAccountStatus(this.d.db, job.enterprise_id, job.account_id, { status: 'error', status_cause: 'internal_error' });
      return { kind: 'failed', cause: 'internal_error', message };
    }
    const heartbeat = setInterval(() => {
      void this.d.sync.heartbeat(this.d.db, job.id, this.workerId, isoOf(this.d.clock.now() + this.d.leaseMs)).catch(() => undefined);
    }, Math.max(1_000, Math.floor(this.d.leaseMs / 3)));
    try {
      const result = await syncAccount(this.d, job, this.workerId);
      await this.d.sync.providerSucceeded(job.provider_id, nowIso());
      this.d.log?.('sync succeeded', { job_id: job.id, ...result });
      return { kind: 'succeeded', result };
    } catch (e) {
      if (e instanceof LeaseLostError) return { kind: 'lease_lost' };
      return await this.failed(job, e);
    } finally {
      clearInterval(heartbeat);
    }
  }

  private async failed(job: SyncJobRow, e: unknown): Promise<JobOutcome> {
    const now = this.d.clock.now();
    const permanent = e instanceof PermanentConnectorError;
    const retryable = e instanceof RetryableConnectorError;
    const cause = permanent ? (e.cause_ === 'invalid_credentials' ? 'invalid_credentials' : 'internal_error') : retryable ? (e.cause_ === 'rate_limited' ? 'rate_limited' : 'provider_unavailable') : 'internal_error';
    const message = e instanceof Error ? e.message : String(e);
    this.d.log?.('sync failed', { job_id: job.id, account_id: job.account_id, provider_id: job.provider_id, attempt: job.attempts, cause, message });
    if (retryable) {
      const open = this.o.breaker;
      await this.d.sync.providerFailed(job.provider_id, isoOf(now), open.degradedAfter, open.openAfter, isoOf(now + open.openForMs));
    }
    if (!permanent && job.attempts < job.max_attempts) {
      const delay = backoffDelay(job.attempts, retryable ? e.retryAfterMs : undefined, this.o.random ?? Math.random);
      const runAt = isoOf(now + delay);
      await this.d.sync.requeue(job.id, this.workerId, runAt, isoOf(now), { message, cause });
      return { kind: 'retry', runAt, cause };
    }
    await this.d.db.transaction().execute(async (trx) => {
      await this.d.sync.finish(trx, job.id, this.workerId, 'failed', isoOf(now), undefined, { message, cause });
      // the last-known data stays readable; reads of the user answer 206 naming this account
      await this.d.sync.setAccountStatus(trx, job.enterprise_id, job.account_id, { status: 'error', status_cause: cause, next_sync_at: isoOf(now + this.d.intervalMs) });
    });
    return { kind: 'failed', cause, message };
  }

  private async run(): Promise<void> {
    const slots = Array.from({ length: this.o.concurrency }, () => this.slot());
    await Promise.all([...slots, this.scheduler()]);
  }

  private async slot(): Promise<void> {
    while (!this.stopping) {
      let ran: Awaited<ReturnType<SyncWorker['runOne']>> = null;
      try {
        ran = await this.runOne();
      } catch (e) {
        this.d.log?.('worker error', { message: e instanceof Error ? e.message : String(e) });
      }
      if (!ran) await this.sleep(this.o.pollMs);
    }
  }

  private async scheduler(): Promise<void> {
    while (!this.stopping) {
      try {
        await this.scheduleDue();
      } catch (e) {
        this.d.log?.('scheduler error', { message: e instanceof Error ? e.message : String(e) });
      }
      await this.sleep(this.o.scheduleEveryMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        this.waiters.delete(done);
        resolve();
      };
      const t = setTimeout(done, ms);
      this.waiters.add(done);
    });
  }

  /** Wakes the loop now (a job was just enqueued). */
  poke(): void {
    for (const w of [...this.waiters]) w();
  }
}
