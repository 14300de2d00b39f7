/**
 * The `tortie` CLI as a real child process (`node dist/main.js`, compiled first when stale) against
 * a fresh SQLite file and a fresh PostgreSQL schema: each command's `--json` output is exactly one
 * JSON document of the documented shape, and the exit codes follow the contract (1 failure, 2 bad
 * usage).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { ensureBuilt, MAIN } from './support/built-cli.js';
import { DIALECTS, PG_URL, type TestDialect } from './support/harness.js';
import { MIGRATION_NAMES } from '../src/db/migrations/index.js';

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface Target {
  env: NodeJS.ProcessEnv;
  dataDir: string;
  cleanup(): Promise<void>;
}

async function newTarget(dialect: TestDialect): Promise<Target> {
  const dataDir = mkdtempSync(join(tmpdir(), `tortie-cli-${dialect}-`));
  const base: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    TORTIE_DATA_DIR: dataDir,
    TORTIE_SECRET_KEY: randomBytes(32).toString('base64'),
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'info',
  };
  if (dialect === 'sqlite') {
    return { env: { ...base, DATABASE_URL: `sqlite:${join(dataDir, 'cli.db')}` }, dataDir, cleanup: async () => rmSync(dataDir, { recursive: true, force: true }) };
  }
  const schema = `cli_${randomBytes(6).toString('hex')}`;
  const admin = async (q: string) => {
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    await c.query(q);
    await c.end();
  };
  await admin(`create schema ${schema}`);
  const url = new URL(PG_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    env: { ...base, DATABASE_URL: url.toString() },
    dataDir,
    cleanup: async () => {
      await admin(`drop schema if exists ${schema} cascade`);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function run(t: Target, args: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { env: t.env, cwd: t.dataDir });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Exactly one JSON document on stdout. */
function onlyJson(r: CliResult): Record<string, unknown> {
  const text = r.stdout.trim();
  expect(text.split('\n'), `stdout is one line of JSON: ${r.stdout}`).toHaveLength(1);
  return JSON.parse(text) as Record<string, unknown>;
}

/** A long-running command: resolves with its first stdout line (printed once it listens). */
function startServer(t: Target, args: string[]): Promise<{ child: ChildProcess; first: string; done: Promise<CliResult> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { env: t.env, cwd: t.dataDir });
    let stdout = '';
    let stderr = '';
    let announced = false;
    const done = new Promise<CliResult>((res) => child.on('close', (code) => res({ code, stdout, stderr })));
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      const nl = stdout.indexOf('\n');
      if (!announced && nl >= 0) {
        announced = true;
        resolve({ child, first: stdout.slice(0, nl), done });
      }
    });
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    void done.then((r) => {
      if (!announced) reject(new Error(`exited ${r.code} before listening: ${r.stderr}`));
    });
  });
}

