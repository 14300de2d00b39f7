import { describe, expect, it } from 'vitest';
import { SignJWT, decodeJwt, decodeProtectedHeader, generateKeyPair } from 'jose';
import type { LightMyRequestResponse } from 'fastify';
import { forEachDialect, type TestEnv } from './support/harness.js';
import { AppError } from '../src/domain/errors.js';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

function basic(id: string, secret: string): string {
  return 'Basic ' + Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64');
}

function postToken(t: TestEnv, payload: string | Record<string, unknown>, headers: Record<string, string> = FORM): Promise<LightMyRequestResponse> {
  return t.app.inject({ method: 'POST', url: '/oauth/token', headers, payload: payload as string });
}

async function tokenFor(t: TestEnv, e: { clientId: string; clientSecret: string }): Promise<string> {
  const res = await postToken(t, form({ grant_type: 'client_credentials', client_id: e.clientId, client_secret: e.clientSecret }));
  expect(res.statusCode).toBe(200);
  return res.json<{ access_token: string }>().access_token;
}

/** Asserts the RFC 6749 error shape (never the API's ErrorItems). */
function expectOAuthError(res: LightMyRequestResponse, status: number, error: string): void {
  expect(res.statusCode).toBe(status);
  expect(res.json()).toEqual({ error, error_description: expect.any(String) });
  if (status === 401) expect(res.headers['www-authenticate']).toMatch(/^Basic /);
}

async function expectUnauthorized(t: TestEnv, token: string): Promise<void> {
  await expect(t.deps.tokens.verify(token, 'enterprise')).rejects.toMatchObject({ status: 401, cause_: 'unauthorized' });
}

