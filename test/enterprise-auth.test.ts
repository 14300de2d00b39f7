/**
 * Enterprise tokens at the door of the Enterprise API: a token from POST /oauth/token opens
 * `/enterprise/v2/*`; a missing, expired, revoked, tampered or foreign-signed one is a 401 with
 * `WWW-Authenticate: Bearer` and an ErrorItem; a user token is a 403.
 */
import { describe, expect, it } from 'vitest';
import { SignJWT, decodeJwt, decodeProtectedHeader, generateKeyPair } from 'jose';
import type { LightMyRequestResponse } from 'fastify';
import { forEachDialect, type TestEnv } from './support/harness.js';

const ROUTE = '/enterprise/v2/users/all';

async function oauthToken(t: TestEnv, e: { clientId: string; clientSecret: string }): Promise<string> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/oauth/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ grant_type: 'client_credentials', client_id: e.clientId, client_secret: e.clientSecret }).toString(),
  });
  expect(res.statusCode).toBe(200);
  return res.json<{ access_token: string }>().access_token;
}

function expect401(res: LightMyRequestResponse): void {
  expect(res.statusCode).toBe(401);
  expect(res.headers['www-authenticate']).toMatch(/^Bearer /);
  expect(res.json()).toEqual({ errors: [{ cause: 'unauthorized', message: expect.any(String) }] });
}

describe('enterprise token on the Enterprise API', () => {
  forEachDialect((env) => {
    it('opens the API with a token from /oauth/token, and only through the Authorization header', async () => {
      const t = env();
      const e = await t.newEnterprise('Door Co');
      const token = await oauthToken(t, e);
      expect((await t.call(token, { method: 'GET', url: ROUTE })).statusCode).toBe(200);
      expect401(await t.call(null, { method: 'GET', url: ROUTE }));
      expect401(await t.call(null, { method: 'GET', url: `${ROUTE}?access_token=${token}` }));
      expect401(await t.call(null, { method: 'GET', url: ROUTE, headers: { authorization: `Basic ${Buffer.from(`${e.clientId}:${e.clientSecret}`).toString('base64')}` } }));
    });

    it('refuses tampered, foreign-signed and HS256 tokens', async () => {
      const t = env();
      const e = await t.newEnterprise('Forgery Co');
      const token = await oauthToken(t, e);
      const [h, p, sig] = token.split('.') as [string, string, string];
      const flipped = `${h}.${p}.${sig.slice(0, 20)}${sig[20] === 'A' ? 'B' : 'A'}${sig.slice(21)}`;
      expect401(await t.call(flipped, { method: 'GET', url: ROUTE }));
      const { kid } = decodeProtectedHeader(token);
      const payload = decodeJwt(token);
      const rogue = await generateKeyPair('ES256');
      expect401(await t.call(await new SignJWT({ ...payload }).setProtectedHeader({ alg: 'ES256', kid: kid! }).sign(rogue.privateKey), { method: 'GET', url: ROUTE }));
      const hs = await new SignJWT({ ...payload }).setProtectedHeader({ alg: 'HS256', kid: kid! }).sign(new TextEncoder().encode('0123456789abcdef0123456789abcdef'));
      expect401(await t.call(hs, { method: 'GET', url: ROUTE }));
    });

    it('refuses a revoked token at once, and an expired one', async () => {
      const t = env();
      const e = await t.newEnterprise('Revoked Co');
      const token = await oauthToken(t, e);
      expect((await t.call(token, { method: 'GET', url: ROUTE })).statusCode).toBe(200);
      const revoke = await t.app.inject({
        method: 'POST',
        url: '/oauth/revoke',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ token, client_id: e.clientId, client_secret: e.clientSecret }).toString(),
      });
      expect(revoke.statusCode).toBe(200);
      expect401(await t.call(token, { method: 'GET', url: ROUTE }));

      const fresh = await oauthToken(t, e);
      t.clock.advance(16 * 60_000);
      expect401(await t.call(fresh, { method: 'GET', url: ROUTE }));
      expect((await t.call(await oauthToken(t, e), { method: 'GET', url: ROUTE })).statusCode).toBe(200);
    });

    it('keeps old tokens working across a key rotation', async () => {
      const t = env();
      const e = await t.newEnterprise('Rotation Co');
      const before = await oauthToken(t, e);
      await t.deps.tokens.rotate();
      const after = await oauthToken(t, e);
      expect(decodeProtectedHeader(after).kid).not.toBe(decodeProtectedHeader(before).kid);
      expect((await t.call(before, { method: 'GET', url: ROUTE })).statusCode).toBe(200);
      expect((await t.call(after, { method: 'GET', url: ROUTE })).statusCode).toBe(200);
    });

    it('answers 403 to a user token', async () => {
      const t = env();
      const e = await t.newEnterprise('Kind Co');
      const { token } = await t.deps.tokens.issue('platform', '01900000-0000-7000-8000-000000000001', e.enterpriseId, e.clientId, 'assets:read transactions:read');
      const res = await t.call(token, { method: 'GET', url: ROUTE });
      expect(res.statusCode).toBe(403);
      expect(res.json()).toEqual({ errors: [{ cause: 'forbidden', message: expect.any(String) }] });
    });
  });
});
