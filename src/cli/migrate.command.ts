/** `tortie migrate` → `{ applied: [names] }`: applies pending migrations (none applied: `[]`). */
import { createContainer } from '../container.js';
import type { Command } from './command.js';
import { expectNoPositionals } from './args.js';

export const migrateCommand: Command = {
  path: ['migrate'],
  usage: 'migrate [--json]',
  options: {},
  async run(ctx, _values, positionals) {
    expectNoPositionals(this, positionals);
    const c = createContainer(ctx.config());
    try {
      return { applied: await c.dbh.migrate() };
    } finally {
      await c.close();
    }
  },
  human(result) {
    const { applied } = result as { applied: string[] };
    return applied.length ? `Applied ${applied.length} migration(s): ${applied.join(', ')}\n` : 'The database is up to date.\n';
  },
};