describe('OAuth token endpoint', () => {
  forEachDialect((env) => {
    it('issues an enterprise token for client credentials sent as a form', async () => {
      const t = env();
      const e = await t.newEnterprise('Form Co');
      const res = await postToken(t, form({ grant_type: 'client_credentials', client_id: e.clientId, client_secret: e.clientSecret }));
      expect(res.statusCode).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      const body = res.json<Record<string, unknown>>();
      expect(body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 900, scope: 'enterprise' });
      const token = body.access_token as string;
      expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'ES256', kid: expect.any(String) });
      const payload = decodeJwt(token);
      expect(payload).toMatchObject({ iss: 'http://tortie.test', aud: 'tortie:enterprise', sub: e.clientId, ent: e.enterpriseId, scope: 'enterprise' });
      expect(payload.exp! - payload.iat!).toBe(900);
      const claims = await t.deps.tokens.verify(token, 'enterprise');
      expect(claims).toMatchObject({ kind: 'enterprise', enterpriseId: e.enterpriseId, clientId: e.clientId, scope: 'enterprise' });
    });

    it('accepts JSON bodies and HTTP Basic client authentication', async () => {
      const t = env();
      const e = await t.newEnterprise('Json Co');
      const json = await postToken(t, { grant_type: 'client_credentials', client_id: e.clientId, client_secret: e.clientSecret }, { 'content-type': 'application/json' });
      expect(json.statusCode).toBe(200);
      expect((await t.deps.tokens.verify(json.json<{ access_token: string }>().access_token, 'enterprise')).enterpriseId).toBe(e.enterpriseId);

      const viaBasic = await postToken(t, form({ grant_type: 'client_credentials' }), { ...FORM, authorization: basic(e.clientId, e.clientSecret) });
      expect(viaBasic.statusCode).toBe(200);
      expect((await t.deps.tokens.verify(viaBasic.json<{ access_token: string }>().access_token, 'enterprise')).clientId).toBe(e.clientId);

      const scoped = await postToken(t, form({ grant_type: 'client_credentials', scope: 'enterprise' }), { ...FORM, authorization: basic(e.clientId, e.clientSecret) });
      expect(scoped.statusCode).toBe(200);
    });

    it('answers invalid_client (401, WWW-Authenticate: Basic) for a wrong secret, an unknown client or no credentials', async () => {
      const t = env();
      const e = await t.newEnterprise('Wrong Co');
      expectOAuthError(await postToken(t, form({ grant_type: 'client_credentials', client_id: e.clientId, client_secret: e.clientSecret + 'x' })), 401, 'invalid_client');
      expectOAuthError(await postToken(t, form({ grant_type: 'client_credentials', client_id: 'tc_nobody', client_secret: e.clientSecret })), 401, 'invalid_client');
      expectOAuthError(await postToken(t, form({ grant_type: 'client_credentials' }), { ...FORM, authorization: basic(e.clientId, 'nope') }), 401, 'invalid_client');
      expectOAuthError(await postToken(t, form({ grant_type: 'client_credentials', client_id: e.clientId })), 401, 'invalid_client');
      // another enterprise's secret does not open this client
      const other = await t.newEnterprise('Other Co');
      expectOAuthError(await postToken(t, form({ grant_type: 'client_credentials', client_id: e.clientId, client_secret: other.clientSecret })), 401, 'invalid_client');
    });

    it('answers malformed requests with RFC 6749 errors, not ErrorItems', async () => {
      const t = env();
      const e = await t.newEnterprise('Malformed Co');
      const creds = { client_id: e.clientId, client_secret: e.clientSecret };
      expectOAuthError(await postToken(t, form(creds)), 400, 'invalid_request');
      expectOAuthError(await postToken(t, form({ grant_type: 'authorization_code', code: 'x', ...creds })), 400, 'invalid_request');
      expectOAuthError(await postToken(t, form({ grant_type: 'refresh_token', refresh_token: 'x', ...creds })), 400, 'invalid_grant');
      expectOAuthError(await postToken(t, form({ grant_type: 'password', ...creds })), 400, 'unsupported_grant_type');
      expectOAuthError(await postToken(t, form({ grant_type: 'client_credentials', scope: 'admin', ...creds })), 400, 'invalid_scope');
      expectOAuthError(await postToken(t, 'grant_type=client_credentials', { 'content-type': 'text/plain' }), 400, 'invalid_request');
      expectOAuthError(await postToken(t, '{"grant_type": ', { 'content-type': 'application/json' }), 400, 'invalid_request');
      expectOAuthError(await postToken(t, { grant_type: 'client_credentials', client_id: 42, client_secret: 'x' }, { 'content-type': 'application/json' }), 400, 'invalid_request');
      expectOAuthError(await t.app.inject({ method: 'POST', url: '/oauth/token' }), 400, 'invalid_request');
      // a parameter sent twice (RFC 6749 §3.1)
      expectOAuthError(await postToken(t, `grant_type=client_credentials&grant_type=client_credentials&client_id=${e.clientId}&client_secret=${e.clientSecret}`), 400, 'invalid_request');
      // two authentication methods at once
      expectOAuthError(await postToken(t, form({ grant_type: 'client_credentials', client_secret: e.clientSecret }), { ...FORM, authorization: basic(e.clientId, e.clientSecret) }), 400, 'invalid_request');
      // unknown parameters are ignored (RFC 6749 §3.2)
      expect((await postToken(t, form({ grant_type: 'client_credentials', ...creds, audience: 'x' }))).statusCode).toBe(200);
    });

    it('answers unknown /oauth paths and methods the RFC way', async () => {
      const t = env();
      const wrongMethod = await t.app.inject({ method: 'GET', url: '/oauth/token' });
      expectOAuthError(wrongMethod, 405, 'invalid_request');
      expect(wrongMethod.headers.allow).toBe('POST');
      expectOAuthError(await t.app.inject({ method: 'POST', url: '/oauth/authorize-nothing' }), 404, 'invalid_request');
    });
  });
});

