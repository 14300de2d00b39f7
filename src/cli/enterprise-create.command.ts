/**
 * `tortie enterprise create --name N` → `{ enterprise_id, client_id, client_secret }`: a tenant with
 * its first OAuth client. The secret is shown this once; only its hash is stored.
 */
import type { Command } from './command.js';
import { expectNoPositionals, requiredString } from './args.js';
import { withContainer } from './open-container.js';

export const enterpriseCreateCommand: Command = {
  path: ['enterprise', 'create'],
  usage: 'enterprise create --name NAME [--json]',
  options: { name: { type: 'string' } },
  async run(ctx, values, positionals) {
    expectNoPositionals(this, positionals);
    const name = requiredString(this, values, 'name');
    return withContainer(ctx, { migrations: 'require' }, async (c) => {
      const e = await c.services.enterprises.create({ name });
      return { enterprise_id: e.enterprise_id, client_id: e.client_id, client_secret: e.client_secret };
    });
  },
  human(result) {
    const r = result as { enterprise_id: string; client_id: string; client_secret: string };
    return `Enterprise ${r.enterprise_id}\n  client_id:     ${r.client_id}\n  client_secret: ${r.client_secret}\n(the secret is shown only now)\n`;
  },
};
