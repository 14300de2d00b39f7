/**
 * `tortie worker`: runs sync workers against the database queue until SIGINT/SIGTERM (SPEC §9). On
 * PostgreSQL any number of these may run on any number of machines; they share the queue safely.
 * Applies pending migrations first.
 */
import type { Command } from './command.js';
import { UsageError } from './command.js';
import { expectNoPositionals } from './args.js';
import { openContainer } from './open-container.js';

export const workerCommand: Command = {
  path: ['worker'],
  usage: 'worker [--concurrency N]',
  options: { concurrency: { type: 'string' } },
  async run(ctx, values, positionals) {
    expectNoPositionals(this, positionals);
    const conc = values.concurrency === undefined ? 4 : Number(values.concurrency);
    if (!Number.isInteger(conc) || conc < 1 || conc > 64) throw new UsageError(`--concurrency must be an integer from 1 to 64\nusage: tortie ${this.usage}`, 'concurrency');
    const c = await openContainer(ctx, { migrations: 'apply' });
    const worker = c.createWorker({ concurrency: conc, workerId: `worker-${process.pid}` });
    worker.start();
    ctx.io.stderr(`worker ${worker.workerId} started (concurrency ${conc}); stop with Ctrl-C\n`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    ctx.io.stderr('worker stopping: waiting for running jobs\n');
    await c.close();
    return { stopped: true };
  },
};
