/**
 * `tortie keys rotate` → `{ kid }`: a new token signing key becomes current; tokens signed by the
 * previous one keep verifying until they expire. Running servers start signing with the new key
 * within a minute.
 */
import type { Command } from './command.js';
import { expectNoPositionals } from './args.js';
import { withContainer } from './open-container.js';

export const keysRotateCommand: Command = {
  path: ['keys', 'rotate'],
  usage: 'keys rotate [--json]',
  options: {},
  async run(ctx, _values, positionals) {
    expectNoPositionals(this, positionals);
    return withContainer(ctx, { migrations: 'require' }, async (c) => ({ kid: await c.tokens.rotate() }));
  },
  human(result) {
    return `New signing key ${(result as { kid: string }).kid}\n`;
  },
};
