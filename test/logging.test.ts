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

  it('masks credential-like query parameters and keeps the rest', () => {
    expect(redactUrl('/a?limit=5&client_secret=s3&code=abc&cursor=x')).toBe('/a?limit=5&client_secret=[redacted]&code=[redacted]&cursor=x');
    expect(redactUrl('/a')).toBe('/a');
    expect(redactUrl('/a?%63ode=abc')).toBe('/a?%63ode=[redacted]');
  });
});
