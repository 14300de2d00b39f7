/**
 * The sync engine on both databases, with the real sandbox connector: an account added through the
 * connection service, synced by a worker; incremental and full re-syncs never duplicate; failures
 * retry with backoff, open the provider's circuit, and end with the account in `error` (206 on the
 * user's reads); leases expire so a dead worker's job runs again; concurrent claimers never take
 * the same job twice.
 */
import { describe, expect, it } from 'vitest';
import { forEachDialect, type TestEnv } from './support/harness.js';
import { seedUser } from './support/seed.js';
import { ensureSyntheticPrices } from '../src/prices/synthetic-prices.js';
import { SandboxConnector } from '../src/connectors/sandbox/sandbox.connector.js';
import { isoOf } from '../src/lib/clock.js';
import { uuidv7 } from '../src/lib/ids.js';
import { mul, normalize } from '../src/lib/decimal.js';

async function addSandboxAccount(env: TestEnv, seed: string) {
  const { deps } = env;
  const e = await env.newEnterprise('Sync Co', { demo: true });
  const userId = await seedUser(deps, e.enterpriseId);
  const account = await deps.services.connections.addAccount({ enterpriseId: e.enterpriseId, userId, providerId: 'sandbox-exchange', connection: { type: 'api_key', api_key: seed, secret_key: 'x' } });
  return { e, userId, accountId: account.account_id };
}

async function liveTransactions(env: TestEnv, accountId: string) {
  return env.deps.ctx.db.selectFrom('transactions').selectAll().where('account_id', '=', accountId).where('removed_at', 'is', null).orderBy('fingerprint').execute();
}