async function getToken(url: string, clientId: string, clientSecret: string): Promise<Response> {
  return fetch(`${url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Basic ' + Buffer.from(`${clientId}:${clientSecret}`).toString('base64') },
    body: 'grant_type=client_credentials',
  });
}

beforeAll(() => ensureBuilt(), 120_000);

describe('tortie CLI', () => {
  it('prints help (exit 0) and answers no command with usage (exit 2)', async () => {
    const t = await newTarget('sqlite');
    try {
      const help = await run(t, ['--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain('enterprise create --name NAME');
      const one = await run(t, ['client', 'create', '--help']);
      expect(one.code).toBe(0);
      expect(one.stdout).toContain('usage: tortie client create --enterprise ID');
      const none = await run(t, []);
      expect(none.code).toBe(2);
      expect(none.stdout).toBe('');
      expect(none.stderr).toContain('usage: tortie <command>');
      // --help needs no database
      expect(existsSync(join(t.dataDir, 'cli.db'))).toBe(false);
    } finally {
      await t.cleanup();
    }
  });

  describe.each(DIALECTS)('%s', (dialect) => {
    let t: Target;
    beforeAll(async () => {
      t = await newTarget(dialect);
    });
    afterAll(async () => {
      await t.cleanup();
    });

    it('refuses to run commands before migrations (exit 1), then migrates once', async () => {
      const early = await run(t, ['keys', 'rotate', '--json']);
      expect(early.code).toBe(1);
      expect(onlyJson(early)).toEqual({ errors: [{ cause: 'service_unavailable', message: expect.stringContaining('tortie migrate') }] });

      const first = await run(t, ['migrate', '--json']);
      expect(first.code).toBe(0);
      expect(onlyJson(first)).toEqual({ applied: MIGRATION_NAMES });
      const again = await run(t, ['migrate', '--json']);
      expect(onlyJson(again)).toEqual({ applied: [] });
    });

    it('creates enterprises, clients and signing keys', async () => {
      const ent = await run(t, ['enterprise', 'create', '--name', 'Acme Bank', '--json']);
      expect(ent.code).toBe(0);
      const e = onlyJson(ent);
      expect(e).toEqual({ enterprise_id: expect.stringMatching(/^[0-9a-f-]{36}$/), client_id: expect.stringMatching(/^tc_/), client_secret: expect.stringMatching(/^tcs_/) });

      const cl = await run(t, ['client', 'create', '--enterprise', e.enterprise_id as string, '--redirect-uri', 'https://app.example/cb', '--redirect-uri', 'http://localhost:3000/cb', '--json']);
      expect(cl.code).toBe(0);
      expect(onlyJson(cl)).toEqual({ client_id: expect.stringMatching(/^tc_/), client_secret: expect.stringMatching(/^tcs_/), redirect_uris: ['https://app.example/cb', 'http://localhost:3000/cb'] });
      const bare = await run(t, ['client', 'create', '--enterprise', e.enterprise_id as string, '--json']);
      expect(onlyJson(bare)).toMatchObject({ redirect_uris: [] });

      const k1 = onlyJson(await run(t, ['keys', 'rotate', '--json']));
      const k2 = onlyJson(await run(t, ['keys', 'rotate', '--json']));
      expect(k1).toEqual({ kid: expect.any(String) });
      expect(k2.kid).not.toBe(k1.kid);

      // without --json: text for a human, nothing of it JSON
      const human = await run(t, ['enterprise', 'create', '--name', 'Human Co']);
      expect(human.code).toBe(0);
      expect(human.stdout).toMatch(/client_secret: tcs_/);
    });

    it('fails with { errors } and exit 1 for an unknown enterprise or a bad redirect URI', async () => {
      const unknown = await run(t, ['client', 'create', '--enterprise', '01900000-0000-7000-8000-000000000000', '--json']);
      expect(unknown.code).toBe(1);
      expect(onlyJson(unknown)).toEqual({ errors: [{ cause: 'not_found', message: expect.any(String) }] });

      const e = onlyJson(await run(t, ['enterprise', 'create', '--name', 'Redirect Co', '--json']));
      for (const uri of ['ftp://x.example/cb', '/relative', 'https://x.example/cb#frag']) {
        const bad = await run(t, ['client', 'create', '--enterprise', e.enterprise_id as string, '--redirect-uri', uri, '--json']);
        expect(bad.code).toBe(1);
        expect(onlyJson(bad)).toEqual({ errors: [{ cause: 'bad_request', message: expect.any(String), field: 'redirect_uris' }] });
      }
      const text = await run(t, ['client', 'create', '--enterprise', '01900000-0000-7000-8000-000000000000']);
      expect(text.code).toBe(1);
      expect(text.stdout).toBe('');
      expect(text.stderr).toContain('Enterprise not found');
    });

    it('answers bad usage with exit 2', async () => {
      const missing = await run(t, ['enterprise', 'create', '--json']);
      expect(missing.code).toBe(2);
      expect(onlyJson(missing)).toEqual({ errors: [{ cause: 'bad_request', message: '--name is required', field: 'name' }] });
      for (const args of [['enterprise', 'create', '--name', 'X', '--colour', 'red', '--json'], ['frobnicate', '--json'], ['migrate', 'extra', '--json'], ['enterprise', '--json']]) {
        const r = await run(t, args);
        expect(r.code, args.join(' ')).toBe(2);
        expect(onlyJson(r)).toEqual({ errors: [expect.objectContaining({ cause: 'bad_request' })] });
      }
    });

    it('serves until SIGTERM: prints { url }, logs JSON to stderr, issues working tokens', async () => {
      const e = onlyJson(await run(t, ['enterprise', 'create', '--name', 'Serve Co', '--json']));
      const { child, first, done } = await startServer(t, ['serve', '--json']);
      const { url } = JSON.parse(first) as { url: string };
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await fetch(`${url}/readyz`)).status).toBe(200);
      const tok = await getToken(url, e.client_id as string, e.client_secret as string);
      expect(tok.status).toBe(200);
      expect(await tok.json()).toMatchObject({ token_type: 'Bearer', expires_in: 900 });
      child.kill('SIGTERM');
      const r = await done;
      expect(r.code).toBe(0);
      expect(r.stdout.trim().split('\n')).toHaveLength(1);
      const logs = r.stderr.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(logs.some((l) => l.msg === 'shutting down')).toBe(true);
      expect(logs.some((l) => typeof l.request_id === 'string')).toBe(true);
      expect(r.stderr).not.toContain(e.client_secret as string);
    });

    it('prints the OpenAPI document', async () => {
      const r = await run(t, ['openapi', '--json']);
      expect(r.code).toBe(0);
      // equality with the committed copy is openapi-drift.test.ts's job
      const doc = onlyJson(r) as { openapi: string; paths: Record<string, unknown> };
      expect(doc.openapi).toBe('3.1.0');
      expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/oauth/token', '/.well-known/jwks.json', '/healthz']));
    });
  });

  describe.each(DIALECTS)('start (%s)', (dialect) => {
    it('creates a demo enterprise on an empty database once, saves its credentials 0600, then serves', async () => {
      const t = await newTarget(dialect);
      try {
        const { child, first, done } = await startServer(t, ['start', '--json']);
        const started = JSON.parse(first) as { url: string; demo: Record<string, unknown>; credentials_file: string };
        expect(started.demo).toMatchObject({ enterprise_id: expect.any(String), client_id: expect.stringMatching(/^tc_/), client_secret: expect.stringMatching(/^tcs_/) });
        expect(started.credentials_file).toBe(join(t.dataDir, 'demo-credentials.json'));
        expect(statSync(started.credentials_file).mode & 0o777).toBe(0o600);
        const saved = JSON.parse(readFileSync(started.credentials_file, 'utf8')) as Record<string, unknown>;
        expect(saved).toMatchObject({ enterprise_id: started.demo.enterprise_id, client_id: started.demo.client_id, client_secret: started.demo.client_secret });
        expect(started.demo.users).toBe(25);
        const tok = await getToken(started.url, saved.client_id as string, saved.client_secret as string);
        expect(tok.status).toBe(200);
        const { access_token } = (await tok.json()) as { access_token: string };
        const users = await fetch(`${started.url}/enterprise/v2/users/all?limit=100`, { headers: { authorization: `Bearer ${access_token}` } });
        expect(users.status).toBe(200);
        expect(((await users.json()) as { data: { users: unknown[] } }).data.users).toHaveLength(25);
        child.kill('SIGINT');
        expect((await done).code).toBe(0);

        // the second start finds an enterprise: no new demo, no credentials printed
        const second = await startServer(t, ['start']);
        second.child.kill('SIGTERM');
        const r = await second.done;
        expect(r.code).toBe(0);
        expect(r.stdout).toContain(`Demo credentials: ${started.credentials_file}`);
        expect(r.stdout).not.toContain(started.demo.client_secret as string);
        expect(r.stdout).toMatch(/curl -s -u 'CLIENT_ID:CLIENT_SECRET' -d grant_type=client_credentials/);
        expect(r.stdout).toMatch(/Tortie listening on http:\/\/127\.0\.0\.1:\d+/);
      } finally {
        await t.cleanup();
      }
    });
  });
});
