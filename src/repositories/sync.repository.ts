/**
 * All SQL of the sync engine: the job queue (enqueue, claim with a lease, heartbeat, finish), the
 * account's sync state (cursor, status, reconciliation), removal marking, internal-transfer
 * marking and the provider circuit-breaker state. Jobs carry their enterprise id and every account
 * read is scoped by it.
 */
import { sql, type Selectable } from 'kysely';
import type { SyncJobsTable } from '../db/schema.js';
import { chunks, type DbContext, type Executor } from './db-context.js';
import { StatsCounters } from './stats-counters.js';
import { TradeStats } from './trade-stats.js';
import { normalize } from '../lib/decimal.js';

export type SyncJobRow = Selectable<SyncJobsTable>;

export interface NewSyncJob {
  id: string;
  enterprise_id: string;
  account_id: string;
  provider_id: string;
  run_at: string;
  max_attempts: number;
  reason: 'scheduled' | 'on_demand';
  created_at: string;
}

export interface AccountForSync {
  id: string;
  enterprise_id: string;
  user_id: string;
  provider_id: string;
  status: string;
  credentials_enc: string | null;
  sync_cursor: string | null;
  base_currency: string;
  user_deactivated: boolean;
}

export class SyncRepository {
  private readonly counters: StatsCounters;
  private readonly trades: TradeStats;

  constructor(private readonly ctx: DbContext) {
    this.counters = new StatsCounters(ctx);
    this.trades = new TradeStats(ctx);
  }

  /** Queues a job unless the account already has an open one; returns the open job's id either way. */
  async enqueue(job: NewSyncJob): Promise<{ id: string; created: boolean }> {
    const inserted = await this.ctx.db
      .insertInto('sync_jobs')
      .values({ ...job, state: 'queued', attempts: 0, locked_by: null, locked_until: null, last_error: null, last_error_cause: null, result: null, updated_at: job.created_at, finished_at: null })
      .onConflict((oc) => oc.doNothing())
      .returning('id')
      .executeTakeFirst();
    if (inserted) return { id: inserted.id, created: true };
    const open = await this.ctx.db
      .selectFrom('sync_jobs')
      .select('id')
      .where('account_id', '=', job.account_id)
      .where('enterprise_id', '=', job.enterprise_id)
      .where('state', 'in', ['queued', 'running'])
      .executeTakeFirst();
    return { id: open?.id ?? job.id, created: false };
  }

  /**
   * Claims the next due job — queued and due, or running with an expired lease (its worker died) —
   * skipping providers whose circuit is open and `busyProviders`. Atomic on both databases: one
   * UPDATE … RETURNING over a sub-select (FOR UPDATE SKIP LOCKED on PostgreSQL).
   */
  async claim(workerId: string, nowIso: string, lockedUntil: string, busyProviders: string[], onlyJobId?: string): Promise<SyncJobRow | undefined> {
    const pg = this.ctx.dialect === 'postgres';
    const busy = busyProviders.length ? sql`and j.provider_id not in (${sql.join(busyProviders)})` : sql``;
    const only = onlyJobId ? sql`and j.id = ${onlyJobId}` : sql``;
    const pick = sql`select j.id from sync_jobs j
      where ((j.state = 'queued' and j.run_at <= ${nowIso}) or (j.state = 'running' and j.locked_until < ${nowIso}))
        and not exists (select 1 from provider_status p where p.provider_id = j.provider_id and p.open_until > ${nowIso})
        ${busy} ${only}
      order by j.run_at, j.id
      limit 1 ${pg ? sql`for update skip locked` : sql``}`;
    const r = await sql<SyncJobRow>`update sync_jobs set state = 'running', locked_by = ${workerId}, locked_until = ${lockedUntil},
        attempts = attempts + 1, updated_at = ${nowIso}
      where id = (${pick}) returning *`.execute(this.ctx.db);
    return r.rows[0];
  }