describe('sync engine', () => {
  forEachDialect((env) => {
    it('syncs an account: history priced exactly, positions as reported, reconciled, cursor stored', async () => {
      const t = env();
      t.clock.set('2026-06-15T12:00:00.000Z');
      await ensureSyntheticPrices(t.deps);
      const { e, accountId } = await addSandboxAccount(t, 'alice-700tx');
      const worker = t.deps.createWorker({ random: () => 0.5 });
      const ran = await worker.runOne();
      expect(ran?.outcome).toEqual({ kind: 'succeeded', result: { account_id: accountId, status: 'active', added: 700, updated: 0, removed: 0 } });

      const rows = await liveTransactions(t, accountId);
      expect(rows).toHaveLength(700);
      // every value is the exact product of quantity and that day's price
      const sample = rows.find((r) => JSON.parse(r.outputs).some((m: { value: unknown }) => m.value !== null))!;
      const out = (JSON.parse(sample.outputs) as { asset_id: string; quantity: string; value: { amount: string } | null }[]).find((m) => m.value)!;
      const quote = await t.deps.prices.at(out.asset_id, 'USD', Date.parse(sample.timestamp));
      expect(out.value!.amount).toBe(mul(out.quantity, quote!.price));
      expect(sample.connector_version).toBe('sandbox/1');
      expect(sample.price_source).toBeTruthy();

      const connector = new SandboxConnector('sandbox-exchange');
      const reported = await connector.fetchBalances({ type: 'api_key', api_key: 'alice-700tx', secret_key: 'x' });
      const stored = await t.deps.ctx.db.selectFrom('asset_positions').select(['asset_id', 'quantity']).where('account_id', '=', accountId).orderBy('asset_id').execute();
      expect(stored.map((p) => [p.asset_id, normalize(p.quantity)])).toEqual(reported.map((p) => [p.asset_id, normalize(p.quantity)]).sort((a, b) => a[0]!.localeCompare(b[0]!)));

      const acc = await t.deps.repos.accounts.getById(e.enterpriseId, accountId);
      expect(acc?.status).toBe('active');
      expect(acc?.status_cause).toBeNull();
      expect(JSON.parse(acc!.reconciliation!)).toMatchObject({ balanced: true, gaps: [] });
      expect(JSON.parse(acc!.sync_cursor!)).toEqual({ next: 700 });
      expect(acc?.next_sync_at).toBe(isoOf(t.clock.now() + 3_600_000));
      expect(acc?.credentials_enc).not.toContain('alice');
    });

    it('never duplicates: an incremental re-sync adds nothing; a full re-sync rewrites only what the source changed', async () => {
      const t = env();
      const { e, accountId } = await addSandboxAccount(t, 'bob-300tx');
      const worker = t.deps.createWorker();
      await worker.runOne();
      const before = await liveTransactions(t, accountId);
      const { job_id } = await t.deps.services.connections.requestSync(e.enterpriseId, accountId);
      const again = await worker.runOne(job_id);
      expect(again?.outcome).toMatchObject({ kind: 'succeeded', result: { added: 0, updated: 0, removed: 0 } });
      // the stored copy of one record differs from what the source now says: only it is rewritten
      const changed = before[7]!;
      await t.deps.ctx.db.updateTable('transactions').set({ description: 'edited since' }).where('seq', '=', changed.seq).execute();
      await t.deps.repos.sync.saveCursor(t.deps.ctx.db, e.enterpriseId, accountId, null);
      const full = await t.deps.services.connections.requestSync(e.enterpriseId, accountId);
      const third = await worker.runOne(full.job_id);
      expect(third?.outcome).toMatchObject({ kind: 'succeeded', result: { added: 0, updated: 1, removed: 0 } });
      const after = await liveTransactions(t, accountId);
      expect(after.map((r) => [r.id, r.fingerprint, r.description])).toEqual(before.map((r) => [r.id, r.fingerprint, r.description]));
      const movementCount = await t.deps.ctx.db.selectFrom('transaction_movements as m').innerJoin('transactions as t', 't.seq', 'm.transaction_seq').select((eb) => eb.fn.countAll<number>().as('n')).where('t.account_id', '=', accountId).executeTakeFirstOrThrow();
      const expected = before.reduce((n, r) => n + JSON.parse(r.inputs).length + JSON.parse(r.outputs).length + JSON.parse(r.fee_items).length, 0);
      expect(Number(movementCount.n)).toBe(expected);
    });

    it('marks records the source no longer reports as removed on a full walk', async () => {
      const t = env();
      const { e, accountId } = await addSandboxAccount(t, 'carol-50tx');
      const worker = t.deps.createWorker();
      await worker.runOne();
      // a record the source never reported (e.g. deleted upstream since)
      const scope = { enterpriseId: e.enterpriseId, userId: (await t.deps.repos.accounts.getById(e.enterpriseId, accountId))!.user_id, accountId, providerId: 'sandbox-exchange' };
      await t.deps.ctx.db.transaction().execute((trx) =>
        t.deps.repos.ledger.upsertTransactions(trx, scope, [{ fingerprint: 'gone-upstream', timestamp: '2025-01-01T00:00:00.000Z', type: 'receive', status: 'confirmed', inputs: [], outputs: [{ asset_id: 'bitcoin', asset_symbol: 'BTC', quantity: '1', value: null }], fees: [], value_currency: 'USD', provider_transaction_id: 'gone' }], isoOf(t.clock.now()), () => uuidv7(t.clock.now())),
      );
      await t.deps.repos.sync.saveCursor(t.deps.ctx.db, e.enterpriseId, accountId, null);
      const { job_id } = await t.deps.services.connections.requestSync(e.enterpriseId, accountId);
      const r = await worker.runOne(job_id);
      expect(r?.outcome).toMatchObject({ kind: 'succeeded', result: { added: 0, updated: 0, removed: 1 } });
      const gone = await t.deps.ctx.db.selectFrom('transactions').select(['removed_at', 'seq']).where('fingerprint', '=', 'gone-upstream').executeTakeFirstOrThrow();
      expect(gone.removed_at).not.toBeNull();
      const moves = await t.deps.ctx.db.selectFrom('transaction_movements').select('asset_id').where('transaction_seq', '=', gone.seq).execute();
      expect(moves).toEqual([]);
      const list = await t.call(null, { method: 'GET', url: '/healthz' });
      expect(list.statusCode).toBe(200);
    });

    it('retries a retryable failure with backoff, opens the circuit, then fails the account (206 on reads)', async () => {
      const t = env();
      const { e, userId, accountId } = await addSandboxAccount(t, 'dave-unavailable');
      const worker = t.deps.createWorker({ random: () => 0, maxAttempts: 5, breaker: { degradedAfter: 2, openAfter: 4, openForMs: 60_000 } });
      const delays: number[] = [];
      for (let attempt = 1; attempt <= 5; attempt++) {
        const ran = await worker.runOne();
        expect(ran, `attempt ${attempt} claimed`).not.toBeNull();
        if (attempt < 5) {
          expect(ran!.outcome.kind).toBe('retry');
          const runAt = Date.parse((ran!.outcome as { runAt: string }).runAt);
          delays.push(runAt - t.clock.now());
          // not claimable before its time
          expect(await worker.runOne()).toBeNull();
          t.clock.set(Math.max(runAt, t.clock.now() + 61_000));
        } else {
          expect(ran!.outcome).toMatchObject({ kind: 'failed', cause: 'provider_unavailable' });
        }
      }
      // exponential: each delay at least the previous one's double (jitter fixed at 0 → half the ceiling)
      expect(delays).toEqual([2_500, 5_000, 10_000, 20_000]);
      const status = await t.deps.ctx.db.selectFrom('provider_status').selectAll().where('provider_id', '=', 'sandbox-exchange').executeTakeFirstOrThrow();
      expect(status.status).toBe('down');
      const acc = await t.deps.repos.accounts.getById(e.enterpriseId, accountId);
      expect([acc?.status, acc?.status_cause]).toEqual(['error', 'provider_unavailable']);
      const res = await t.call((await t.deps.tokens.issue('enterprise', e.clientId, e.enterpriseId, e.clientId, 'enterprise')).token, { method: 'GET', url: `/enterprise/v2/users/${userId}/assets` });
      expect(res.statusCode).toBe(206);
      expect(res.json().errors).toEqual([expect.objectContaining({ provider_id: 'sandbox-exchange', account_id: accountId, cause: 'provider_unavailable' })]);
      // operators see it in /metrics
      const metrics = (await t.call(null, { method: 'GET', url: '/metrics' })).body;
      expect(metrics).toMatch(/^tortie_provider_status\{provider_id="sandbox-exchange",status="down"\} 1$/m);
      expect(metrics).toMatch(/^tortie_provider_status\{provider_id="sandbox-exchange",status="operational"\} 0$/m);
      expect(metrics).toMatch(/^tortie_sync_jobs\{state="failed"\} [1-9]\d*$/m);
      // a success closes the circuit again
      await t.deps.repos.sync.providerSucceeded('sandbox-exchange', isoOf(t.clock.now()));
      const after = (await t.call(null, { method: 'GET', url: '/metrics' })).body;
      expect(after).toMatch(/^tortie_provider_status\{provider_id="sandbox-exchange",status="operational"\} 1$/m);
    });

    it('refuses bad credentials before storing anything', async () => {
      const t = env();
      const e = await t.newEnterprise('Refusals', { demo: true });
      const userId = await seedUser(t.deps, e.enterpriseId);
      await expect(
        t.deps.services.connections.addAccount({ enterpriseId: e.enterpriseId, userId, providerId: 'sandbox-exchange', connection: { type: 'api_key', api_key: 'k', secret_key: 'wrong' } }),
      ).rejects.toMatchObject({ cause_: 'invalid_credentials' });
      const n = await t.deps.ctx.db.selectFrom('accounts').select((eb) => eb.fn.countAll<number>().as('n')).where('user_id', '=', userId).executeTakeFirstOrThrow();
      expect(Number(n.n)).toBe(0);
    });

    it('gives an expired lease to another worker; the first one can no longer write', async () => {
      const t = env();
      const { e, accountId } = await addSandboxAccount(t, 'erin-20tx');
      const now = t.clock.now();
      const claimedA = await t.deps.repos.sync.claim('worker-a', isoOf(now), isoOf(now + 60_000), []);
      expect(claimedA?.account_id).toBe(accountId);
      expect(await t.deps.repos.sync.claim('worker-b', isoOf(now + 1_000), isoOf(now + 61_000), [])).toBeUndefined();
      t.clock.set(now + 61_000);
      const b = t.deps.createWorker({ workerId: 'worker-b' });
      const ran = await b.runOne();
      expect(ran?.job.id).toBe(claimedA!.id);
      expect(ran?.job.attempts).toBe(2);
      expect(ran?.outcome.kind).toBe('succeeded');
      expect(await t.deps.repos.sync.heartbeat(t.deps.ctx.db, claimedA!.id, 'worker-a', isoOf(now + 120_000))).toBe(false);
      const job = await t.deps.repos.sync.getJob(e.enterpriseId, claimedA!.id);
      expect(job?.state).toBe('succeeded');
    });

    it('lets 8 concurrent claimers take 20 jobs with no job claimed twice', async () => {
      const t = env();
      const e = await t.newEnterprise('Queue Co', { demo: true });
      const userId = await seedUser(t.deps, e.enterpriseId);
      const now = t.clock.now();
      const accounts = Array.from({ length: 20 }, () => uuidv7(now));
      await t.deps.repos.accounts.create(accounts.map((id) => ({ id, enterprise_id: e.enterpriseId, user_id: userId, provider_id: 'sandbox-exchange', connection_type: 'sandbox', status: 'active', created_at: isoOf(now) })));
      for (const id of accounts) {
        await t.deps.repos.sync.enqueue({ id: uuidv7(now), enterprise_id: e.enterpriseId, account_id: id, provider_id: 'sandbox-exchange', run_at: isoOf(now), max_attempts: 5, reason: 'on_demand', created_at: isoOf(now) });
      }
      // enqueueing again while open is a no-op
      const dup = await t.deps.repos.sync.enqueue({ id: uuidv7(now), enterprise_id: e.enterpriseId, account_id: accounts[0]!, provider_id: 'sandbox-exchange', run_at: isoOf(now), max_attempts: 5, reason: 'on_demand', created_at: isoOf(now) });
      expect(dup.created).toBe(false);
      const claimed: string[] = [];
      await Promise.all(
        Array.from({ length: 8 }, async (_, w) => {
          for (;;) {
            const j = await t.deps.repos.sync.claim(`w${w}`, isoOf(now), isoOf(now + 60_000), []);
            if (!j) return;
            claimed.push(j.id);
          }
        }),
      );
      expect(claimed).toHaveLength(20);
      expect(new Set(claimed).size).toBe(20);
    });

    it('schedules due accounts once', async () => {
      const t = env();
      const { accountId } = await addSandboxAccount(t, 'frank-10tx');
      const worker = t.deps.createWorker();
      await worker.runOne();
      expect(await worker.scheduleDue()).toBe(0); // next sync an hour away
      t.clock.advance(3_600_001);
      const n = await worker.scheduleDue();
      expect(n).toBeGreaterThanOrEqual(1);
      expect(await worker.scheduleDue()).toBe(0); // already queued
      const open = await t.deps.ctx.db.selectFrom('sync_jobs').select('reason').where('account_id', '=', accountId).where('state', '=', 'queued').execute();
      expect(open).toEqual([{ reason: 'scheduled' }]);
    });
  });
});
