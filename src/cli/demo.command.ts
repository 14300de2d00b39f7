/**
 * `tortie demo [--users N (25)] [--seed S] [--transactions-per-user T (300)]` →
 * `{ enterprise_id, client_id, client_secret, users }` (SPEC §11): always a NEW demo enterprise with
 * new ids; the same seed gives the same content (names, amounts, dates relative to the run day).
 * Applies pending migrations first. Progress (every 5% of the users, with rate and ETA) and the
 * generation rate go to stderr.
 */
import { UsageError, type Command } from './command.js';
import { expectNoPositionals } from './args.js';
import { withContainer } from './open-container.js';
import { DEMO_DEFAULTS, DEMO_LIMITS, type DemoProgress } from '../services/demo.service.js';

/** Demos smaller than this write no progress lines (they take seconds). */
const PROGRESS_FROM_TRANSACTIONS = 50_000;

/**
 * A progress reporter printing a line each time another 5% of the users is written (large demos
 * only), with the process's resident memory, which must stay flat however large the demo.
 */
function progressPrinter(write: (text: string) => void): (p: DemoProgress) => void {
  let nextStep = 1;
  return (p) => {
    if (p.totalTransactions < PROGRESS_FROM_TRANSACTIONS) return;
    const step = Math.floor((p.users / p.totalUsers) * 20);
    if (step < nextStep) return;
    nextStep = step + 1;
    const rate = p.seconds > 0 ? p.transactions / p.seconds : 0;
    const left = p.totalTransactions - p.transactions;
    const eta = rate > 0 ? left / rate : 0;
    write(
      `demo: ${Math.round((p.users / p.totalUsers) * 100)}% — ${p.users.toLocaleString('en-US')}/${p.totalUsers.toLocaleString('en-US')} users, ` +
        `${p.transactions.toLocaleString('en-US')} transactions in ${p.seconds.toFixed(0)} s (${Math.round(rate).toLocaleString('en-US')}/s), ETA ${eta.toFixed(0)} s, ` +
        `RSS ${Math.round(process.memoryUsage.rss() / 1_048_576)} MB\n`,
    );
  };
}

function intOption(cmd: Command, values: Record<string, unknown>, name: string, fallback: number, min: number, max: number): number {
  const v = values[name];
  if (v === undefined) return fallback;
  if (typeof v !== 'string' || !/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}\nusage: tortie ${cmd.usage}`, name);
  }
  return Number(v);
}

export const demoCommand: Command = {
  path: ['demo'],
  usage: 'demo [--users N (25)] [--seed S] [--transactions-per-user T (300)] [--json]',
  options: { users: { type: 'string' }, seed: { type: 'string' }, 'transactions-per-user': { type: 'string' } },
  async run(ctx, values, positionals) {
    expectNoPositionals(this, positionals);
    const users = intOption(this, values, 'users', DEMO_DEFAULTS.users, 1, DEMO_LIMITS.users);
    const transactionsPerUser = intOption(this, values, 'transactions-per-user', DEMO_DEFAULTS.transactionsPerUser, 0, DEMO_LIMITS.transactionsPerUser);
    const seed = typeof values.seed === 'string' ? values.seed : DEMO_DEFAULTS.seed;
    return withContainer(ctx, { migrations: 'apply' }, async (c) => {
      const r = await c.services.demo.generate({ users, seed, transactionsPerUser, onProgress: progressPrinter(ctx.io.stderr) });
      const s = r.stats;
      ctx.io.stderr(
        `demo: ${s.transactions.toLocaleString('en-US')} transactions in ${s.seconds.toFixed(2)} s (${Math.round(s.transactionsPerSecond).toLocaleString('en-US')}/s); ` +
          `${users} users, ${s.accounts} accounts, ${s.positions} positions; generated ${s.worker ? 'in a worker thread' : 'in-thread'}\n`,
      );
      return { enterprise_id: r.enterprise_id, client_id: r.client_id, client_secret: r.client_secret, users: r.users };
    });
  },
  human(result) {
    const r = result as { enterprise_id: string; client_id: string; client_secret: string; users: number };
    return `Demo enterprise ${r.enterprise_id} with ${r.users} users\n  client_id:     ${r.client_id}\n  client_secret: ${r.client_secret}\n(the secret is shown only now)\n`;
  },
};
