/**
 * The authorization-code grant with PKCE, refresh-token rotation and revocation (SPEC §4, §7),
 * through the real `/oauth/token` and `/oauth/revoke` endpoints on both databases. Codes are issued
 * by AuthorizationService.issueCode, as Connect does at the end of the consent step.
 */
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import type { LightMyRequestResponse } from 'fastify';
import { forEachDialect, type TestEnv } from './support/harness.js';
import { seedUser } from './support/seed.js';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const REDIRECT = 'https://app.example/callback';

const form = (fields: Record<string, string>): string => new URLSearchParams(fields).toString();
const verifierOf = (): string => randomBytes(32).toString('base64url');
const s256 = (v: string): string => createHash('sha256').update(v).digest('base64url');

function postToken(t: TestEnv, fields: Record<string, string>): Promise<LightMyRequestResponse> {
  return t.app.inject({ method: 'POST', url: '/oauth/token', headers: FORM, payload: form(fields) });
}

function expectOAuthError(res: LightMyRequestResponse, status: number, error: string): void {
  expect(res.statusCode).toBe(status);
  expect(res.json()).toEqual({ error, error_description: expect.any(String) });
}

interface Setup {
  enterpriseId: string;
  clientId: string;
  clientSecret: string;
  userId: string;
}

async function setup(t: TestEnv): Promise<Setup> {
  const e = await t.newEnterprise('Code Co');
  const c = await t.deps.services.enterprises.createClient(e.enterpriseId, [REDIRECT, 'http://localhost:3000/cb']);
  const userId = await seedUser(t.deps, e.enterpriseId);
  return { enterpriseId: e.enterpriseId, clientId: c.client_id, clientSecret: c.client_secret, userId };
}

async function codeFor(t: TestEnv, s: Setup, o: { challenge?: string | null; method?: 'S256' | 'plain' | null; redirectUri?: string; scopes?: string[] } = {}): Promise<string> {
  return t.deps.services.authorization.issueCode({
    clientId: s.clientId,
    enterpriseId: s.enterpriseId,
    userId: s.userId,
    redirectUri: o.redirectUri ?? REDIRECT,
    codeChallenge: o.challenge === undefined ? null : o.challenge,
    method: o.method === undefined ? null : o.method,
    scopes: o.scopes ?? ['assets:read', 'transactions:read'],
  });
}

/** A code with an S256 challenge, and its verifier. */
async function pkceCode(t: TestEnv, s: Setup): Promise<{ code: string; verifier: string }> {
  const verifier = verifierOf();
  return { code: await codeFor(t, s, { challenge: s256(verifier), method: 'S256' }), verifier };
}

async function exchange(t: TestEnv, s: Setup, code: string, verifier: string): Promise<{ access_token: string; refresh_token: string; scope: string }> {
  const res = await postToken(t, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: s.clientId, code_verifier: verifier });
  expect(res.statusCode).toBe(200);
  return res.json();
}

async function expectTokenDead(t: TestEnv, token: string): Promise<void> {
  await expect(t.deps.tokens.verify(token, 'platform')).rejects.toMatchObject({ status: 401 });
}

