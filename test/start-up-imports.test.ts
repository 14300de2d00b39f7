/**
 * Issue #5: a server starts without loading any connector library — viem, ccxt, the Bitcoin and
 * Solana key libraries — and answers its first requests (health, a token, an Enterprise API read,
 * the provider catalogue) still without them: they load when a sync or an account check needs them.
 * The real `tortie serve` runs with a loader hook listing every module it loads.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ensureBuilt, MAIN, ROOT } from './support/built-cli.js';

/** Packages only connectors use, by the path segment that names them. */
const CONNECTOR_LIBRARIES = /[/\\]node_modules[/\\](viem|ox|abitype|ccxt|@scure|@noble[/\\]curves)[/\\]/;

const dataDir = mkdtempSync(join(tmpdir(), 'tortie-start-up-'));
const moduleLog = join(dataDir, 'modules.log');
const env: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  TORTIE_DATA_DIR: dataDir,
  TORTIE_SECRET_KEY: randomBytes(32).toString('base64'),
  DATABASE_URL: `sqlite:${join(dataDir, 'tortie.db')}`,
  HOST: '127.0.0.1',
  PORT: '0',
  LOG_LEVEL: 'warn',
};

function cli(args: string[]): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args, '--json'], { env });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as Record<string, unknown>) : reject(new Error(`tortie ${args.join(' ')} exited ${code}: ${out}`))));
  });
}

beforeAll(() => ensureBuilt(), 120_000);
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('tortie serve start-up', () => {
  it('loads no connector library to start and answer its first requests', async () => {
    await cli(['migrate']);
    const e = await cli(['enterprise', 'create', '--name', 'Start-up Co']);
    const child = spawn(process.execPath, ['--import', join(ROOT, 'test', 'support', 'module-log.mjs'), MAIN, 'serve', '--json'], { env: { ...env, TORTIE_TEST_MODULE_LOG: moduleLog } });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('\n')) resolve((JSON.parse(out.split('\n')[0]!) as { url: string }).url);
        });
        child.on('close', (code) => reject(new Error(`tortie serve exited ${code} before listening`)));
      });
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      const tokenRes = await fetch(`${url}/oauth/token`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`${String(e.client_id)}:${String(e.client_secret)}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
      });
      expect(tokenRes.status).toBe(200);
      const headers = { authorization: `Bearer ${((await tokenRes.json()) as { access_token: string }).access_token}` };
      expect((await fetch(`${url}/enterprise/v2/users/all?limit=1`, { headers })).status).toBe(200);
      const providers = await fetch(`${url}/enterprise/v2/providers/all`, { headers });
      expect(providers.status).toBe(200);
      // the catalogue describes every connector, exchanges and chains included, without loading one
      const ids = ((await providers.json()) as { data: { providers: { provider_id: string; capabilities: { balances: boolean } }[] } }).data.providers;
      expect(ids.filter((p) => ['coinbase', 'ethereum', 'bitcoin', 'solana'].includes(p.provider_id)).map((p) => p.capabilities.balances)).toEqual([true, true, true, true]);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    const loaded = readFileSync(moduleLog, 'utf8').split('\n').filter(Boolean);
    // the log sees both kinds of module: the server's own ES modules and its CommonJS dependencies
    expect(loaded.some((m) => m.endsWith('/dist/main.js'))).toBe(true);
    // the server's own code loads as one bundle and the chunks it shares with the demo's worker
    // (scripts/bundle-server.mjs): none of the ~180 modules tsc writes, one by one
    const own = loaded.filter((m) => m.includes('/dist/') && !m.includes('/node_modules/'));
    expect(own.filter((m) => !/[/\\]dist[/\\](main\.js|chunks[/\\][^/\\]+\.js)$/.test(m))).toEqual([]);
    expect(loaded.some((m) => /[/\\]node_modules[/\\]fastify[/\\]fastify\.js$/.test(m))).toBe(true);
    expect([...new Set(loaded.flatMap((m) => CONNECTOR_LIBRARIES.exec(m)?.[1] ?? []))]).toEqual([]);
  });
});
