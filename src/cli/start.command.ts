/**
 * `tortie start` (what `npm start` runs, SPEC §11): applies migrations; on a database without any
 * enterprise creates a demo enterprise, prints its credentials once and saves them to
 * `demo-credentials.json` in the data directory (mode 0600); prints a ready-to-paste `curl` for a
 * token and for the users list; then serves like `tortie serve`.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Container } from '../container.js';
import { isoOf } from '../lib/clock.js';
import type { Command } from './command.js';
import { expectNoPositionals } from './args.js';
import { openContainer } from './open-container.js';
import { serveUntilSignal } from './server.js';

export const DEMO_CREDENTIALS_FILE = 'demo-credentials.json';

export interface DemoCredentials {
  enterprise_id: string;
  client_id: string;
  client_secret: string;
  users: number;
}

/** The demo enterprise of an empty database: what `tortie demo` makes with its defaults (25 users). */
async function createDemoEnterprise(c: Container): Promise<DemoCredentials> {
  const r = await c.services.demo.generate();
  return { enterprise_id: r.enterprise_id, client_id: r.client_id, client_secret: r.client_secret, users: r.users };
}

function saveCredentials(c: Container, demo: DemoCredentials): string {
  mkdirSync(c.config.dataDir, { recursive: true });
  const file = join(c.config.dataDir, DEMO_CREDENTIALS_FILE);
  const doc = { ...demo, base_url: c.config.baseUrl, created_at: isoOf(c.clock.now()) };
  writeFileSync(file, JSON.stringify(doc, null, 2) + '\n', { mode: 0o600 });
  chmodSync(file, 0o600); // the file may have existed (an older database) with other permissions
  return file;
}

/** The demo client's id from the saved credentials file, if it is there and readable. */
function savedDemoClientId(file: string): string | undefined {
  try {
    const id = (JSON.parse(readFileSync(file, 'utf8')) as { client_id?: unknown }).client_id;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The demo app's page that launches Connect for the demo client, after making sure the demo
 * callback page (`/connect/demo-callback` on BASE_URL) is one of the client's redirect URIs.
 */
async function demoConnectLink(c: Container, clientId: string | undefined): Promise<string | null> {
  if (!clientId) return null;
  try {
    await c.services.enterprises.addRedirectUri(clientId, `${c.config.baseUrl}/connect/demo-callback`);
  } catch {
    return null; // the saved client no longer exists in this database
  }
  return `${c.config.baseUrl}/connect/demo?client_id=${encodeURIComponent(clientId)}`;
}

/** Shell lines that get a token and list users; with placeholders when the secret is not at hand. */
export function curlExamples(baseUrl: string, clientId: string, clientSecret: string): string {
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  return [
    `TOKEN=$(curl -s -u ${q(`${clientId}:${clientSecret}`)} -d grant_type=client_credentials ${q(`${baseUrl}/oauth/token`)} | sed -E 's/.*"access_token":"([^"]+)".*/\\1/')`,
    `curl -s -H "Authorization: Bearer $TOKEN" ${q(`${baseUrl}/enterprise/v2/users/all?limit=5`)}`,
  ].join('\n');
}

export const startCommand: Command = {
  path: ['start'],
  usage: 'start [--json]',
  options: {},
  async run(ctx, _values, positionals) {
    expectNoPositionals(this, positionals);
    const c = await openContainer(ctx, { migrations: 'apply' });
    try {
      const base = c.config.baseUrl;
      let demo: DemoCredentials | null = null;
      let file = join(c.config.dataDir, DEMO_CREDENTIALS_FILE);
      if ((await c.repos.enterprises.count()) === 0) {
        demo = await createDemoEnterprise(c);
        file = saveCredentials(c, demo);
      }
      const connectLink = await demoConnectLink(c, demo?.client_id ?? savedDemoClientId(file));
      await serveUntilSignal(c, {
        onListening: (url) => {
          if (ctx.json) {
            ctx.io.stdout(JSON.stringify({ url, demo, credentials_file: demo ? file : null, connect_url: connectLink }) + '\n');
            return;
          }
          const lines: string[] = [];
          if (demo) {
            lines.push(
              `Created a demo enterprise (${demo.users} users). Its credentials are shown only now and saved to ${file}:`,
              `  enterprise_id: ${demo.enterprise_id}`,
              `  client_id:     ${demo.client_id}`,
              `  client_secret: ${demo.client_secret}`,
              '',
              'Get a token and list the users:',
              curlExamples(base, demo.client_id, demo.client_secret),
            );
          } else {
            lines.push(
              existsSync(file) ? `Demo credentials: ${file}` : 'Create an enterprise and its client with: tortie enterprise create --name NAME',
              '',
              'Get a token and list the users:',
              curlExamples(base, 'CLIENT_ID', 'CLIENT_SECRET'),
            );
          }
          if (connectLink) lines.push('', 'Open Connect as a demo user in a browser (the sign-in code is logged and written to the outbox folder of the data directory):', `  ${connectLink}`);
          lines.push('', `Tortie listening on ${url} (API documentation: ${base}/docs)`, '');
          ctx.io.stdout(lines.join('\n'));
        },
      });
    } finally {
      await c.close();
    }
    return undefined;
  },
};
