/**
 * `tortie sync --account ID [--wait] [--full]` → `{ account_id, status, added, updated, removed }`
 * (SPEC §11), plus `job_id`, and for a CSV import `import: { format, imported, skipped, rejected:
 * [{ row, reason }] }`. Without `--wait` the sync is only queued (status `queued`). With it,
 * this process runs the job to completion (retrying with backoff as a worker would), or waits for
 * the worker that already claimed it. `--full` walks the history from the beginning, which also
 * marks records the source no longer reports as removed.
 */
import type { Command } from './command.js';
import { expectNoPositionals, requiredString } from './args.js';
import { withContainer } from './open-container.js';
import { AppError } from '../domain/errors.js';

export const syncCommand: Command = {
  path: ['sync'],
  usage: 'sync --account ID [--wait] [--full] [--json]',
  options: { account: { type: 'string' }, wait: { type: 'boolean' }, full: { type: 'boolean' } },
  async run(ctx, values, positionals) {
    expectNoPositionals(this, positionals);
    const accountId = requiredString(this, values, 'account');
    return withContainer(ctx, { migrations: 'require' }, async (c) => {
      const enterpriseId = await c.repos.sync.enterpriseOfAccount(accountId);
      if (!enterpriseId) throw AppError.notFound('Account');
      if (values.full) await c.repos.sync.saveCursor(c.ctx.db, enterpriseId, accountId, null);
      const { job_id } = await c.services.connections.requestSync(enterpriseId, accountId);
      if (!values.wait) return { account_id: accountId, job_id, status: 'queued', added: 0, updated: 0, removed: 0 };
      const worker = c.createWorker();
      const log = (m: string) => ctx.io.stderr(`sync: ${m}\n`);
      for (;;) {
        const ran = await worker.runOne(job_id);
        const job = await c.repos.sync.getJob(enterpriseId, job_id);
        if (!job) throw AppError.notFound('Sync job');
        if (job.state === 'succeeded' || job.state === 'failed') {
          const account = await c.repos.accounts.getById(enterpriseId, accountId);
          const counts = job.result ? (JSON.parse(job.result) as { added: number; updated: number; removed: number }) : { added: 0, updated: 0, removed: 0 };
          if (job.state === 'failed') {
            throw new AppError(job.last_error_cause === 'invalid_credentials' ? 'invalid_credentials' : 'provider_unavailable', `The sync failed: ${job.last_error ?? 'unknown error'}`, { account_id: accountId });
          }
          // a file import's cursor carries its row-by-row report: show what was rejected and why
          const cursor = account?.sync_cursor ? (JSON.parse(account.sync_cursor) as { report?: { format: string; imported: number; rejected: unknown[]; skipped?: number } }) : null;
          const report = cursor?.report ? { import: { format: cursor.report.format, imported: cursor.report.imported, skipped: cursor.report.skipped ?? 0, rejected: cursor.report.rejected } } : {};
          return { account_id: accountId, job_id, status: account?.status ?? 'active', ...counts, ...report };
        }
        // queued for a retry, or running in another worker: wait for it
        const waitMs = ran?.outcome.kind === 'retry' ? Math.max(0, Date.parse(ran.outcome.runAt) - c.clock.now()) : 1_000;
        if (ran?.outcome.kind === 'retry') log(`attempt ${job.attempts} failed (${ran.outcome.cause}); retrying in ${Math.ceil(waitMs / 1000)} s`);
        await new Promise((r) => setTimeout(r, Math.min(waitMs, 60_000)));
      }
    });
  },
};
