/**
 * Connect's server side (SPEC §7) and invitations (SPEC §5.15) through inject(), on both
 * databases: launch validation (error page, never a redirect), CSRF, sign-in by e-mail code from
 * the outbox, sources checked at their provider, consent creating the User, the code exchanged
 * with PKCE at /oauth/token, state echoed unchanged, denial, invitations.
 */
import { createHash, randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { forEachDialect, type TestEnv } from './support/harness.js';
import { latestCode } from './support/connect-outbox.js';

const REDIRECT = 'https://app.example/callback';
const STATE = 'st8 with spaces & ünïcode/?=#';

const s256 = (v: string): string => createHash('sha256').update(v).digest('base64url');

interface Browser {
  cookie: string;
  csrf: string;
}

function launchUrl(p: Record<string, string>): string {
  return `/connect?${new URLSearchParams(p).toString()}`;
}

async function launch(t: TestEnv, url: string): Promise<Browser> {
  const res = await t.app.inject({ method: 'GET', url });
  expect(res.statusCode, res.body).toBe(303);
  expect(res.headers.location).toBe('/connect/app');
  const setCookie = String(res.headers['set-cookie']);
  expect(setCookie).toMatch(/HttpOnly/);
  expect(setCookie).toMatch(/SameSite=Strict/);
  const cookie = setCookie.split(';')[0]!;
  const s = await t.app.inject({ method: 'GET', url: '/connect/api/session', headers: { cookie } });
  expect(s.statusCode).toBe(200);
  return { cookie, csrf: s.json().data.csrf_token as string };
}

function api(t: TestEnv, b: Browser, method: 'GET' | 'POST' | 'DELETE', path: string, payload?: unknown): Promise<LightMyRequestResponse> {
  return t.app.inject({ method, url: `/connect/api${path}`, headers: { cookie: b.cookie, 'x-csrf-token': b.csrf }, ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}) });
}

async function signIn(t: TestEnv, b: Browser, email: string): Promise<void> {
  expect((await api(t, b, 'POST', '/email', { email })).statusCode).toBe(200);
  const code = latestCode(t.dataDir, email);
  expect(code).toMatch(/^\d{6}$/);
  const v = await api(t, b, 'POST', '/verify', { code });
  expect(v.statusCode, v.body).toBe(200);
}

async function setup(t: TestEnv) {
  const e = await t.newEnterprise('Acme Wealth');
  const c = await t.deps.services.enterprises.createClient(e.enterpriseId, [REDIRECT]);
  return { ...e, appClientId: c.client_id };
}