describe('access token verification', () => {
  forEachDialect((env) => {
    it('refuses expired, tampered and foreign-signed tokens', async () => {
      const t = env();
      const e = await t.newEnterprise('Verify Co');
      const token = await tokenFor(t, e);
      const { kid } = decodeProtectedHeader(token);
      const payload = decodeJwt(token);

      // tampered: one character of the signature changed
      const [h, p, sig] = token.split('.') as [string, string, string];
      const i = 20;
      const flipped = `${h}.${p}.${sig.slice(0, i)}${sig[i] === 'A' ? 'B' : 'A'}${sig.slice(i + 1)}`;
      await expectUnauthorized(t, flipped);
      // tampered: the payload changed to another enterprise, signature kept
      const otherPayload = Buffer.from(JSON.stringify({ ...payload, ent: '00000000-0000-7000-8000-000000000000' })).toString('base64url');
      await expectUnauthorized(t, `${h}.${otherPayload}.${sig}`);

      // signed by another ES256 key presenting our kid
      const rogue = await generateKeyPair('ES256');
      const forged = await new SignJWT({ ...payload }).setProtectedHeader({ alg: 'ES256', kid: kid!, typ: 'at+jwt' }).sign(rogue.privateKey);
      await expectUnauthorized(t, forged);
      // HS256 (algorithm confusion) and alg "none"
      const hs = await new SignJWT({ ...payload }).setProtectedHeader({ alg: 'HS256', kid: kid! }).sign(new TextEncoder().encode('a-shared-secret-of-32-bytes-long!'));
      await expectUnauthorized(t, hs);
      const none = `${Buffer.from(JSON.stringify({ alg: 'none', kid })).toString('base64url')}.${p}.`;
      await expectUnauthorized(t, none);
      await expectUnauthorized(t, 'not-a-jwt');

      // still valid after 14 minutes, expired after 16
      t.clock.advance(14 * 60_000);
      await expect(t.deps.tokens.verify(token, 'enterprise')).resolves.toMatchObject({ clientId: e.clientId });
      t.clock.advance(2 * 60_000);
      await expectUnauthorized(t, token);
    });

    it('refuses a JWT signed by our own key that is not typed as an access token', async () => {
      const t = env();
      const e = await t.newEnterprise('Typ Co');
      const token = await tokenFor(t, e);
      const { kid } = decodeProtectedHeader(token);
      const row = await t.deps.ctx.db.selectFrom('signing_keys').selectAll().where('kid', '=', kid!).executeTakeFirstOrThrow();
      const { importJWK } = await import('jose');
      const key = await importJWK(JSON.parse(t.deps.envelope.open(row.private_jwk_enc, kid!)) as Record<string, string>, 'ES256');
      const payload = decodeJwt(token);
      const sign = (typ: string) => new SignJWT({ ...payload }).setProtectedHeader({ alg: 'ES256', kid: kid!, typ }).sign(key);
      await expect(t.deps.tokens.verify(await sign('at+jwt'), 'enterprise')).resolves.toMatchObject({ clientId: e.clientId });
      await expectUnauthorized(t, await sign('JWT'));
    });

    it('refuses an enterprise token where a user token is required (403)', async () => {
      const t = env();
      const e = await t.newEnterprise('Kind Co');
      const token = await tokenFor(t, e);
      await expect(t.deps.tokens.verify(token, 'platform')).rejects.toMatchObject({ status: 403, cause_: 'forbidden' });
      const err = await t.deps.tokens.verify(token, 'platform').catch((x: unknown) => x);
      expect(err).toBeInstanceOf(AppError);
    });
  });
});

