/**
 * `tortie client create --enterprise ID [--redirect-uri URI]…` → `{ client_id, client_secret,
 * redirect_uris }`: another OAuth client of an enterprise. Redirect URIs (for Connect) must be
 * absolute http(s) URLs.
 */
import type { Command } from './command.js';
import { expectNoPositionals, requiredString } from './args.js';
import { withContainer } from './open-container.js';

export const clientCreateCommand: Command = {
  path: ['client', 'create'],
  usage: 'client create --enterprise ID [--redirect-uri URI]... [--json]',
  options: { enterprise: { type: 'string' }, 'redirect-uri': { type: 'string', multiple: true } },
  async run(ctx, values, positionals) {
    expectNoPositionals(this, positionals);
    const enterpriseId = requiredString(this, values, 'enterprise');
    const redirectUris = (values['redirect-uri'] as string[] | undefined) ?? [];
    return withContainer(ctx, { migrations: 'require' }, (c) => c.services.enterprises.createClient(enterpriseId, redirectUris));
  },
  human(result) {
    const r = result as { client_id: string; client_secret: string; redirect_uris: string[] };
    return `  client_id:     ${r.client_id}\n  client_secret: ${r.client_secret}\n  redirect_uris: ${r.redirect_uris.join(' ') || '(none)'}\n(the secret is shown only now)\n`;
  },
};