forEachDialect((env) => {
  it('an unknown client or an unregistered redirect URI gets an error page and never a redirect', async () => {
    const t = env();
    const { appClientId } = await setup(t);
    for (const url of [
      launchUrl({ client_id: 'tc_nobody', redirect_uri: REDIRECT, state: 'x' }),
      launchUrl({ client_id: appClientId, redirect_uri: 'https://evil.example/steal', state: 'x' }),
      launchUrl({ client_id: appClientId, redirect_uri: `${REDIRECT}/other`, state: 'x' }),
      '/connect',
      '/connect?invite=not-a-real-invitation',
    ]) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(400);
      expect(res.headers.location).toBeUndefined();
      expect(res.headers['set-cookie']).toBeUndefined();
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.body).toContain("Connect cannot start");
      expect(res.body).not.toContain('evil.example');
      expect(res.headers['content-security-policy']).toContain("default-src 'none'");
      expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    }
  });

  it('every state-changing request needs the CSRF token (403 without it or with a wrong one)', async () => {
    const t = env();
    const { appClientId } = await setup(t);
    const b = await launch(t, launchUrl({ client_id: appClientId, redirect_uri: REDIRECT }));
    const missing = await t.app.inject({ method: 'POST', url: '/connect/api/email', headers: { cookie: b.cookie }, payload: { email: 'a@example.com' } });
    expect(missing.statusCode).toBe(403);
    expect(missing.json().errors[0].cause).toBe('forbidden');
    const wrong = await t.app.inject({ method: 'POST', url: '/connect/api/email', headers: { cookie: b.cookie, 'x-csrf-token': 'x'.repeat(43) }, payload: { email: 'a@example.com' } });
    expect(wrong.statusCode).toBe(403);
    // another session's token does not fit this one
    const other = await launch(t, launchUrl({ client_id: appClientId, redirect_uri: REDIRECT }));
    const crossed = await t.app.inject({ method: 'POST', url: '/connect/api/consent', headers: { cookie: b.cookie, 'x-csrf-token': other.csrf }, payload: {} });
    expect(crossed.statusCode).toBe(403);
    for (const path of ['/verify', '/name', '/sources', '/consent', '/deny']) {
      const r = await t.app.inject({ method: 'POST', url: `/connect/api${path}`, headers: { cookie: b.cookie }, payload: {} });
      expect(r.statusCode, path).toBe(403);
    }
    expect(latestCode(t.dataDir, 'a@example.com')).toBeUndefined();
  });

  it('sign-in, sources, consent: the User exists only after consent; the code redeems with PKCE; state comes back unchanged', async () => {
    const t = env();
    const { enterpriseId, appClientId, token } = await setup(t);
    const verifier = randomBytes(32).toString('base64url');
    const b = await launch(t, launchUrl({ client_id: appClientId, redirect_uri: REDIRECT, code_challenge: s256(verifier), code_challenge_method: 'S256', state: STATE }));
    const s0 = (await api(t, b, 'GET', '/session')).json().data;
    expect(s0).toMatchObject({ step: 'sign_in', enterprise_name: 'Acme Wealth', consent: { version: 'connect-consent-v1', scopes: ['assets:read', 'transactions:read'] } });

    // a bad e-mail, a wrong code, then the right one
    expect((await api(t, b, 'POST', '/email', { email: 'not-an-email' })).statusCode).toBe(400);
    expect((await api(t, b, 'POST', '/email', { email: 'Ada.Lovelace@Example.com' })).statusCode).toBe(200);
    const code = latestCode(t.dataDir, 'Ada.Lovelace@Example.com')!;
    const wrong = await api(t, b, 'POST', '/verify', { code: code === '000000' ? '111111' : '000000' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().errors[0].message).toMatch(/not right\. 4 tries left/);
    const ok = await api(t, b, 'POST', '/verify', { code });
    expect(ok.json().data).toMatchObject({ step: 'name', email: 'Ada.Lovelace@Example.com', returning: false });
    expect((await api(t, b, 'POST', '/name', { full_name: '  Ada   Lovelace ' })).json().data).toMatchObject({ step: 'sources', full_name: 'Ada Lovelace' });

    const providers = (await api(t, b, 'GET', '/providers')).json().data.providers as { provider_id: string; credential_fields: unknown[] }[];
    expect(providers.map((p) => p.provider_id)).toEqual(expect.arrayContaining(['sandbox-exchange', 'sandbox-wallet', 'ethereum', 'bitcoin']));

    // the source's refusal in words a person understands
    const refused = await api(t, b, 'POST', '/sources', { provider_id: 'sandbox-exchange', connection: { type: 'api_key', api_key: '12tx', secret_key: 'wrong' } });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().errors[0]).toMatchObject({ cause: 'invalid_credentials', provider_id: 'sandbox-exchange' });
    expect(refused.json().errors[0].message).toMatch(/^Sandbox Exchange did not accept these details: .*Check them and try again\.$/);
    const badChecksum = await api(t, b, 'POST', '/sources', { provider_id: 'sandbox-wallet', connection: { type: 'wallet', address: '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD' } });
    expect(badChecksum.statusCode).toBe(400);
    expect(badChecksum.json().errors[0].message).toMatch(/not a valid Sandbox Wallet address/);
    const oauth = await api(t, b, 'POST', '/sources', { provider_id: 'coinbase', connection: { type: 'oauth2' } });
    expect(oauth.statusCode).toBe(501);
    expect(oauth.json().errors[0].message).toMatch(/not available yet/);

    expect((await api(t, b, 'POST', '/sources', { provider_id: 'sandbox-exchange', display_label: 'Main', connection: { type: 'api_key', api_key: '12tx', secret_key: 's3cret' } })).statusCode).toBe(200);
    const added = await api(t, b, 'POST', '/sources', { provider_id: 'sandbox-wallet', connection: { type: 'wallet', address: '0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed' } });
    expect(added.statusCode, added.body).toBe(200);
    expect(added.json().data.sources.map((s: { provider_id: string }) => s.provider_id)).toEqual(['sandbox-exchange', 'sandbox-wallet']);
    expect(added.body).not.toContain('s3cret');

    // nobody is a User yet
    const before = await t.call(token, { method: 'GET', url: '/enterprise/v2/users/all' });
    expect(before.json().data.users).toEqual([]);

    const consent = await api(t, b, 'POST', '/consent', {});
    expect(consent.statusCode, consent.body).toBe(200);
    const to = new URL(consent.json().data.redirect_to);
    expect(`${to.origin}${to.pathname}`).toBe(REDIRECT);
    expect(consent.json().data.origin).toBe('https://app.example');
    expect(to.searchParams.get('state')).toBe(STATE);
    const authCode = to.searchParams.get('code')!;
    expect(authCode).toBeTruthy();

    // a second consent is refused: the session is finished
    expect((await api(t, b, 'POST', '/consent', {})).statusCode).toBe(409);

    const users = (await t.call(token, { method: 'GET', url: '/enterprise/v2/users/all' })).json().data.users;
    expect(users).toHaveLength(1);
    expect(users[0]).toMatchObject({ email: 'Ada.Lovelace@Example.com', full_name: 'Ada Lovelace', consented_at: new Date(t.clock.now()).toISOString(), deactivated: false });
    const profile = (await t.call(token, { method: 'GET', url: `/enterprise/v2/users/${users[0].user_id}` })).json().data;
    expect(profile.consent).toMatchObject({ client_id: appClientId, scopes: ['assets:read', 'transactions:read'], version: 'connect-consent-v1', revoked_at: null });
    expect(profile.accounts.map((a: { provider_id: string; display_label: string | null }) => [a.provider_id, a.display_label])).toEqual([['sandbox-exchange', 'Main'], ['sandbox-wallet', null]]);
    expect(profile.accounts[1].addresses).toEqual(['0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed']);

    const wrongVerifier = await t.app.inject({ method: 'POST', url: '/oauth/token', payload: { grant_type: 'authorization_code', code: authCode, redirect_uri: REDIRECT, client_id: appClientId, code_verifier: randomBytes(32).toString('base64url') } });
    expect(wrongVerifier.statusCode).toBe(400);

    // a returning person signs in with a differently-cased e-mail: the same User, no name asked
    const verifier2 = randomBytes(32).toString('base64url');
    const b2 = await launch(t, launchUrl({ client_id: appClientId, redirect_uri: REDIRECT, code_challenge: s256(verifier2), code_challenge_method: 'S256', state: 'again' }));
    await signIn(t, b2, 'ada.lovelace@example.COM');
    expect((await api(t, b2, 'GET', '/session')).json().data).toMatchObject({ step: 'sources', returning: true, full_name: 'Ada Lovelace' });
    const again = new URL((await api(t, b2, 'POST', '/consent', {})).json().data.redirect_to);
    const tok = await t.app.inject({ method: 'POST', url: '/oauth/token', payload: { grant_type: 'authorization_code', code: again.searchParams.get('code')!, redirect_uri: REDIRECT, client_id: appClientId, code_verifier: verifier2 } });
    expect(tok.statusCode, tok.body).toBe(200);
    expect(tok.json()).toMatchObject({ token_type: 'Bearer', refresh_token: expect.any(String) });
    expect((await t.call(token, { method: 'GET', url: '/enterprise/v2/users/all' })).json().data.users).toHaveLength(1);
    void enterpriseId;
  });

  it('denial sends the browser back with error=access_denied and the state, and keeps nothing', async () => {
    const t = env();
    const { appClientId, token } = await setup(t);
    const b = await launch(t, launchUrl({ client_id: appClientId, redirect_uri: REDIRECT, state: STATE }));
    await signIn(t, b, 'grace@example.com');
    await api(t, b, 'POST', '/name', { full_name: 'Grace Hopper' });
    await api(t, b, 'POST', '/sources', { provider_id: 'sandbox-exchange', connection: { type: 'api_key', api_key: '5tx', secret_key: 'k' } });
    const deny = await api(t, b, 'POST', '/deny', {});
    expect(deny.statusCode).toBe(200);
    const to = new URL(deny.json().data.redirect_to);
    expect(to.searchParams.get('error')).toBe('access_denied');
    expect(to.searchParams.get('state')).toBe(STATE);
    expect(to.searchParams.get('code')).toBeNull();
    const users = (await t.call(token, { method: 'POST', url: '/enterprise/v2/users/search', payload: { email: 'grace@example.com' } })).json().data.users;
    expect(users).toEqual([]);
    expect((await api(t, b, 'POST', '/consent', {})).statusCode).toBe(409);
  });

  it('sources wait sealed in the session; a deactivated user cannot consent again; a session ends after an hour', async () => {
    const t = env();
    const { enterpriseId, appClientId, token } = await setup(t);
    const b = await launch(t, launchUrl({ client_id: appClientId, redirect_uri: REDIRECT }));
    await signIn(t, b, 'kim@example.com');
    await api(t, b, 'POST', '/name', { full_name: 'Kim Lee' });
    expect((await api(t, b, 'POST', '/sources', { provider_id: 'sandbox-exchange', connection: { type: 'api_key', api_key: '7tx', secret_key: 'TOP-SECRET-VALUE' } })).statusCode).toBe(200);
    const pending = await t.deps.ctx.db.selectFrom('connect_pending_accounts').selectAll().execute();
    expect(pending).toHaveLength(1);
    expect(JSON.stringify(pending)).not.toContain('TOP-SECRET-VALUE');
    const to = new URL((await api(t, b, 'POST', '/consent', {})).json().data.redirect_to);
    expect(to.searchParams.get('code')).toBeTruthy();
    expect(await t.deps.ctx.db.selectFrom('connect_pending_accounts').selectAll().execute()).toEqual([]);
    const [user] = (await t.call(token, { method: 'POST', url: '/enterprise/v2/users/search', payload: { email: 'kim@example.com' } })).json().data.users;
    expect((await t.call(token, { method: 'DELETE', url: `/enterprise/v2/users/${user.user_id}` })).statusCode).toBe(200);

    const b2 = await launch(t, launchUrl({ client_id: appClientId, redirect_uri: REDIRECT }));
    await signIn(t, b2, 'KIM@example.com');
    expect((await api(t, b2, 'GET', '/session')).json().data.step).toBe('closed');
    const refused = await api(t, b2, 'POST', '/consent', {});
    expect(refused.statusCode).toBe(403);
    expect(refused.json().errors[0].message).toMatch(/Contact them/);

    const b3 = await launch(t, launchUrl({ client_id: appClientId, redirect_uri: REDIRECT }));
    t.clock.advance(60 * 60_000);
    const expired = await api(t, b3, 'GET', '/session');
    expect(expired.statusCode).toBe(401);
    expect(expired.json().errors[0].message).toMatch(/expired/);
    expect((await t.app.inject({ method: 'GET', url: '/connect/api/session' })).statusCode).toBe(401);
    void enterpriseId;
  });

  it('the same new e-mail consenting in two sessions at once makes one User', async () => {
    const t = env();
    const { appClientId, token } = await setup(t);
    const sessions: Browser[] = [];
    for (let i = 0; i < 2; i++) {
      t.clock.advance(1); // outbox files are named by time: one code per millisecond for this address
      const b = await launch(t, launchUrl({ client_id: appClientId, redirect_uri: REDIRECT, state: `s${i}` }));
      await signIn(t, b, 'twin@example.com');
      await api(t, b, 'POST', '/name', { full_name: 'Twin' });
      sessions.push(b);
    }
    const results = await Promise.all(sessions.map((b) => api(t, b, 'POST', '/consent', {})));
    expect(results.map((r) => r.statusCode)).toEqual([200, 200]);
    const users = (await t.call(token, { method: 'POST', url: '/enterprise/v2/users/search', payload: { email: 'twin@example.com' } })).json().data.users;
    expect(users).toHaveLength(1);
  });

  it('sign-in codes: 5 wrong attempts spend the code; expired after 10 minutes; at most 5 per address per 15 minutes', async () => {
    const t = env();
    const { appClientId } = await setup(t);
    const b = await launch(t, launchUrl({ client_id: appClientId, redirect_uri: REDIRECT }));
    await api(t, b, 'POST', '/email', { email: 'eve@example.com' });
    const code = latestCode(t.dataDir, 'eve@example.com')!;
    const bad = code === '999999' ? '999998' : '999999';
    for (let i = 0; i < 4; i++) expect((await api(t, b, 'POST', '/verify', { code: bad })).statusCode).toBe(400);
    expect((await api(t, b, 'POST', '/verify', { code: bad })).statusCode).toBe(429);
    expect((await api(t, b, 'POST', '/verify', { code })).statusCode).toBe(429);

    await api(t, b, 'POST', '/email', { email: 'eve@example.com' });
    t.clock.advance(10 * 60_000 + 1);
    const late = await api(t, b, 'POST', '/verify', { code: latestCode(t.dataDir, 'eve@example.com')! });
    expect(late.statusCode).toBe(400);
    expect(late.json().errors[0].message).toMatch(/expired/);

    for (let i = 0; i < 5; i++) expect((await api(t, b, 'POST', '/email', { email: 'mallory@example.com' })).statusCode).toBe(200);
    const limited = await api(t, b, 'POST', '/email', { email: 'MALLORY@example.com' });
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBeDefined();
  });

  it('invitations: the link opens Connect verified, the person becomes a User at consent; replace, list, cancel', async () => {
    const t = env();
    const { appClientId, token } = await setup(t);
    const bad = await t.call(token, { method: 'POST', url: '/enterprise/v2/users/invite', payload: { email: 'lin@example.com', client_id: appClientId, redirect_uri: 'https://evil.example/' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('redirect_uri');

    const first = await t.call(token, { method: 'POST', url: '/enterprise/v2/users/invite', payload: { email: 'lin@example.com', client_id: appClientId, redirect_uri: REDIRECT } });
    expect(first.statusCode, first.body).toBe(201);
    const second = await t.call(token, { method: 'POST', url: '/enterprise/v2/users/invite', payload: { email: 'Lin@Example.com', full_name: 'Lin Chen', client_id: appClientId, redirect_uri: REDIRECT, expires_in: 3600 } });
    const inv = second.json().data;
    expect(inv).toMatchObject({ email: 'Lin@Example.com', connect_url: expect.stringMatching(/^http:\/\/tortie\.test\/connect\?invite=/), expires_at: new Date(t.clock.now() + 3_600_000).toISOString() });

    // the replaced link no longer opens Connect
    const oldUrl = new URL(first.json().data.connect_url);
    const replaced = await t.app.inject({ method: 'GET', url: `${oldUrl.pathname}${oldUrl.search}` });
    expect(replaced.statusCode).toBe(400);
    expect(replaced.body).toMatch(/replaced by a newer one/);

    const list = (await t.call(token, { method: 'GET', url: '/enterprise/v2/users/invitations' })).json();
    expect(list.data.invitations).toEqual([expect.objectContaining({ invitation_id: inv.invitation_id, status: 'pending', full_name: 'Lin Chen', user_id: null })]);
    expect(list.page).toEqual({ next_uri: null, next_cursor: null });

    const u = new URL(inv.connect_url);
    const b = await launch(t, `${u.pathname}${u.search}&state=inv-state`);
    expect((await api(t, b, 'GET', '/session')).json().data).toMatchObject({ step: 'sources', invited: true, email: 'Lin@Example.com', full_name: 'Lin Chen' });
    expect((await t.call(token, { method: 'GET', url: '/enterprise/v2/users/all' })).json().data.users).toEqual([]);
    const to = new URL((await api(t, b, 'POST', '/consent', {})).json().data.redirect_to);
    expect(to.searchParams.get('state')).toBe('inv-state');
    const users = (await t.call(token, { method: 'GET', url: '/enterprise/v2/users/all' })).json().data.users;
    expect(users).toEqual([expect.objectContaining({ email: 'Lin@Example.com', full_name: 'Lin Chen' })]);
    const accepted = (await t.call(token, { method: 'GET', url: '/enterprise/v2/users/invitations' })).json().data.invitations[0];
    expect(accepted).toMatchObject({ status: 'accepted', user_id: users[0].user_id });
    // a used link does not open Connect again
    expect((await t.app.inject({ method: 'GET', url: `${u.pathname}${u.search}` })).statusCode).toBe(400);
    expect((await t.call(token, { method: 'DELETE', url: `/enterprise/v2/users/invitations/${inv.invitation_id}` })).statusCode).toBe(409);

    const third = (await t.call(token, { method: 'POST', url: '/enterprise/v2/users/invite', payload: { email: 'sam@example.com', client_id: appClientId, redirect_uri: REDIRECT } })).json().data;
    const cancelled = await t.call(token, { method: 'DELETE', url: `/enterprise/v2/users/invitations/${third.invitation_id}` });
    expect(cancelled.json().data.invitation).toMatchObject({ status: 'cancelled', email: 'sam@example.com' });
    const c = new URL(third.connect_url);
    expect((await t.app.inject({ method: 'GET', url: `${c.pathname}${c.search}` })).statusCode).toBe(400);
    expect((await t.call(token, { method: 'DELETE', url: `/enterprise/v2/users/invitations/${third.invitation_id}` })).statusCode).toBe(404);

    // another enterprise sees none of it
    const other = await t.newEnterprise('Other');
    expect((await t.call(other.token, { method: 'GET', url: '/enterprise/v2/users/invitations' })).json().data.invitations).toEqual([]);
    expect((await t.call(other.token, { method: 'POST', url: '/enterprise/v2/users/invite', payload: { email: 'x@example.com', client_id: appClientId, redirect_uri: REDIRECT } })).statusCode).toBe(400);
  });
});
