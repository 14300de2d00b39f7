/**
 * `tortie account add --user ID --provider P [--address A]… [--xpub X] [--api-key K --secret S
 * [--passphrase P]] [--file F [--format FMT]] [--label L]` → the Account (SPEC §11). The
 * credentials or addresses are checked against the source first, stored encrypted, and the first
 * sync is queued (run it with `tortie sync --account ID --wait`, or let `serve`/`worker` pick it up).
 */
import { readFileSync } from 'node:fs';
import { UsageError, type Command } from './command.js';
import { expectNoPositionals, requiredString } from './args.js';
import { withContainer } from './open-container.js';
import { AppError } from '../domain/errors.js';
import type { Connection } from '../connectors/connector.js';

function connectionFrom(cmd: Command, v: Record<string, unknown>): Connection {
  const addresses = (v.address as string[] | undefined) ?? [];
  const xpub = v.xpub as string | undefined;
  const apiKey = v['api-key'] as string | undefined;
  const file = v.file as string | undefined;
  const kinds = [addresses.length || xpub ? 'wallet' : null, apiKey ? 'api_key' : null, file ? 'file' : null].filter(Boolean);
  if (kinds.length > 1) throw new UsageError(`Give one kind of connection: addresses/xpub, an API key, or a file\nusage: tortie ${cmd.usage}`);
  if (apiKey) {
    const secret = v.secret as string | undefined;
    if (!secret) throw new UsageError(`--secret is required with --api-key\nusage: tortie ${cmd.usage}`, 'secret');
    return { type: 'api_key', api_key: apiKey, secret_key: secret, ...(v.passphrase ? { passphrase: v.passphrase as string } : {}) };
  }
  if (file) {
    let content: Buffer;
    try {
      content = readFileSync(file);
    } catch (e) {
      throw new UsageError(`Cannot read --file ${file}: ${(e as Error).message}`, 'file');
    }
    return { type: 'file', file: { format: (v.format as string | undefined) ?? 'auto', content } };
  }
  if (addresses.length || xpub) return { type: 'wallet', ...(addresses.length ? { addresses } : {}), ...(xpub ? { xpub } : {}) };
  return { type: 'sandbox', seed: (v.seed as string | undefined) ?? 'sandbox' };
}

export const accountAddCommand: Command = {
  path: ['account', 'add'],
  usage: 'account add --user ID --provider P [--address A]... [--xpub X] [--api-key K --secret S [--passphrase P]] [--file F [--format FMT]] [--seed S] [--label L] [--json]',
  options: {
    user: { type: 'string' },
    provider: { type: 'string' },
    address: { type: 'string', multiple: true },
    xpub: { type: 'string' },
    'api-key': { type: 'string' },
    secret: { type: 'string' },
    passphrase: { type: 'string' },
    file: { type: 'string' },
    format: { type: 'string' },
    seed: { type: 'string' },
    label: { type: 'string' },
  },
  async run(ctx, values, positionals) {
    expectNoPositionals(this, positionals);
    const userId = requiredString(this, values, 'user');
    const providerId = requiredString(this, values, 'provider');
    const connection = connectionFrom(this, values);
    return withContainer(ctx, { migrations: 'require' }, async (c) => {
      const enterpriseId = await c.repos.sync.enterpriseOfUser(userId);
      if (!enterpriseId) throw AppError.notFound('User');
      return c.services.connections.addAccount({ enterpriseId, userId, providerId, connection, displayLabel: (values.label as string | undefined) ?? null });
    });
  },
};