describe('authorization code with PKCE', () => {
  forEachDialect((env) => {
    it('validates Connect launch parameters: unknown client, unregistered or near-miss redirect URI, bad PKCE, unknown scope', async () => {
      const t = env();
      const s = await setup(t);
      const az = t.deps.services.authorization;
      const ch = s256(verifierOf());
      await expect(az.validateAuthorizeRequest({ client_id: s.clientId, redirect_uri: REDIRECT, code_challenge: ch, code_challenge_method: 'S256', state: 'xyz' })).resolves.toEqual({
        client: { client_id: s.clientId, enterprise_id: s.enterpriseId },
        redirectUri: REDIRECT,
        codeChallenge: ch,
        method: 'S256',
        state: 'xyz',
        scopes: ['assets:read', 'transactions:read'],
      });
      const bad = async (q: Parameters<typeof az.validateAuthorizeRequest>[0], field: string): Promise<void> => {
        await expect(az.validateAuthorizeRequest(q)).rejects.toMatchObject({ status: 400, items: [{ cause: 'bad_request', field }] });
      };
      await bad({ client_id: 'tc_nobody', redirect_uri: REDIRECT }, 'client_id');
      for (const uri of ['https://evil.example/callback', `${REDIRECT}/`, `${REDIRECT}?next=https://evil.example`, 'https://app.example/callback/../x', 'HTTPS://app.example/callback', 'https://app.example.evil.example/callback', '']) {
        await bad({ client_id: s.clientId, redirect_uri: uri }, 'redirect_uri');
      }
      // another enterprise's client does not know this redirect URI either
      const other = await t.newEnterprise('Other Co');
      await bad({ client_id: other.clientId, redirect_uri: REDIRECT }, 'redirect_uri');
      await bad({ client_id: s.clientId, redirect_uri: REDIRECT, code_challenge: ch, code_challenge_method: 'S512' }, 'code_challenge_method');
      await bad({ client_id: s.clientId, redirect_uri: REDIRECT, code_challenge: 'short', code_challenge_method: 'S256' }, 'code_challenge');
      await bad({ client_id: s.clientId, redirect_uri: REDIRECT, code_challenge_method: 'S256' }, 'code_challenge');
      await bad({ client_id: s.clientId, redirect_uri: REDIRECT, scope: 'assets:read admin' }, 'scope');
      // plain is the RFC 7636 default when the method is absent
      const plain = verifierOf();
      await expect(az.validateAuthorizeRequest({ client_id: s.clientId, redirect_uri: REDIRECT, code_challenge: plain, scope: 'assets:read' })).resolves.toMatchObject({ method: 'plain', codeChallenge: plain, scopes: ['assets:read'], state: null });
    });

    it('exchanges a code with an S256 verifier for a user token and a refresh token', async () => {
      const t = env();
      const s = await setup(t);
      const { code, verifier } = await pkceCode(t, s);
      const res = await postToken(t, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: s.clientId, code_verifier: verifier });
      expect(res.statusCode).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      const body = res.json<Record<string, string>>();
      expect(body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 900, refresh_token: expect.any(String), scope: 'assets:read transactions:read' });
      expect(decodeJwt(body.access_token!)).toMatchObject({ aud: 'tortie:platform', sub: s.userId, ent: s.enterpriseId, cid: s.clientId, scope: 'assets:read transactions:read' });
      await expect(t.deps.tokens.verify(body.access_token!, 'platform')).resolves.toMatchObject({ kind: 'platform', sub: s.userId });
      // codes and refresh tokens are stored only hashed
      const codes = await t.deps.ctx.db.selectFrom('oauth_codes').selectAll().where('user_id', '=', s.userId).execute();
      const refresh = await t.deps.ctx.db.selectFrom('refresh_tokens').selectAll().where('user_id', '=', s.userId).execute();
      expect(JSON.stringify(codes)).not.toContain(code);
      expect(JSON.stringify(refresh)).not.toContain(body.refresh_token);
    });

    it('accepts the plain method, and a confidential client with its secret and no PKCE', async () => {
      const t = env();
      const s = await setup(t);
      const v = verifierOf();
      const plainCode = await codeFor(t, s, { challenge: v, method: 'plain', scopes: ['assets:read'] });
      const plain = await postToken(t, { grant_type: 'authorization_code', code: plainCode, redirect_uri: REDIRECT, client_id: s.clientId, code_verifier: v });
      expect(plain.statusCode).toBe(200);
      expect(plain.json<{ scope: string }>().scope).toBe('assets:read');

      const secretCode = await codeFor(t, s);
      const conf = await postToken(t, { grant_type: 'authorization_code', code: secretCode, redirect_uri: REDIRECT, client_id: s.clientId, client_secret: s.clientSecret });
      expect(conf.statusCode).toBe(200);
      // without PKCE a public client cannot redeem a code: the secret is its only proof
      const noProof = await codeFor(t, s);
      expectOAuthError(await postToken(t, { grant_type: 'authorization_code', code: noProof, redirect_uri: REDIRECT, client_id: s.clientId }), 401, 'invalid_client');
      // a wrong secret is invalid_client even with a right verifier
      const { code, verifier } = await pkceCode(t, s);
      expectOAuthError(await postToken(t, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: s.clientId, client_secret: 'wrong', code_verifier: verifier }), 401, 'invalid_client');
    });

    it('refuses a wrong or missing code_verifier, and the code is spent by the attempt', async () => {
      const t = env();
      const s = await setup(t);
      const { code, verifier } = await pkceCode(t, s);
      expectOAuthError(await postToken(t, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: s.clientId, code_verifier: verifierOf() }), 400, 'invalid_grant');
      expectOAuthError(await postToken(t, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: s.clientId, code_verifier: verifier }), 400, 'invalid_grant');
      const second = await pkceCode(t, s);
      expectOAuthError(await postToken(t, { grant_type: 'authorization_code', code: second.code, redirect_uri: REDIRECT, client_id: s.clientId }), 400, 'invalid_request');
      // the plain verifier of an S256 challenge (the challenge itself) is refused
      const third = await pkceCode(t, s);
      expectOAuthError(await postToken(t, { grant_type: 'authorization_code', code: third.code, redirect_uri: REDIRECT, client_id: s.clientId, code_verifier: s256(third.verifier) }), 400, 'invalid_grant');
    });

    it('refuses a reused code and revokes the tokens issued for it', async () => {
      const t = env();
      const s = await setup(t);
      const { code, verifier } = await pkceCode(t, s);
      const first = await exchange(t, s, code, verifier);
      await expect(t.deps.tokens.verify(first.access_token, 'platform')).resolves.toBeTruthy();
      expectOAuthError(await postToken(t, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: s.clientId, code_verifier: verifier }), 400, 'invalid_grant');
      await expectTokenDead(t, first.access_token);
      expectOAuthError(await postToken(t, { grant_type: 'refresh_token', refresh_token: first.refresh_token, client_id: s.clientId }), 400, 'invalid_grant');
    });

    it('redeems a code once even when it is presented concurrently', async () => {
      const t = env();
      const s = await setup(t);
      const { code, verifier } = await pkceCode(t, s);
      const fields = { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: s.clientId, code_verifier: verifier };
      const results = await Promise.all([1, 2, 3].map(() => postToken(t, fields)));
      expect(results.map((r) => r.statusCode).sort()).toEqual([200, 400, 400]);
    });

    it('refuses an expired code (60 seconds, on the injected clock)', async () => {
      const t = env();
      const s = await setup(t);
      const fresh = await pkceCode(t, s);
      t.clock.advance(59_000);
      await exchange(t, s, fresh.code, fresh.verifier);
      const old = await pkceCode(t, s);
      t.clock.advance(61_000);
      expectOAuthError(await postToken(t, { grant_type: 'authorization_code', code: old.code, redirect_uri: REDIRECT, client_id: s.clientId, code_verifier: old.verifier }), 400, 'invalid_grant');
    });

    it('binds the code to its redirect URI and its client', async () => {
      const t = env();
      const s = await setup(t);
      const a = await pkceCode(t, s);
      // another registered URI of the same client is still a mismatch
      expectOAuthError(await postToken(t, { grant_type: 'authorization_code', code: a.code, redirect_uri: 'http://localhost:3000/cb', client_id: s.clientId, code_verifier: a.verifier }), 400, 'invalid_grant');
      const b = await pkceCode(t, s);
      expectOAuthError(await postToken(t, { grant_type: 'authorization_code', code: b.code, redirect_uri: `${REDIRECT}?x=1`, client_id: s.clientId, code_verifier: b.verifier }), 400, 'invalid_grant');
      const c = await pkceCode(t, s);
      const other = await t.deps.services.enterprises.createClient(s.enterpriseId, [REDIRECT]);
      expectOAuthError(await postToken(t, { grant_type: 'authorization_code', code: c.code, redirect_uri: REDIRECT, client_id: other.client_id, code_verifier: c.verifier }), 400, 'invalid_grant');
      expectOAuthError(await postToken(t, { grant_type: 'authorization_code', code: 'made-up', redirect_uri: REDIRECT, client_id: s.clientId, code_verifier: c.verifier }), 400, 'invalid_grant');
      expectOAuthError(await postToken(t, { grant_type: 'authorization_code', redirect_uri: REDIRECT, client_id: s.clientId }), 400, 'invalid_request');
      expectOAuthError(await postToken(t, { grant_type: 'authorization_code', code: c.code, redirect_uri: REDIRECT, client_id: 'tc_nobody', code_verifier: c.verifier }), 401, 'invalid_client');
      // issuing a code for an unregistered redirect URI is refused before anything is stored
      await expect(codeFor(t, s, { redirectUri: 'https://evil.example/cb' })).rejects.toMatchObject({ status: 400, items: [{ field: 'redirect_uri' }] });
    });

    it('rotates refresh tokens; a used one revokes its whole family, access tokens included', async () => {
      const t = env();
      const s = await setup(t);
      const { code, verifier } = await pkceCode(t, s);
      const first = await exchange(t, s, code, verifier);
      t.clock.advance(1_000);
      const r1 = await postToken(t, { grant_type: 'refresh_token', refresh_token: first.refresh_token, client_id: s.clientId });
      expect(r1.statusCode).toBe(200);
      const second = r1.json<{ access_token: string; refresh_token: string; scope: string }>();
      expect(second.refresh_token).not.toBe(first.refresh_token);
      expect(second.scope).toBe('assets:read transactions:read');
      await expect(t.deps.tokens.verify(second.access_token, 'platform')).resolves.toMatchObject({ sub: s.userId });
      // narrowing is allowed, widening is not
      const r2 = await postToken(t, { grant_type: 'refresh_token', refresh_token: second.refresh_token, client_id: s.clientId, scope: 'assets:read' });
      expect(r2.statusCode).toBe(200);
      const third = r2.json<{ access_token: string; refresh_token: string; scope: string }>();
      expect(third.scope).toBe('assets:read');
      expect(decodeJwt(third.access_token).scope).toBe('assets:read');
      // the grant keeps its scopes: the next refresh may ask for all of them again
      const r3 = await postToken(t, { grant_type: 'refresh_token', refresh_token: third.refresh_token, client_id: s.clientId });
      expect(r3.json<{ scope: string }>().scope).toBe('assets:read transactions:read');
      const fourth = r3.json<{ access_token: string; refresh_token: string }>();
      expectOAuthError(await postToken(t, { grant_type: 'refresh_token', refresh_token: fourth.refresh_token, client_id: s.clientId, scope: 'assets:read admin' }), 400, 'invalid_scope');
      const stillLive = await t.deps.ctx.db.selectFrom('refresh_tokens').select('used_at').where('access_jti', '=', decodeJwt(fourth.access_token).jti!).executeTakeFirstOrThrow();
      expect(stillLive.used_at).toBeNull();

      // an attacker replays the first refresh token: everything of the grant dies
      expectOAuthError(await postToken(t, { grant_type: 'refresh_token', refresh_token: first.refresh_token, client_id: s.clientId }), 400, 'invalid_grant');
      for (const tok of [first.access_token, second.access_token, third.access_token, fourth.access_token]) await expectTokenDead(t, tok);
      expectOAuthError(await postToken(t, { grant_type: 'refresh_token', refresh_token: fourth.refresh_token, client_id: s.clientId }), 400, 'invalid_grant');

      // another grant of the same user is not affected
      const other = await pkceCode(t, s);
      const fresh = await exchange(t, s, other.code, other.verifier);
      await expect(t.deps.tokens.verify(fresh.access_token, 'platform')).resolves.toBeTruthy();
    });

    it('refresh tokens are bound to their client; a grant obtained with the secret needs it to refresh', async () => {
      const t = env();
      const s = await setup(t);
      const conf = await codeFor(t, s);
      const res = await postToken(t, { grant_type: 'authorization_code', code: conf, redirect_uri: REDIRECT, client_id: s.clientId, client_secret: s.clientSecret });
      const { refresh_token } = res.json<{ refresh_token: string }>();
      expectOAuthError(await postToken(t, { grant_type: 'refresh_token', refresh_token, client_id: s.clientId }), 401, 'invalid_client');
      const other = await t.deps.services.enterprises.createClient(s.enterpriseId, [REDIRECT]);
      expectOAuthError(await postToken(t, { grant_type: 'refresh_token', refresh_token, client_id: other.client_id, client_secret: other.client_secret }), 400, 'invalid_grant');
      const ok = await postToken(t, { grant_type: 'refresh_token', refresh_token, client_id: s.clientId, client_secret: s.clientSecret });
      expect(ok.statusCode).toBe(200);
      expectOAuthError(await postToken(t, { grant_type: 'refresh_token', client_id: s.clientId }), 400, 'invalid_request');
    });

    it('revokes a refresh token with its grant through /oauth/revoke (a public client sends client_id alone)', async () => {
      const t = env();
      const s = await setup(t);
      const { code, verifier } = await pkceCode(t, s);
      const first = await exchange(t, s, code, verifier);
      // another client cannot revoke it (and learns nothing)
      const other = await t.deps.services.enterprises.createClient(s.enterpriseId, [REDIRECT]);
      const foreign = await t.app.inject({ method: 'POST', url: '/oauth/revoke', headers: FORM, payload: form({ token: first.refresh_token, client_id: other.client_id, client_secret: other.client_secret }) });
      expect(foreign.statusCode).toBe(200);
      await expect(t.deps.tokens.verify(first.access_token, 'platform')).resolves.toBeTruthy();
      const res = await t.app.inject({ method: 'POST', url: '/oauth/revoke', headers: FORM, payload: form({ token: first.refresh_token, token_type_hint: 'refresh_token', client_id: s.clientId }) });
      expect(res.statusCode).toBe(200);
      await expectTokenDead(t, first.access_token);
      expectOAuthError(await postToken(t, { grant_type: 'refresh_token', refresh_token: first.refresh_token, client_id: s.clientId }), 400, 'invalid_grant');
      // a user access token can be revoked alone
      const again = await pkceCode(t, s);
      const second = await exchange(t, s, again.code, again.verifier);
      await t.app.inject({ method: 'POST', url: '/oauth/revoke', headers: FORM, payload: form({ token: second.access_token, client_id: s.clientId }) });
      await expectTokenDead(t, second.access_token);
      const r = await postToken(t, { grant_type: 'refresh_token', refresh_token: second.refresh_token, client_id: s.clientId });
      expect(r.statusCode).toBe(200);
    });

    it('a deactivated user cannot redeem a code or refresh, and their tokens stop at once', async () => {
      const t = env();
      const s = await setup(t);
      const { code, verifier } = await pkceCode(t, s);
      const first = await exchange(t, s, code, verifier);
      const pending = await pkceCode(t, s);
      t.clock.advance(1_000);
      await t.deps.services.userLifecycle.deactivate(s.enterpriseId, s.userId);
      await expectTokenDead(t, first.access_token);
      expectOAuthError(await postToken(t, { grant_type: 'refresh_token', refresh_token: first.refresh_token, client_id: s.clientId }), 400, 'invalid_grant');
      expectOAuthError(await postToken(t, { grant_type: 'authorization_code', code: pending.code, redirect_uri: REDIRECT, client_id: s.clientId, code_verifier: pending.verifier }), 400, 'invalid_grant');
    });

    it('erasure purges the user\'s codes and refresh tokens', async () => {
      const t = env();
      const s = await setup(t);
      const { code, verifier } = await pkceCode(t, s);
      await exchange(t, s, code, verifier);
      await pkceCode(t, s);
      await t.deps.services.userLifecycle.deactivate(s.enterpriseId, s.userId, { erase: true });
      expect(await t.deps.ctx.db.selectFrom('oauth_codes').select('code_hash').where('user_id', '=', s.userId).execute()).toEqual([]);
      expect(await t.deps.ctx.db.selectFrom('refresh_tokens').select('token_hash').where('user_id', '=', s.userId).execute()).toEqual([]);
    });
  });
});