  /**
   * Locks the user's row until the end of `trx` (PostgreSQL; SQLite's write transactions are
   * serialized already). A sync's final transaction takes it first: replacing positions locks the
   * user to keep the stats counters exact, and erasure and account removal lock the user before
   * touching the jobs, transactions and accounts this transaction writes — taking the user's lock
   * later would let the two wait for each other (a deadlock PostgreSQL resolves by aborting one).
   */
  async lockUser(trx: Executor, enterpriseId: string, userId: string): Promise<void> {
    if (this.ctx.dialect !== 'postgres') return;
    await trx.selectFrom('users').select('id').where('enterprise_id', '=', enterpriseId).where('id', '=', userId).forUpdate().execute();
  }

  /** Extends the lease; false when the job is no longer this worker's (it must stop writing). */
  async heartbeat(ex: Executor, jobId: string, workerId: string, lockedUntil: string): Promise<boolean> {
    const r = await ex
      .updateTable('sync_jobs')
      .set({ locked_until: lockedUntil })
      .where('id', '=', jobId)
      .where('locked_by', '=', workerId)
      .where('state', '=', 'running')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async finish(ex: Executor, jobId: string, workerId: string, state: 'succeeded' | 'failed', nowIso: string, result: unknown, error?: { message: string; cause: string }): Promise<void> {
    await ex
      .updateTable('sync_jobs')
      .set({ state, finished_at: nowIso, updated_at: nowIso, locked_by: null, locked_until: null, result: result === undefined ? null : JSON.stringify(result), last_error: error?.message ?? null, last_error_cause: error?.cause ?? null })
      .where('id', '=', jobId)
      .where('locked_by', '=', workerId)
      .execute();
  }

  /** Puts a job back in the queue to run at `runAt` (a retry, or a wait for an open circuit). */
  async requeue(jobId: string, workerId: string, runAt: string, nowIso: string, error: { message: string; cause: string } | null, refundAttempt = false): Promise<void> {
    await this.ctx.db
      .updateTable('sync_jobs')
      .set((eb) => ({
        state: 'queued',
        run_at: runAt,
        updated_at: nowIso,
        locked_by: null,
        locked_until: null,
        last_error: error?.message ?? null,
        last_error_cause: error?.cause ?? null,
        ...(refundAttempt ? { attempts: eb('attempts', '-', 1) } : {}),
      }))
      .where('id', '=', jobId)
      .where('locked_by', '=', workerId)
      .execute();
  }

  async getJob(enterpriseId: string, jobId: string): Promise<SyncJobRow | undefined> {
    return this.ctx.db.selectFrom('sync_jobs').selectAll().where('id', '=', jobId).where('enterprise_id', '=', enterpriseId).executeTakeFirst();
  }

  async countJobsByState(): Promise<Record<string, number>> {
    const rows = await this.ctx.db.selectFrom('sync_jobs').select(['state', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('state').execute();
    return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
  }

  async loadAccount(enterpriseId: string, accountId: string): Promise<AccountForSync | undefined> {
    const r = await this.ctx.db
      .selectFrom('accounts as a')
      .innerJoin('enterprises as e', 'e.id', 'a.enterprise_id')
      .innerJoin('users as u', 'u.id', 'a.user_id')
      .select(['a.id', 'a.enterprise_id', 'a.user_id', 'a.provider_id', 'a.status', 'a.credentials_enc', 'a.sync_cursor', 'e.base_currency', 'u.deactivated', 'u.erased_at'])
      .where('a.enterprise_id', '=', enterpriseId)
      .where('a.id', '=', accountId)
      .executeTakeFirst();
    if (!r || r.erased_at) return undefined;
    return { ...r, user_deactivated: r.deactivated === 1 };
  }

  async saveCursor(ex: Executor, enterpriseId: string, accountId: string, cursor: unknown): Promise<void> {
    await ex.updateTable('accounts').set({ sync_cursor: cursor === null ? null : JSON.stringify(cursor) }).where('id', '=', accountId).where('enterprise_id', '=', enterpriseId).execute();
  }

  /**
   * Sets an account's sync status, unless it is `disconnected` (a disconnected account stays so).
   * The stats counters depend on an account's status only through "disconnected or not": a change
   * to any other status cannot move them and writes the row alone (every sync does this); a change
   * to `disconnected` updates them in the same transaction (`ex`'s, or a new one), locking the
   * account's user on PostgreSQL before it writes.
   */
  async setAccountStatus(
    ex: Executor,
    enterpriseId: string,
    accountId: string,
    s: { status: string; status_cause: string | null; last_synced_at?: string; next_sync_at?: string | null; reconciliation?: unknown },
  ): Promise<void> {
    const update = (x: Executor) =>
      x
        .updateTable('accounts')
        .set({
          status: s.status,
          status_cause: s.status_cause,
          ...(s.last_synced_at !== undefined ? { last_synced_at: s.last_synced_at } : {}),
          ...(s.next_sync_at !== undefined ? { next_sync_at: s.next_sync_at } : {}),
          ...(s.reconciliation !== undefined ? { reconciliation: JSON.stringify(s.reconciliation) } : {}),
        })
        .where('id', '=', accountId)
        .where('enterprise_id', '=', enterpriseId)
        .where('status', '!=', 'disconnected')
        .execute();
    if (s.status !== 'disconnected') {
      await update(ex);
      return;
    }
    await this.counters.inTransaction(ex, async (trx) => {
      const owner = await trx.selectFrom('accounts').select('user_id').where('id', '=', accountId).where('enterprise_id', '=', enterpriseId).executeTakeFirst();
      if (owner) await this.counters.track(trx, enterpriseId, [owner.user_id], () => update(trx));
    });
  }

  /** Accounts due for a scheduled sync: connected, with stored credentials, of active users. */
  async dueAccounts(nowIso: string, limit: number): Promise<{ id: string; enterprise_id: string; provider_id: string }[]> {
    return this.ctx.db
      .selectFrom('accounts as a')
      .innerJoin('users as u', 'u.id', 'a.user_id')
      .select(['a.id', 'a.enterprise_id', 'a.provider_id'])
      .where('a.status', '!=', 'disconnected')
      .where('a.credentials_enc', 'is not', null)
      .where('u.deactivated', '=', 0)
      .where('u.erased_at', 'is', null)
      .where((eb) => eb.or([eb('a.next_sync_at', 'is', null), eb('a.next_sync_at', '<=', nowIso)]))
      .where((eb) => eb.not(eb.exists(eb.selectFrom('sync_jobs as j').select('j.id').whereRef('j.account_id', '=', 'a.id').where('j.state', 'in', ['queued', 'running']))))
      .orderBy('a.next_sync_at')
      .limit(limit)
      .execute();
  }

  /** Fingerprints of the account's listed (not removed) transactions. */
  async liveFingerprints(ex: Executor, enterpriseId: string, accountId: string): Promise<string[]> {
    const rows = await ex.selectFrom('transactions').select('fingerprint').where('enterprise_id', '=', enterpriseId).where('account_id', '=', accountId).where('removed_at', 'is', null).execute();
    return rows.map((r) => r.fingerprint);
  }

  /**
   * Marks records the source no longer reports as removed, and drops their movement rows and their
   * contributions to the trade aggregates. Returns the count.
   */
  async markRemoved(ex: Executor, enterpriseId: string, accountId: string, fingerprints: string[], nowIso: string): Promise<number> {
    let n = 0;
    for (const part of chunks(fingerprints, 500)) {
      const seqs = await ex.selectFrom('transactions').select('seq').where('enterprise_id', '=', enterpriseId).where('account_id', '=', accountId).where('fingerprint', 'in', part).where('removed_at', 'is', null).execute();
      if (!seqs.length) continue;
      const ids = seqs.map((s) => Number(s.seq));
      const trades = await this.trades.removingSeqs(ex, enterpriseId, ids);
      await ex.updateTable('transactions').set({ removed_at: nowIso, updated_at: nowIso }).where('seq', 'in', ids).execute();
      await ex.deleteFrom('transaction_movements').where('transaction_seq', 'in', ids).execute();
      await this.trades.apply(ex, enterpriseId, trades);
      n += ids.length;
    }
    return n;
  }

  /** Movement rows of the account's confirmed, listed transactions (for reconciliation). */
  async accountMovements(ex: Executor, enterpriseId: string, accountId: string): Promise<{ asset_id: string; side: string; quantity: string }[]> {
    const rows = await ex
      .selectFrom('transaction_movements as m')
      .innerJoin('transactions as t', 't.seq', 'm.transaction_seq')
      .select(['m.asset_id', 'm.side', 'm.quantity'])
      .where('t.enterprise_id', '=', enterpriseId)
      .where('t.account_id', '=', accountId)
      .where('t.status', '=', 'confirmed')
      .where('t.removed_at', 'is', null)
      .execute();
    return rows.map((r) => ({ ...r, quantity: normalize(r.quantity) }));
  }

  /** A user's unmatched sends and receives since a time (candidates for internal-transfer matching). */
  async transferCandidates(ex: Executor, enterpriseId: string, userId: string, sinceIso: string) {
    return ex
      .selectFrom('transactions')
      .select(['id', 'account_id', 'type', 'timestamp', 'tx_hash', 'inputs', 'outputs', 'fee_items'])
      .where('enterprise_id', '=', enterpriseId)
      .where('user_id', '=', userId)
      .where('type', 'in', ['send', 'receive'])
      .where('is_internal_transfer', '=', 0)
      .where('removed_at', 'is', null)
      .where('timestamp', '>=', sinceIso)
      .execute();
  }

  /** Marks a transaction as one side of an internal transfer; a trade marked so stops counting in the trade aggregates. */
  async markInternalTransfer(ex: Executor, enterpriseId: string, transactionId: string, counterpartyAccountId: string, nowIso: string): Promise<void> {
    const trades = await this.trades.markingInternal(ex, enterpriseId, transactionId);
    await ex
      .updateTable('transactions')
      .set({ is_internal_transfer: 1, counterparty_account_id: counterpartyAccountId, updated_at: nowIso })
      .where('id', '=', transactionId)
      .where('enterprise_id', '=', enterpriseId)
      .execute();
    await this.trades.apply(ex, enterpriseId, trades);
  }

  /** Operator lookups for the CLI (which acts for the whole deployment): the tenant of a user or account. */
  async enterpriseOfUser(userId: string): Promise<string | undefined> {
    const r = await this.ctx.db.selectFrom('users').select('enterprise_id').where('id', '=', userId).where('erased_at', 'is', null).executeTakeFirst();
    return r?.enterprise_id;
  }

  async enterpriseOfAccount(accountId: string): Promise<string | undefined> {
    const r = await this.ctx.db.selectFrom('accounts').select('enterprise_id').where('id', '=', accountId).executeTakeFirst();
    return r?.enterprise_id;
  }

  /** Circuit breaker: a success closes the circuit. */
  async providerSucceeded(providerId: string, nowIso: string): Promise<void> {
    await this.ctx.db
      .insertInto('provider_status')
      .values({ provider_id: providerId, status: 'operational', updated_at: nowIso, consecutive_failures: 0, open_until: null })
      .onConflict((oc) => oc.column('provider_id').doUpdateSet({ status: 'operational', updated_at: nowIso, consecutive_failures: 0, open_until: null }))
      .execute();
  }

  /** Circuit breaker: a retryable failure; returns the new consecutive-failure count. */
  async providerFailed(providerId: string, nowIso: string, degradedAfter: number, openAfter: number, openUntil: string): Promise<number> {
    return this.ctx.db.transaction().execute(async (trx) => {
      const cur = await trx.selectFrom('provider_status').select('consecutive_failures').where('provider_id', '=', providerId).executeTakeFirst();
      const n = Number(cur?.consecutive_failures ?? 0) + 1;
      const status = n >= openAfter ? 'down' : n >= degradedAfter ? 'degraded' : 'operational';
      const values = { status, updated_at: nowIso, consecutive_failures: n, open_until: n >= openAfter ? openUntil : null };
      await trx
        .insertInto('provider_status')
        .values({ provider_id: providerId, ...values })
        .onConflict((oc) => oc.column('provider_id').doUpdateSet(values))
        .execute();
      return n;
    });
  }
}
