/**
 * Platform API v2 (SPEC §6) on both databases, with user tokens obtained through the real
 * authorization-code flow and sources connected through the sandbox connector, synced by a real
 * worker: every route's happy path, partial failures, refresh spacing, token-kind boundaries,
 * consent revocation, tenant isolation and the access log.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { forEachDialect, type TestEnv, type TestEnterprise } from './support/harness.js';
import { seedAccount, seedUser } from './support/seed.js';

const REDIRECT = 'https://app.example/callback';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const GOOD = { provider_id: 'sandbox-exchange', connection: { type: 'api_key', api_key: 'seed-50tx', secret_key: 's' } };
const WRONG = { provider_id: 'sandbox-exchange', connection: { type: 'api_key', api_key: 'seed-10tx', secret_key: 'wrong' } };

interface App extends TestEnterprise {
  appClientId: string;
}

interface UserSession {
  userId: string;
  token: string;
  refreshToken: string;
}

async function newApp(t: TestEnv): Promise<App> {
  const e = await t.newEnterprise('Platform Co', { demo: true });
  const c = await t.deps.services.enterprises.createClient(e.enterpriseId, [REDIRECT]);
  return { ...e, appClientId: c.client_id };
}

/** A user token through the real code flow (PKCE S256, public client). */
async function login(t: TestEnv, a: App, userId: string, scopes = ['assets:read', 'transactions:read']): Promise<UserSession> {
  const verifier = randomBytes(32).toString('base64url');
  const code = await t.deps.services.authorization.issueCode({
    clientId: a.appClientId,
    enterpriseId: a.enterpriseId,
    userId,
    redirectUri: REDIRECT,
    codeChallenge: createHash('sha256').update(verifier).digest('base64url'),
    method: 'S256',
    scopes,
  });
  const res = await t.app.inject({ method: 'POST', url: '/oauth/token', headers: FORM, payload: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: a.appClientId, code_verifier: verifier }).toString() });
  expect(res.statusCode).toBe(200);
  const body = res.json<{ access_token: string; refresh_token: string }>();
  return { userId, token: body.access_token, refreshToken: body.refresh_token };
}

async function newUser(t: TestEnv, a: App): Promise<UserSession> {
  return login(t, a, await seedUser(t.deps, a.enterpriseId));
}

const get = (t: TestEnv, token: string, url: string): Promise<LightMyRequestResponse> => t.call(token, { method: 'GET', url });
const send = (t: TestEnv, token: string, method: 'POST' | 'DELETE', url: string, payload?: unknown): Promise<LightMyRequestResponse> =>
  t.call(token, { method, url, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });

/** Runs every queued sync job. */
async function drain(t: TestEnv): Promise<void> {
  const w = t.deps.createWorker();
  while (await w.runOne()) {
    /* next */
  }
}

function expectError(res: LightMyRequestResponse, status: number, cause: string, field?: string): void {
  expect(res.statusCode, res.body).toBe(status);
  const body = res.json<{ errors: { cause: string; field?: string }[] }>();
  expect(body.errors[0]).toMatchObject({ cause, message: expect.any(String), ...(field ? { field } : {}) });
}

async function connect(t: TestEnv, s: UserSession): Promise<string> {
  const res = await send(t, s.token, 'POST', '/platform/v2/providers', GOOD);
  expect(res.statusCode, res.body).toBe(200);
  await drain(t);
  return res.json<{ data: { accounts: { account_id: string }[] } }>().data.accounts[0]!.account_id;
}