describe('token revocation (RFC 7009)', () => {
  forEachDialect((env) => {
    it('revokes an access token at once, and only the caller\'s own', async () => {
      const t = env();
      const e = await t.newEnterprise('Revoke Co');
      const other = await t.newEnterprise('Bystander Co');
      const token = await tokenFor(t, e);
      const othersToken = await tokenFor(t, other);

      // a token of another client is left alone (and the answer does not say so)
      const foreign = await t.app.inject({ method: 'POST', url: '/oauth/revoke', headers: FORM, payload: form({ token: othersToken, client_id: e.clientId, client_secret: e.clientSecret }) });
      expect(foreign.statusCode).toBe(200);
      await expect(t.deps.tokens.verify(othersToken, 'enterprise')).resolves.toMatchObject({ clientId: other.clientId });

      const res = await t.app.inject({ method: 'POST', url: '/oauth/revoke', headers: { ...FORM, authorization: basic(e.clientId, e.clientSecret) }, payload: form({ token, token_type_hint: 'access_token' }) });
      expect(res.statusCode).toBe(200);
      expect(res.body).toBe('');
      expect(res.headers['cache-control']).toBe('no-store');
      await expect(t.deps.tokens.verify(token, 'enterprise')).rejects.toMatchObject({ status: 401 });
      const { jti } = decodeJwt(token);
      const row = await t.deps.ctx.db.selectFrom('revoked_tokens').selectAll().where('jti', '=', jti!).executeTakeFirst();
      expect(row).toMatchObject({ jti, expires_at: new Date(decodeJwt(token).exp! * 1000).toISOString() });

      // a fresh token of the same client still works
      await expect(t.deps.tokens.verify(await tokenFor(t, e), 'enterprise')).resolves.toMatchObject({ clientId: e.clientId });
    });

    it('is visible to another instance sharing the database', async () => {
      const t = env();
      const e = await t.newEnterprise('Shared Co');
      const token = await tokenFor(t, e);
      const { createContainer } = await import('../src/container.js');
      const second = createContainer(t.config, { clock: t.clock, dbHandle: t.deps.dbh });
      await expect(second.tokens.verify(token, 'enterprise')).resolves.toMatchObject({ clientId: e.clientId });
      const res = await t.app.inject({ method: 'POST', url: '/oauth/revoke', headers: FORM, payload: form({ token, client_id: e.clientId, client_secret: e.clientSecret }) });
      expect(res.statusCode).toBe(200);
      t.clock.advance(2_000); // past the other instance's cache refresh interval
      await expect(second.tokens.verify(token, 'enterprise')).rejects.toMatchObject({ status: 401 });
    });

    it('answers 200 for unknown or invalid tokens and 401 without client authentication', async () => {
      const t = env();
      const e = await t.newEnterprise('Garbage Co');
      for (const token of ['garbage', 'a.b.c', '']) {
        const res = await t.app.inject({ method: 'POST', url: '/oauth/revoke', headers: FORM, payload: form({ token, client_id: e.clientId, client_secret: e.clientSecret }) });
        expect(res.statusCode).toBe(200);
      }
      const token = await tokenFor(t, e);
      expectOAuthError(await t.app.inject({ method: 'POST', url: '/oauth/revoke', headers: FORM, payload: form({ token }) }), 401, 'invalid_client');
      expectOAuthError(await t.app.inject({ method: 'POST', url: '/oauth/revoke', headers: FORM, payload: form({ token, client_id: e.clientId, client_secret: 'wrong' }) }), 401, 'invalid_client');
      expectOAuthError(await t.app.inject({ method: 'POST', url: '/oauth/revoke', headers: FORM, payload: form({ client_id: e.clientId, client_secret: e.clientSecret }) }), 400, 'invalid_request');
      await expect(t.deps.tokens.verify(token, 'enterprise')).resolves.toMatchObject({ clientId: e.clientId });
    });
  });
});

describe('signing keys and discovery', () => {
  forEachDialect((env) => {
    it('publishes authorization server metadata (RFC 8414)', async () => {
      const t = env();
      const res = await t.app.inject({ method: 'GET', url: '/.well-known/oauth-authorization-server' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        issuer: 'http://tortie.test',
        token_endpoint: 'http://tortie.test/oauth/token',
        revocation_endpoint: 'http://tortie.test/oauth/revoke',
        jwks_uri: 'http://tortie.test/.well-known/jwks.json',
        authorization_endpoint: 'http://tortie.test/connect',
        grant_types_supported: ['client_credentials', 'authorization_code', 'refresh_token'],
        response_types_supported: ['code'],
        code_challenge_methods_supported: ['S256', 'plain'],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      });
    });

    it('rotates keys: old tokens keep verifying, new tokens carry the new kid, JWKS lists both without private parts', async () => {
      const t = env();
      const e = await t.newEnterprise('Rotate Co');
      const before = await tokenFor(t, e);
      const oldKid = decodeProtectedHeader(before).kid;
      t.clock.advance(1_000);
      const newKid = await t.deps.tokens.rotate();
      expect(newKid).not.toBe(oldKid);

      const after = await tokenFor(t, e);
      expect(decodeProtectedHeader(after).kid).toBe(newKid);
      await expect(t.deps.tokens.verify(before, 'enterprise')).resolves.toMatchObject({ clientId: e.clientId });
      await expect(t.deps.tokens.verify(after, 'enterprise')).resolves.toMatchObject({ clientId: e.clientId });

      const jwks = await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
      expect(jwks.statusCode).toBe(200);
      const keys = jwks.json<{ keys: Record<string, string>[] }>().keys;
      expect(keys.map((k) => k.kid)).toEqual(expect.arrayContaining([oldKid, newKid]));
      for (const k of keys) {
        expect(Object.keys(k).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
        expect(k).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
      }

      // a token lifetime (and a minute of slack) after the rotation, the old key is gone
      t.clock.advance(17 * 60_000);
      const later = await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
      expect(later.json<{ keys: { kid: string }[] }>().keys.map((k) => k.kid)).toEqual([newKid]);
      await expect(t.deps.tokens.verify(await tokenFor(t, e), 'enterprise')).resolves.toMatchObject({ clientId: e.clientId });
    });
  });
});
