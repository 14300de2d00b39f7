/**
 * Route schemas compile on first use by default (src/http/schema-compilers.ts): built eagerly, as
 * Fastify does by itself, every schema still compiles, and the app answers exactly like the lazy
 * one — validation errors, coercion, defaults, serialized and filtered responses.
 */
import { describe, expect, it } from 'vitest';
import type { InjectOptions } from 'fastify';
import { forEachDialect } from './support/harness.js';
import { seedAccount, seedUser } from './support/seed.js';
import { buildApp } from '../src/http/app.js';

describe('schema compilation', () => {
  forEachDialect((env) => {
    it('compiles every route schema when built eagerly, and answers as the lazy app does', async () => {
      const t = env();
      const e = await t.newEnterprise('Schemas Co');
      const userId = await seedUser(t.deps, e.enterpriseId, { fullName: 'Ada' });
      await seedAccount(t.deps, e.enterpriseId, userId);
      const eager = await buildApp(t.deps, { schemas: 'eager' });
      try {
        const auth = { authorization: `Bearer ${e.token}` };
        const requests: InjectOptions[] = [
          { method: 'GET', url: '/healthz' },
          { method: 'GET', url: '/enterprise/v2/users/all?limit=1', headers: auth },
          { method: 'GET', url: '/enterprise/v2/users/all?limit=abc', headers: auth },
          { method: 'GET', url: '/enterprise/v2/users/all?limit=0', headers: auth },
          { method: 'GET', url: `/enterprise/v2/users/${userId}`, headers: auth },
          { method: 'GET', url: `/enterprise/v2/users/${userId}/assets`, headers: auth },
          { method: 'GET', url: '/enterprise/v2/users/not-a-uuid', headers: auth },
          { method: 'GET', url: '/enterprise/v2/accounts/all', headers: auth },
          { method: 'GET', url: '/enterprise/v2/providers/all', headers: auth },
          { method: 'PUT', url: '/enterprise/v2/providers', headers: { ...auth, 'content-type': 'application/json' }, payload: '{"provider_ids":"coinbase"}' },
          { method: 'PUT', url: '/enterprise/v2/providers', headers: { ...auth, 'content-type': 'application/json' }, payload: '{"provider_ids":[1]}' },
          { method: 'POST', url: '/oauth/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'grant_type=nonsense' },
        ];
        for (const r of requests) {
          const [lazyRes, eagerRes] = [await t.app.inject(r), await eager.inject(r)];
          const label = `${r.method} ${r.url}`;
          expect(lazyRes.statusCode, label).toBe(eagerRes.statusCode);
          expect(lazyRes.headers['content-type'], label).toBe(eagerRes.headers['content-type']);
          expect(lazyRes.body, label).toBe(eagerRes.body);
        }
      } finally {
        await eager.close();
      }
    });
  });
});
