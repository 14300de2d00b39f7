/**
 * `tortie serve`: applies pending migrations, then serves the APIs until SIGINT/SIGTERM. Prints the
 * URL it listens on (`{ url }` with --json); logs are JSON lines on stderr.
 */
import type { Command } from './command.js';
import { expectNoPositionals } from './args.js';
import { openContainer } from './open-container.js';
import { serveUntilSignal } from './server.js';

export const serveCommand: Command = {
  path: ['serve'],
  usage: 'serve [--json]',
  options: {},
  async run(ctx, _values, positionals) {
    expectNoPositionals(this, positionals);
    const c = await openContainer(ctx, { migrations: 'apply' });
    try {
      await serveUntilSignal(c, {
        onListening: (url) => ctx.io.stdout(ctx.json ? JSON.stringify({ url }) + '\n' : `Tortie listening on ${url}\n`),
      });
    } finally {
      await c.close();
    }
    return undefined;
  },
};
