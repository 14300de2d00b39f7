/**
 * TokenService remembers verified token strings (VerifiedTokenCache). These tests warm the cache
 * with a first successful request and check that nothing the cache must not hide is hidden:
 * revocation of the token, of its client and of its user applies at once, expiry at its second,
 * and a token whose signing key is gone is refused.
 */
import { describe, expect, it } from 'vitest';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { forEachDialect, type TestEnv, type TestEnterprise } from './support/harness.js';
import { seedUser } from './support/seed.js';
import { isoOf } from '../src/lib/clock.js';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

async function usersList(t: TestEnv, token: string): Promise<number> {
  return (await t.call(token, { method: 'GET', url: '/enterprise/v2/users/all?limit=1' })).statusCode;
}

async function freshToken(t: TestEnv, e: TestEnterprise): Promise<string> {
  return (await t.deps.tokens.issue('enterprise', e.clientId, e.enterpriseId, e.clientId, 'enterprise')).token;
}

describe('verified-token cache', () => {
  forEachDialect((env) => {
    it('refuses a revoked token at once although its verification is cached', async () => {
      const t = env();
      const e = await t.newEnterprise('Cached Revoke Co');
      const token = await freshToken(t, e);
      expect(await usersList(t, token)).toBe(200);
      expect(await usersList(t, token)).toBe(200);
      const form = new URLSearchParams({ token, client_id: e.clientId, client_secret: e.clientSecret }).toString();
      expect((await t.app.inject({ method: 'POST', url: '/oauth/revoke', headers: FORM, payload: form })).statusCode).toBe(200);
      // no clock movement: the very next request is refused
      const res = await t.call(token, { method: 'GET', url: '/enterprise/v2/users/all?limit=1' });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({ errors: [{ cause: 'unauthorized', message: 'The access token has been revoked' }] });
    });

    it("refuses a cached token once its client's tokens are revoked", async () => {
      const t = env();
      const e = await t.newEnterprise('Cached Client Co');
      const token = await freshToken(t, e);
      expect(await usersList(t, token)).toBe(200);
      t.clock.advance(1_000);
      await t.deps.repos.auth.revokeClientTokensBefore(e.clientId, isoOf(t.clock.now()));
      t.deps.revocations.invalidate('client', e.clientId);
      expect(await usersList(t, token)).toBe(401);
      // a token issued after the cutoff is accepted
      t.clock.advance(1_000);
      expect(await usersList(t, await freshToken(t, e))).toBe(200);
    });

    it("refuses a cached user token at once when the user is deactivated", async () => {
      const t = env();
      const e = await t.newEnterprise('Cached User Co');
      const userId = await seedUser(t.deps, e.enterpriseId);
      const { token: userToken } = await t.deps.tokens.issue('platform', userId, e.enterpriseId, e.clientId, 'assets:read transactions:read');
      await expect(t.deps.tokens.verify(userToken, 'platform')).resolves.toMatchObject({ sub: userId });
      await expect(t.deps.tokens.verify(userToken, 'platform')).resolves.toMatchObject({ sub: userId });
      t.clock.advance(1_000);
      expect((await t.call(e.token, { method: 'DELETE', url: `/enterprise/v2/users/${userId}` })).statusCode).toBe(200);
      await expect(t.deps.tokens.verify(userToken, 'platform')).rejects.toMatchObject({ status: 401 });
    });

    it('refuses a cached token from its expiry second on', async () => {
      const t = env();
      const e = await t.newEnterprise('Cached Expiry Co');
      const token = await freshToken(t, e);
      const { exp } = decodeJwt(token);
      expect(await usersList(t, token)).toBe(200);
      t.clock.set(exp! * 1000 - 1);
      expect(await usersList(t, token)).toBe(200);
      t.clock.set(exp! * 1000);
      const res = await t.call(token, { method: 'GET', url: '/enterprise/v2/users/all?limit=1' });
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer /);
    });

    it('refuses a tampered copy of a cached token', async () => {
      const t = env();
      const e = await t.newEnterprise('Cached Tamper Co');
      const token = await freshToken(t, e);
      expect(await usersList(t, token)).toBe(200);
      const [h, p, sig] = token.split('.') as [string, string, string];
      const flipped = `${h}.${p}.${sig.slice(0, 20)}${sig[20] === 'A' ? 'B' : 'A'}${sig.slice(21)}`;
      expect(await usersList(t, flipped)).toBe(401);
      expect(await usersList(t, token)).toBe(200);
    });

    it('refuses a cached token whose signing key is gone', async () => {
      const t = env();
      const e = await t.newEnterprise('Cached Key Co');
      const token = await freshToken(t, e);
      expect(await usersList(t, token)).toBe(200);
      const { kid } = decodeProtectedHeader(token);
      // the key is deleted (as if long retired) and this instance reloads its keys
      await t.deps.tokens.rotate();
      await t.deps.ctx.db.deleteFrom('signing_keys').where('kid', '=', kid!).execute();
      await t.deps.tokens.rotate();
      expect(await usersList(t, token)).toBe(401);
      expect(await usersList(t, await freshToken(t, e))).toBe(200);
    });
  });
});
