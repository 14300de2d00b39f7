import { describe, expect, it } from 'vitest';
import { forEachDialect } from './support/harness.js';
import { buildApp } from '../src/http/app.js';
import { loggerOptions, redactUrl } from '../src/http/logger.js';

describe('request logs', () => {
  forEachDialect((env) => {
    it('are JSON lines with request ids that never contain a client secret or an access token', async () => {
      const t = env();
      const lines: string[] = [];
      const app = await buildApp(t.deps, { logger: loggerOptions('trace', { write: (l: string) => void lines.push(l) }) });
      try {
        const e = await t.newEnterprise('Log Co');
        const form = { 'content-type': 'application/x-www-form-urlencoded' };
        const basic = 'Basic ' + Buffer.from(`${e.clientId}:${e.clientSecret}`).toString('base64');
        const viaForm = await app.inject({ method: 'POST', url: '/oauth/token', headers: form, payload: `grant_type=client_credentials&client_id=${e.clientId}&client_secret=${e.clientSecret}` });
        const viaBasic = await app.inject({ method: 'POST', url: '/oauth/token', headers: { ...form, authorization: basic, 'x-request-id': 'req-basic-1' }, payload: 'grant_type=client_credentials' });
        const viaJson = await app.inject({ method: 'POST', url: '/oauth/token', payload: { grant_type: 'client_credentials', client_id: e.clientId, client_secret: e.clientSecret } });
        const tokens = [viaForm, viaBasic, viaJson].map((r) => r.json<{ access_token: string }>().access_token);
        expect(tokens.every(Boolean)).toBe(true);
        // failures, a bearer header, a cookie, and secrets misplaced in a query string
        await app.inject({ method: 'POST', url: '/oauth/token', headers: form, payload: `grant_type=client_credentials&client_id=${e.clientId}&client_secret=${e.clientSecret}x` });
        await app.inject({ method: 'POST', url: `/oauth/token?client_secret=${e.clientSecret}`, headers: form, payload: `grant_type=client_credentials` });
        await app.inject({ method: 'GET', url: `/enterprise/v2/users/all?access_token=${tokens[0]}`, headers: { authorization: `Bearer ${tokens[0]}`, cookie: `session=${tokens[1]}` } });
        await app.inject({ method: 'POST', url: '/oauth/revoke', headers: { ...form, authorization: basic }, payload: `token=${tokens[2]}` });

        expect(lines.length).toBeGreaterThan(10);
        const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
        expect(records.filter((r) => r.request_id === 'req-basic-1').length).toBeGreaterThanOrEqual(2);
        const all = lines.join('\n');
        for (const secret of [e.clientSecret, ...tokens, basic.slice(6)]) expect(all).not.toContain(secret);
        // the secret-bearing query parameter is logged masked, not dropped silently
        expect(all).toContain('client_secret=[redacted]');
      } finally {
        await app.close();
      }
    });
  });

  it('logs an unexpected /oauth failure once, as server_error, without the request', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { testConfig } = await import('./support/harness.js');
    const { createContainer } = await import('../src/container.js');
    const dir = mkdtempSync(join(tmpdir(), 'tortie-log-'));
    const deps = createContainer(testConfig(dir, `sqlite:${join(dir, 'gone.db')}`));
    await deps.dbh.migrate();
    const lines: string[] = [];
    const app = await buildApp(deps, { logger: loggerOptions('info', { write: (l: string) => void lines.push(l) }) });
    try {
      await deps.dbh.destroy(); // the database goes away under the running app
      const secret = 'tcs_this-secret-must-not-be-logged';
      const res = await app.inject({ method: 'POST', url: '/oauth/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `grant_type=client_credentials&client_id=tc_x&client_secret=${secret}` });
      expect(res.statusCode).toBe(500);
      expect(res.json()).toEqual({ error: 'server_error', error_description: expect.stringContaining(res.headers['x-request-id'] as string) });
      const errors = lines.map((l) => JSON.parse(l) as { level: number; msg: string }).filter((r) => r.level >= 50);
      expect(errors.map((r) => r.msg)).toEqual(['unhandled error on /oauth']);
      expect(lines.join('\n')).not.toContain(secret);
    } finally {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('masks credential-like query parameters and keeps the rest', () => {
    expect(redactUrl('/a?limit=5&client_secret=s3&code=abc&cursor=x')).toBe('/a?limit=5&client_secret=[redacted]&code=[redacted]&cursor=x');
    expect(redactUrl('/a')).toBe('/a');
    expect(redactUrl('/a?%63ode=abc')).toBe('/a?%63ode=[redacted]');
  });
});
