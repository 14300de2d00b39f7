/**
 * The integration-test harness: every database test runs on SQLite and on PostgreSQL. Each test
 * file gets its own fresh SQLite file or PostgreSQL schema (dropped afterwards), migrated once.
 *
 *   forEachDialect((env) => {
 *     it('…', async () => { const t = env(); … });
 *   });
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe } from 'vitest';
import pg from 'pg';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import type { Config } from '../../src/config.js';
import { createContainer, type Container } from '../../src/container.js';
import { createDb, type DbHandle } from '../../src/db/create-db.js';
import { buildApp } from '../../src/http/app.js';
import { TestClock } from '../../src/lib/clock.js';

export const DIALECTS = ['sqlite', 'postgres'] as const;
export type TestDialect = (typeof DIALECTS)[number];

export const PG_URL = process.env.TORTIE_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestEnv {
  dialect: TestDialect;
  config: Config;
  clock: TestClock;
  deps: Container;
  app: FastifyInstance;
  dataDir: string;
  /** Creates an enterprise with a client and returns a valid enterprise token for it. */
  newEnterprise(name?: string, opts?: { demo?: boolean }): Promise<TestEnterprise>;
  /** `app.inject` with the token as a Bearer header. */
  call(token: string | null, opts: InjectOptions): Promise<LightMyRequestResponse>;
}

export interface TestEnterprise {
  enterpriseId: string;
  clientId: string;
  clientSecret: string;
  token: string;
}

export function testConfig(dataDir: string, databaseUrl: string): Config {
  return {
    databaseUrl,
    dataDir,
    host: '127.0.0.1',
    port: 0,
    baseUrl: 'http://tortie.test',
    secretKey: randomBytes(32).toString('base64'),
    smtpUrl: null,
    logLevel: 'silent',
    bodyLimit: 1024 * 1024,
    endpoints: { rpc: {}, explorer: {}, exchange: {}, esplora: null },
    syncIntervalMs: 3_600_000,
    syncLeaseMs: 60_000,
    inProcessSyncWorker: true,
    coingecko: null,
  };
}

/** Opens a fresh, migrated database of the dialect. `drop` removes it. */
export async function freshDatabase(dialect: TestDialect, dataDir: string): Promise<{ url: string; schema?: string; dbh: DbHandle; drop(): Promise<void> }> {
  if (dialect === 'sqlite') {
    const url = `sqlite:${join(dataDir, 'test.db')}`;
    const dbh = createDb(url);
    await dbh.migrate();
    return { url, dbh, drop: async () => dbh.destroy() };
  }
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const dbh = createDb(PG_URL, { schema, poolSize: 5 });
  await dbh.migrate();
  return {
    url: PG_URL,
    schema,
    dbh,
    drop: async () => {
      await dbh.destroy();
      await dropSchema(schema);
    },
  };
}

/** Drops a test's PostgreSQL schema and everything in it. */
export async function dropSchema(schema: string): Promise<void> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  await c.query(`drop schema if exists ${schema} cascade`);
  await c.end();
}

export async function createTestEnv(dialect: TestDialect): Promise<TestEnv & { destroy(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), `tortie-${dialect}-`));
  const fresh = await freshDatabase(dialect, dataDir);
  const config = testConfig(dataDir, fresh.url);
  const clock = new TestClock(Date.parse('2026-06-15T12:00:00.000Z'));
  const deps = createContainer(config, { clock, dbHandle: fresh.dbh, schema: fresh.schema });
  await deps.tokens.ensureSigningKey();
  const app = await buildApp(deps);
  const env: TestEnv & { destroy(): Promise<void> } = {
    dialect,
    config,
    clock,
    deps,
    app,
    dataDir,
    async newEnterprise(name = 'Test Enterprise', opts = {}) {
      const e = await deps.services.enterprises.create({ name, demo: opts.demo ?? true });
      const { token } = await deps.tokens.issue('enterprise', e.client_id, e.enterprise_id, e.client_id, 'enterprise');
      return { enterpriseId: e.enterprise_id, clientId: e.client_id, clientSecret: e.client_secret, token };
    },
    call(token, opts) {
      const headers = { ...(opts.headers ?? {}) } as Record<string, string>;
      if (token) headers.authorization = `Bearer ${token}`;
      return app.inject({ ...opts, headers });
    },
    async destroy() {
      await app.close();
      await deps.close();
      await fresh.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return env;
}

/**
 * Declares the enclosed tests once per dialect. `env()` returns the dialect's environment, created
 * before the first test of the group and destroyed after the last.
 */
export function forEachDialect(body: (env: () => TestEnv) => void): void {
  describe.each(DIALECTS)('%s', (dialect) => {
    let current: (TestEnv & { destroy(): Promise<void> }) | undefined;
    beforeAll(async () => {
      current = await createTestEnv(dialect);
    }, 60_000);
    afterAll(async () => {
      await current?.destroy();
    });
    body(() => {
      if (!current) throw new Error('test environment not ready');
      return current;
    });
  });
}
