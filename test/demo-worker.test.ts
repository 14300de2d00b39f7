/**
 * The compiled `tortie demo` generates in a worker thread (beside the writes); from TypeScript
 * sources the same code runs in-thread. Both must give the same content for the same seed and run
 * day, on both databases.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { ensureBuilt, MAIN, ROOT } from './support/built-cli.js';
import { forEachDialect, type TestEnv } from './support/harness.js';
import { content } from './support/demo-content.js';
import { createContainer } from '../src/container.js';

async function databaseUrl(t: TestEnv): Promise<string> {
  if (t.dialect === 'sqlite') return t.config.databaseUrl;
  const r = await sql<{ s: string }>`select current_schema() as s`.execute(t.deps.ctx.db);
  const u = new URL(t.config.databaseUrl);
  u.searchParams.set('options', `-c search_path=${r.rows[0]!.s}`);
  return u.toString();
}

function runDemo(t: TestEnv, url: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const env = { PATH: process.env.PATH, DATABASE_URL: url, TORTIE_DATA_DIR: t.dataDir, TORTIE_SECRET_KEY: t.config.secretKey, LOG_LEVEL: 'silent' };
    const child = spawn(process.execPath, [MAIN, 'demo', ...args], { env, cwd: t.dataDir });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(() => ensureBuilt(), 180_000);

describe('demo generation in a worker thread', () => {
  forEachDialect((env) => {
    it('gives the same content as in-thread generation', async () => {
      const t = env();
      const r = await runDemo(t, await databaseUrl(t), ['--users', '3', '--transactions-per-user', '60', '--seed', 'worker', '--json']);
      expect(r.code, r.stderr).toBe(0);
      expect(existsSync(join(ROOT, 'dist', 'services', 'demo-worker.js'))).toBe(true);
      const out = JSON.parse(r.stdout) as { enterprise_id: string; users: number };
      expect(out.users).toBe(3);
      expect(r.stderr).toMatch(/demo: 180 transactions in/);
      // the bundled CLI (scripts/bundle-server.mjs) finds its worker
      expect(r.stderr).toMatch(/generated in a worker thread/);
      // the same seed on the same run day (the system clock, as the child used), in-thread
      const local = createContainer(t.config, { dbHandle: t.deps.dbh });
      const mine = await local.services.demo.generate({ users: 3, transactionsPerUser: 60, seed: 'worker' });
      expect(mine.stats.worker).toBe(false);
      const [a, b] = [await content(t.deps.ctx.db, out.enterprise_id), await content(t.deps.ctx.db, mine.enterprise_id)];
      expect(a.transactions).toHaveLength(180);
      expect(a).toEqual(b);
    }, 120_000);
  });
});