describe('Platform API v2', () => {
  forEachDialect((env) => {
    it('refuses enterprise tokens, and user tokens on the Enterprise API (403); no token is a 401', async () => {
      const t = env();
      const a = await newApp(t);
      const s = await newUser(t, a);
      expectError(await get(t, a.token, '/platform/v2/user'), 403, 'forbidden');
      expectError(await get(t, s.token, '/enterprise/v2/users/all'), 403, 'forbidden');
      expectError(await get(t, s.token, `/enterprise/v2/users/${s.userId}`), 403, 'forbidden');
      const none = await t.app.inject({ method: 'GET', url: '/platform/v2/user' });
      expectError(none, 401, 'unauthorized');
      expect(none.headers['www-authenticate']).toBeTruthy();
      // scopes are enforced
      const assetsOnly = await login(t, a, s.userId, ['assets:read']);
      expect((await get(t, assetsOnly.token, '/platform/v2/assets')).statusCode).toBe(200);
      expectError(await get(t, assetsOnly.token, '/platform/v2/transactions'), 403, 'forbidden');
      expectError(await send(t, assetsOnly.token, 'POST', '/platform/v2/transactions/refresh'), 403, 'forbidden');
    });

    it('serves the user, their sources, assets and transactions after connecting the sandbox', async () => {
      const t = env();
      const a = await newApp(t);
      const s = await newUser(t, a);

      const me = await get(t, s.token, '/platform/v2/user');
      expect(me.statusCode).toBe(200);
      expect(me.json()).toEqual({
        data: {
          user: { email: expect.any(String), user_id: s.userId, consented_at: expect.any(String), full_name: 'Test User', deactivated_on: null, deactivated: false },
          consent: { consented_at: expect.any(String), scopes: ['assets:read', 'transactions:read'], client_id: null, revoked_at: null, version: '2026-01' },
        },
      });

      const supported = await get(t, s.token, '/platform/v2/providers/supported');
      expect(supported.statusCode).toBe(200);
      const ids = supported.json<{ data: { providers: { provider_id: string }[] } }>().data.providers.map((p) => p.provider_id);
      expect(ids).toContain('sandbox-exchange');

      const added = await send(t, s.token, 'POST', '/platform/v2/providers', { ...GOOD, display_label: 'My sandbox' });
      expect(added.statusCode).toBe(200);
      const body = added.json<{ data: { added: number; accounts: Record<string, unknown>[] }; errors: unknown[] }>();
      expect(body.data.added).toBe(1);
      expect(body.errors).toEqual([]);
      expect(body.data.accounts[0]).toMatchObject({ user_id: s.userId, provider_id: 'sandbox-exchange', display_label: 'My sandbox', connection_type: 'api_key', status: 'syncing' });
      expect(added.body).not.toContain('seed-50tx');
      // the first sync was queued at once
      const jobs = await t.deps.ctx.db.selectFrom('sync_jobs').select('state').where('account_id', '=', body.data.accounts[0]!.account_id as string).execute();
      expect(jobs).toEqual([{ state: 'queued' }]);
      await drain(t);

      const list = await get(t, s.token, '/platform/v2/providers');
      expect(list.statusCode).toBe(200);
      expect(list.json<{ data: { accounts: { status: string }[] } }>().data.accounts).toMatchObject([{ status: 'active' }]);

      const assets = await get(t, s.token, '/platform/v2/assets?crypto_sources=sandbox-exchange');
      expect(assets.statusCode).toBe(200);
      expect(assets.json<{ data: { assets: unknown[] } }>().data.assets.length).toBeGreaterThan(0);
      const none = await get(t, s.token, '/platform/v2/assets?crypto_sources=kraken');
      expect(none.json<{ data: { assets: unknown[] } }>().data.assets).toEqual([]);

      const page1 = await get(t, s.token, '/platform/v2/transactions?limit=10');
      expect(page1.statusCode).toBe(200);
      const p1 = page1.json<{ page: { next_uri: string; next_cursor: string }; data: { transactions: { user_id: string; transaction_id: string }[] } }>();
      expect(p1.data.transactions).toHaveLength(10);
      expect(p1.data.transactions.every((x) => x.user_id === s.userId)).toBe(true);
      expect(p1.page.next_uri).toMatch(/^\/platform\/v2\/transactions\?limit=10&cursor=/);
      const page2 = await get(t, s.token, p1.page.next_uri);
      expect(page2.statusCode).toBe(200);
      const p2 = page2.json<{ data: { transactions: { transaction_id: string }[] } }>();
      expect(p2.data.transactions.map((x) => x.transaction_id)).not.toContain(p1.data.transactions[0]!.transaction_id);
    });

    it('adds several sources: 200 with an error item per failed one', async () => {
      const t = env();
      const a = await newApp(t);
      const s = await newUser(t, a);
      const res = await send(t, s.token, 'POST', '/platform/v2/providers', {
        providers: [
          GOOD,
          WRONG,
          { provider_id: 'coinbase', connection: { type: 'oauth2' } },
          { provider_id: 'sandbox-exchange', connection: { type: 'api_key', api_key: 'k' } },
          { provider_id: 'nope', connection: { type: 'sandbox' } },
          { provider_id: 'sandbox-wallet', connection: { type: 'sandbox', seed: 'w-5tx' } },
        ],
      });
      expect(res.statusCode).toBe(200);
      const body = res.json<{ data: { added: number; accounts: { provider_id: string }[] }; errors: Record<string, unknown>[] }>();
      expect(body.data.added).toBe(2);
      expect(body.data.accounts.map((x) => x.provider_id)).toEqual(['sandbox-exchange', 'sandbox-wallet']);
      expect(body.errors).toEqual([
        { provider_id: 'sandbox-exchange', cause: 'invalid_credentials', message: expect.any(String) },
        expect.objectContaining({ provider_id: 'coinbase', cause: 'not_implemented' }),
        { provider_id: 'sandbox-exchange', cause: 'bad_request', field: 'providers[3].connection.secret_key', message: expect.any(String) },
        expect.objectContaining({ provider_id: 'nope', cause: 'bad_request', field: 'providers[4].provider_id' }),
      ]);
      // nothing of the refused credentials was stored
      const rows = await t.deps.ctx.db.selectFrom('accounts').select('id').where('user_id', '=', s.userId).execute();
      expect(rows).toHaveLength(2);
    });

    it('imports a CSV export sent as base64 (file connection)', async () => {
      const t = env();
      const a = await newApp(t);
      const s = await newUser(t, a);
      const csv = readFileSync(fileURLToPath(new URL('./fixtures/csv/generic.csv', import.meta.url)));
      const res = await send(t, s.token, 'POST', '/platform/v2/providers', { provider_id: 'csv', display_label: 'My export', connection: { type: 'file', format: 'generic', content: csv.toString('base64') } });
      expect(res.statusCode).toBe(200);
      const body = res.json<{ data: { added: number; accounts: { account_id: string; connection_type: string }[] }; errors: unknown[] }>();
      expect(body.errors).toEqual([]);
      expect(body.data.accounts).toMatchObject([{ connection_type: 'file' }]);
      await drain(t);
      const txs = await get(t, s.token, `/platform/v2/transactions?account_ids=${body.data.accounts[0]!.account_id}&limit=100`);
      expect(txs.json<{ data: { transactions: unknown[] } }>().data.transactions.length).toBeGreaterThan(0);
      // a file that is no known export is refused as such, with the provider named
      const bad = await send(t, s.token, 'POST', '/platform/v2/providers', { provider_id: 'csv', connection: { type: 'file', content: Buffer.from('a,b\n1,2\n').toString('base64') } });
      expect(bad.json<{ data: { added: number }; errors: unknown[] }>()).toMatchObject({ data: { added: 0 }, errors: [{ provider_id: 'csv', cause: 'invalid_credentials' }] });
    });

    it('refuses malformed bodies with a 400 naming the field', async () => {
      const t = env();
      const a = await newApp(t);
      const s = await newUser(t, a);
      expectError(await send(t, s.token, 'POST', '/platform/v2/providers', { ...GOOD, extra: 1 }), 400, 'bad_request', 'extra');
      expectError(await send(t, s.token, 'POST', '/platform/v2/providers', { connection: GOOD.connection }), 400, 'bad_request', 'provider_id');
      expectError(await send(t, s.token, 'POST', '/platform/v2/providers', { ...GOOD, providers: [GOOD] }), 400, 'bad_request', 'provider_id');
      expectError(await send(t, s.token, 'POST', '/platform/v2/providers', { provider_id: 'sandbox-exchange', connection: { type: 'api_key', api_key: 'k', secret_key: 's', pin: '1' } }), 400, 'bad_request');
      const single = await send(t, s.token, 'POST', '/platform/v2/providers', { provider_id: 'sandbox-exchange', connection: { type: 'wallet', address: '0x1' } });
      expect(single.statusCode).toBe(200);
      expect(single.json<{ errors: unknown[] }>().errors).toMatchObject([{ provider_id: 'sandbox-exchange', cause: 'bad_request', field: 'connection.type' }]);
      expectError(await send(t, s.token, 'DELETE', '/platform/v2/providers', { account_ids: ['not-a-uuid'] }), 400, 'bad_request', 'account_ids');
      expectError(await send(t, s.token, 'DELETE', '/platform/v2/providers', {}), 400, 'bad_request', 'account_ids');
      expectError(await get(t, s.token, '/platform/v2/user/access-log?limit=0'), 400, 'bad_request', 'limit');
      expectError(await get(t, s.token, '/platform/v2/user/access-log?cursor=abc'), 400, 'bad_request', 'cursor');
      expectError(await get(t, s.token, '/platform/v2/transactions?start_time=yesterday'), 400, 'bad_request', 'start_time');
      expectError(await get(t, s.token, '/platform/v2/refreshes/nope'), 400, 'bad_request', 'refresh_id');
      const cb = await send(t, s.token, 'POST', '/platform/v2/oauth/callback', { provider_id: 'coinbase', code: 'c', state: 's' });
      expectError(cb, 501, 'not_implemented');
    });

    it('refreshes: 202, then 429 with Retry-After within a minute; status per account from the sync jobs', async () => {
      const t = env();
      const a = await newApp(t);
      const s = await newUser(t, a);
      const accountId = await connect(t, s);
      const r = await send(t, s.token, 'POST', '/platform/v2/assets/refresh');
      expect(r.statusCode, r.body).toBe(202);
      const refresh = r.json<{ data: { refresh_id: string; status: string; accounts: { account_id: string; status: string }[] } }>().data;
      expect(refresh).toMatchObject({ status: 'queued', accounts: [{ account_id: accountId, provider_id: 'sandbox-exchange', status: 'queued', cause: null }] });

      t.clock.advance(20_000);
      const again = await send(t, s.token, 'POST', '/platform/v2/transactions/refresh?crypto_sources=sandbox-exchange');
      expectError(again, 429, 'rate_limited');
      expect(again.headers['retry-after']).toBe('40');

      const status = await get(t, s.token, `/platform/v2/refreshes/${refresh.refresh_id}`);
      expect(status.statusCode).toBe(200);
      expect(status.json()).toMatchObject({ data: { refresh_id: refresh.refresh_id, status: 'queued' } });
      await drain(t);
      const done = await get(t, s.token, `/platform/v2/refreshes/${refresh.refresh_id}`);
      expect(done.json()).toMatchObject({ data: { status: 'succeeded', accounts: [{ account_id: accountId, status: 'succeeded', cause: null }] } });

      t.clock.advance(41_000);
      // concurrent refreshes of the same account: exactly one is queued
      const racing = await Promise.all([1, 2, 3].map(() => send(t, s.token, 'POST', '/platform/v2/transactions/refresh')));
      expect(racing.map((x) => x.statusCode).sort()).toEqual([202, 429, 429]);
      expectError(await send(t, s.token, 'POST', '/platform/v2/assets/refresh?crypto_sources=kraken'), 404, 'not_found', 'crypto_sources');
      expectError(await get(t, s.token, `/platform/v2/refreshes/${'0'.repeat(8)}-0000-7000-8000-${'0'.repeat(12)}`), 404, 'not_found');
    });

    it('answers 206 with the failing account listed when one is in error', async () => {
      const t = env();
      const a = await newApp(t);
      const s = await newUser(t, a);
      const bad = await seedAccount(t.deps, a.enterpriseId, s.userId, { status: 'error' });
      const res = await get(t, s.token, '/platform/v2/assets');
      expect(res.statusCode).toBe(206);
      expect(res.json<{ errors: unknown[] }>().errors).toMatchObject([{ account_id: bad, provider_id: 'sandbox-exchange', cause: 'provider_unavailable' }]);
      expect((await get(t, s.token, '/platform/v2/transactions')).statusCode).toBe(206);
      const accounts = await get(t, s.token, '/platform/v2/providers');
      expect(accounts.statusCode).toBe(206);
      expect(accounts.json()).toMatchObject({ data: { accounts: [{ account_id: bad, status: 'error' }] }, errors: [{ account_id: bad, cause: 'provider_unavailable' }] });
    });

    it('removes sources with their data and credentials', async () => {
      const t = env();
      const a = await newApp(t);
      const s = await newUser(t, a);
      const first = await connect(t, s);
      const second = await connect(t, s);
      const db = t.deps.ctx.db;
      expect((await db.selectFrom('transactions').select('id').where('account_id', '=', first).execute()).length).toBe(50);
      const res = await send(t, s.token, 'DELETE', '/platform/v2/providers', { account_ids: [first] });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ data: { removed: [first] } });
      for (const table of ['transactions', 'asset_positions', 'sync_jobs'] as const) {
        expect(await db.selectFrom(table).select('account_id').where('account_id', '=', first).execute()).toEqual([]);
      }
      expect(await db.selectFrom('accounts').select('id').where('id', '=', first).execute()).toEqual([]);
      expect(await db.selectFrom('accounts').select('id').where('id', '=', second).execute()).toHaveLength(1);
      const byProvider = await send(t, s.token, 'DELETE', '/platform/v2/providers', { provider_ids: ['sandbox-exchange'] });
      expect(byProvider.json()).toEqual({ data: { removed: [second] } });
      expect((await get(t, s.token, '/platform/v2/providers')).json()).toEqual({ data: { accounts: [] }, errors: [] });
    });

    it('keeps each user to their own data', async () => {
      const t = env();
      const a = await newApp(t);
      const alice = await newUser(t, a);
      const bob = await newUser(t, a);
      const aliceAccount = await connect(t, alice);
      const refresh = (await send(t, alice.token, 'POST', '/platform/v2/assets/refresh')).json<{ data: { refresh_id: string } }>().data.refresh_id;

      expect((await get(t, bob.token, '/platform/v2/providers')).json()).toEqual({ data: { accounts: [] }, errors: [] });
      expect((await get(t, bob.token, '/platform/v2/assets')).json<{ data: { assets: unknown[] } }>().data.assets).toEqual([]);
      expect((await get(t, bob.token, `/platform/v2/transactions?account_ids=${aliceAccount}`)).json<{ data: { transactions: unknown[] } }>().data.transactions).toEqual([]);
      expectError(await send(t, bob.token, 'DELETE', '/platform/v2/providers', { account_ids: [aliceAccount] }), 404, 'not_found');
      expectError(await get(t, bob.token, `/platform/v2/refreshes/${refresh}`), 404, 'not_found');
      expect(await t.deps.ctx.db.selectFrom('accounts').select('id').where('id', '=', aliceAccount).execute()).toHaveLength(1);
      // a user of another enterprise neither
      const other = await newApp(t);
      const eve = await newUser(t, other);
      expect((await get(t, eve.token, '/platform/v2/providers')).json()).toEqual({ data: { accounts: [] }, errors: [] });
      // her access log holds her own app's reads only
      const eveLog = (await get(t, eve.token, '/platform/v2/user/access-log')).json<{ data: { entries: { client_id: string }[] } }>().data.entries;
      expect(eveLog.length).toBeGreaterThan(0);
      expect(eveLog.every((e) => e.client_id === other.appClientId)).toBe(true);
    });

    it('records reads of the user\'s data by either API in the access log, newest first, paginated', async () => {
      const t = env();
      const a = await newApp(t);
      const s = await newUser(t, a);
      const t0 = t.clock.now();
      const at = (ms: number): string => new Date(t0 + ms).toISOString();
      await get(t, s.token, '/platform/v2/user');
      t.clock.advance(1_000);
      await get(t, s.token, '/platform/v2/assets');
      t.clock.advance(1_000);
      await get(t, a.token, `/enterprise/v2/users/${s.userId}/transactions`);
      t.clock.advance(1_000);
      // not logged: lists over all users, failed reads, refreshes, and reading the log itself
      await get(t, a.token, '/enterprise/v2/users/all');
      await get(t, a.token, '/enterprise/v2/transactions/all');
      await get(t, s.token, '/platform/v2/transactions?start_time=bad');
      const log = await get(t, s.token, '/platform/v2/user/access-log?limit=2');
      expect(log.statusCode).toBe(200);
      const p1 = log.json<{ page: { next_uri: string | null }; data: { entries: unknown[] } }>();
      expect(p1.data.entries).toEqual([
        { read_at: at(2_000), client_id: a.clientId, surface: 'enterprise', resource: 'transactions' },
        { read_at: at(1_000), client_id: a.appClientId, surface: 'platform', resource: 'assets' },
      ]);
      expect(p1.page.next_uri).toMatch(/^\/platform\/v2\/user\/access-log\?limit=2&cursor=/);
      const p2 = (await get(t, s.token, p1.page.next_uri!)).json<{ page: { next_uri: string | null }; data: { entries: unknown[] } }>();
      expect(p2.data.entries).toEqual([{ read_at: at(0), client_id: a.appClientId, surface: 'platform', resource: 'user' }]);
      expect(p2.page.next_uri).toBeNull();
      // erasure purges the log with the rest
      await t.deps.services.userLifecycle.deactivate(a.enterpriseId, s.userId, { erase: true });
      expect(await t.deps.ctx.db.selectFrom('access_log').select('seq').where('user_id', '=', s.userId).execute()).toEqual([]);
    });

    it('erasure by the enterprise purges the user\'s grants, access log and refreshes', async () => {
      const t = env();
      const a = await newApp(t);
      const s = await newUser(t, a);
      await connect(t, s);
      expect((await send(t, s.token, 'POST', '/platform/v2/assets/refresh')).statusCode).toBe(202);
      await get(t, s.token, '/platform/v2/assets');
      const db = t.deps.ctx.db;
      expect((await db.selectFrom('platform_refreshes').select('id').where('user_id', '=', s.userId).execute()).length).toBe(1);
      t.clock.advance(1_000);
      expect((await send(t, a.token, 'DELETE', `/enterprise/v2/users/${s.userId}?erase=true`)).statusCode).toBe(200);
      for (const table of ['platform_refreshes', 'access_log', 'refresh_tokens', 'oauth_codes', 'accounts'] as const) {
        expect(await db.selectFrom(table).select('user_id').where('user_id', '=', s.userId).execute(), table).toEqual([]);
      }
      expectError(await get(t, s.token, '/platform/v2/user'), 401, 'unauthorized');
    });

    it('DELETE /user revokes consent: every token of the user stops at once, syncs stop, credentials destroyed', async () => {
      const t = env();
      const a = await newApp(t);
      const s = await newUser(t, a);
      const second = await login(t, a, s.userId);
      const accountId = await connect(t, s);
      t.clock.advance(1_000);
      const revokedAt = new Date(t.clock.now()).toISOString();
      const res = await send(t, s.token, 'DELETE', '/platform/v2/user');
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ data: { user: { user_id: s.userId, deactivated: true, deactivated_on: revokedAt.slice(0, 10) } } });
      for (const tok of [s.token, second.token]) expectError(await get(t, tok, '/platform/v2/user'), 401, 'unauthorized');
      const refreshed = await t.app.inject({ method: 'POST', url: '/oauth/token', headers: FORM, payload: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: second.refreshToken, client_id: a.appClientId }).toString() });
      expect(refreshed.statusCode).toBe(400);
      expect(refreshed.json()).toMatchObject({ error: 'invalid_grant' });
      const account = await t.deps.ctx.db.selectFrom('accounts').select(['status', 'credentials_enc', 'next_sync_at']).where('id', '=', accountId).executeTakeFirstOrThrow();
      expect(account).toEqual({ status: 'disconnected', credentials_enc: null, next_sync_at: null });
      const consent = await t.deps.ctx.db.selectFrom('consents').select('revoked_at').where('user_id', '=', s.userId).executeTakeFirstOrThrow();
      expect(consent.revoked_at).toBe(revokedAt);
      // the enterprise still reads the history of a deactivated user
      const seen = await get(t, a.token, `/enterprise/v2/users/${s.userId}`);
      expect(seen.statusCode).toBe(200);
      expect(seen.json()).toMatchObject({ data: { user: { deactivated: true } } });
    });

    it('a token of a user the enterprise deactivated is refused', async () => {
      const t = env();
      const a = await newApp(t);
      const s = await newUser(t, a);
      t.clock.advance(1_000);
      expect((await send(t, a.token, 'DELETE', `/enterprise/v2/users/${s.userId}`)).statusCode).toBe(200);
      expectError(await get(t, s.token, '/platform/v2/assets'), 401, 'unauthorized');
      // a token the revocation list has not caught (another instance's cache) meets the user check: 403
      const { token } = await t.deps.tokens.issue('platform', s.userId, a.enterpriseId, a.appClientId, 'assets:read');
      t.clock.advance(1_000);
      await t.deps.ctx.db.updateTable('users').set({ tokens_revoked_before: null }).where('id', '=', s.userId).execute();
      t.deps.revocations.invalidate('user', s.userId);
      expectError(await get(t, token, '/platform/v2/assets'), 403, 'forbidden');
    });
  });
});
