import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { forEachDialect, PG_URL, testConfig } from './support/harness.js';
import { createContainer } from '../src/container.js';
import { createDb } from '../src/db/create-db.js';
import { buildApp } from '../src/http/app.js';

describe('operations endpoints', () => {
  forEachDialect((env) => {
    it('answers /healthz and /readyz when the database is migrated', async () => {
      const t = env();
      const health = await t.app.inject({ method: 'GET', url: '/healthz' });
      expect(health.statusCode).toBe(200);
      expect(health.json()).toEqual({ status: 'ok' });
      const ready = await t.app.inject({ method: 'GET', url: '/readyz' });
      expect(ready.statusCode).toBe(200);
      expect(ready.json()).toEqual({ status: 'ready' });
    });

    it('answers /readyz 503 while migrations are pending, and 200 once applied', async () => {
      const t = env();
      let dbh;
      let cleanup = async () => {};
      if (t.dialect === 'sqlite') {
        dbh = createDb(`sqlite:${join(t.dataDir, `pending-${randomBytes(4).toString('hex')}.db`)}`);
      } else {
        const schema = `t_pending_${randomBytes(5).toString('hex')}`;
        const c = new pg.Client({ connectionString: PG_URL });
        await c.connect();
        await c.query(`create schema ${schema}`);
        await c.end();
        dbh = createDb(PG_URL, { schema, poolSize: 2 });
        cleanup = async () => {
          const d = new pg.Client({ connectionString: PG_URL });
          await d.connect();
          await d.query(`drop schema if exists ${schema} cascade`);
          await d.end();
        };
      }
      const deps = createContainer(t.config, { dbHandle: dbh, clock: t.clock });
      const app = await buildApp(deps);
      try {
        const res = await app.inject({ method: 'GET', url: '/readyz' });
        expect(res.statusCode).toBe(503);
        expect(res.json()).toEqual({ errors: [{ cause: 'service_unavailable', message: expect.stringContaining('0001-initial') }] });
        expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
        await dbh.migrate();
        expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
      } finally {
        await app.close();
        await dbh.destroy();
        await cleanup();
      }
    });

    it('counts requests by route template and status in /metrics, per app', async () => {
      const t = env();
      const e = await t.newEnterprise();
      await t.app.inject({ method: 'GET', url: '/healthz' });
      await t.app.inject({ method: 'GET', url: '/no/such/path/123' });
      await t.app.inject({ method: 'POST', url: '/oauth/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `grant_type=client_credentials&client_id=${e.clientId}&client_secret=wrong` });
      const res = await t.app.inject({ method: 'GET', url: '/metrics' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain/);
      const text = res.body;
      expect(text).toMatch(/^http_requests_total\{method="GET",route="\/healthz",status_code="200"\} [1-9]/m);
      expect(text).toMatch(/^http_requests_total\{method="GET",route="unmatched",status_code="404"\} [1-9]/m);
      expect(text).toMatch(/^http_requests_total\{method="POST",route="\/oauth\/token",status_code="401"\} 1$/m);
      expect(text).toMatch(/^http_request_duration_seconds_bucket\{le="0.005",method="GET",route="\/healthz",status_code="200"\} \d+/m);
      expect(text).toContain('process_cpu_user_seconds_total');
      expect(text).not.toContain('/no/such/path');

      // a second app in the same process has its own registry
      const other = await buildApp(createContainer(t.config, { dbHandle: t.deps.dbh, clock: t.clock }));
      try {
        const fresh = await other.inject({ method: 'GET', url: '/metrics' });
        expect(fresh.body).not.toContain('route="/healthz"');
      } finally {
        await other.close();
      }
    });
  });

  it('answers /readyz 503 when the database does not answer', async () => {
    const config = testConfig('/tmp', 'postgres://postgres@127.0.0.1:1/none');
    const deps = createContainer(config);
    const app = await buildApp(deps);
    try {
      const res = await app.inject({ method: 'GET', url: '/readyz' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toEqual({ errors: [{ cause: 'service_unavailable', message: 'The database does not answer' }] });
    } finally {
      await app.close();
      await deps.close();
    }
  });
});

describe('API documentation', () => {
  forEachDialect((env) => {
    it('serves an OpenAPI 3.1 document with full paths, OAuth included', async () => {
      const t = env();
      const res = await t.app.inject({ method: 'GET', url: '/openapi.json' });
      expect(res.statusCode).toBe(200);
      const doc = res.json<{ openapi: string; paths: Record<string, Record<string, { requestBody?: { content: Record<string, unknown> }; responses: Record<string, unknown> }>> }>();
      expect(doc.openapi).toBe('3.1.0');
      const paths = Object.keys(doc.paths);
      expect(paths).toEqual(expect.arrayContaining(['/oauth/token', '/oauth/revoke', '/.well-known/jwks.json', '/.well-known/oauth-authorization-server', '/healthz', '/readyz', '/metrics']));
      expect(paths.filter((p) => p.startsWith('/docs') || p === '/openapi.json')).toEqual([]);
      expect(Object.keys(doc.paths['/oauth/token']!.post!.requestBody!.content)).toEqual(['application/x-www-form-urlencoded', 'application/json']);
      for (const [path, ops] of Object.entries(doc.paths)) {
        for (const [method, op] of Object.entries(ops)) {
          expect(Object.keys(op.responses), `${method} ${path} documents a 2xx response`).toEqual(expect.arrayContaining([expect.stringMatching(/^2/)]));
        }
      }
    });

    it('serves /docs from its own assets, with no third-party host', async () => {
      const t = env();
      const page = await t.app.inject({ method: 'GET', url: '/docs/' });
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-type']).toMatch(/text\/html/);
      const srcs = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
      expect(srcs.length).toBeGreaterThan(0);
      for (const s of srcs) expect(s).not.toMatch(/^(https?:)?\/\//);
      const script = srcs.find((s) => s.endsWith('.js'))!;
      const asset = await t.app.inject({ method: 'GET', url: new URL(script, 'http://x/docs/').pathname });
      expect(asset.statusCode).toBe(200);
    });
  });
});
