/**
 * Enterprise API users (SPEC §5.1, §5.2, §5.3, §5.6) on both databases: the seed's Users list
 * field by field, keyset pagination under concurrent inserts, the bare user_id cursor, search
 * filters, the user account read with 206, deactivation and erasure.
 */
import { describe, expect, it } from 'vitest';
import { forEachDialect, type TestEnv } from './support/harness.js';
import { seedAccount, seedPrice, seedUser, tx } from './support/seed.js';
import { dateOf } from '../src/lib/clock.js';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO_MS_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

async function get(env: TestEnv, token: string, url: string) {
  return env.call(token, { method: 'GET', url });
}

async function allPages(env: TestEnv, token: string, url: string, key: string): Promise<string[]> {
  const seen: string[] = [];
  let next: string | null = url;
  while (next) {
    const res = await get(env, token, next);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    seen.push(...body.data[key].map((u: { user_id?: string; account_id?: string; transaction_id?: string }) => u.user_id ?? u.account_id ?? u.transaction_id));
    next = body.page.next_uri;
  }
  return seen;
}

describe('GET /enterprise/v2/users/all', () => {
  forEachDialect((env) => {
    it('matches the seed example field by field', async () => {
      const { deps } = env();
      const e = await env().newEnterprise();
      const id = await seedUser(deps, e.enterpriseId, { email: 'user@example.com', fullName: 'Ada Lovelace', consentedAt: '2019-08-24T14:15:22.123Z' });
      await seedUser(deps, e.enterpriseId, { email: 'gone@example.com', deactivatedOn: '2019-08-24' });
      const res = await get(env(), e.token, '/enterprise/v2/users/all');
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      const body = res.json();
      expect(Object.keys(body)).toEqual(['page', 'data', 'errors']);
      expect(body.page).toEqual({ next_uri: null, next_cursor: null });
      expect(body.errors).toEqual([]);
      expect(Object.keys(body.data)).toEqual(['users']);
      expect(body.data.users).toHaveLength(2);
      const [u, d] = body.data.users;
      expect(Object.keys(u)).toEqual(['email', 'user_id', 'consented_at', 'full_name', 'deactivated_on', 'deactivated']);
      expect(u).toEqual({ email: 'user@example.com', user_id: id, consented_at: '2019-08-24T14:15:22.123Z', full_name: 'Ada Lovelace', deactivated_on: null, deactivated: false });
      expect(u.user_id).toMatch(UUID_RE);
      expect(u.consented_at).toMatch(ISO_MS_RE);
      expect(Object.keys(d)).toEqual(['email', 'user_id', 'consented_at', 'full_name', 'deactivated_on', 'deactivated']);
      expect(d.deactivated).toBe(true);
      expect(d.deactivated_on).toMatch(DATE_RE);
      // the raw text keeps the seed's key order too
      expect(res.body.indexOf('"email"')).toBeLessThan(res.body.indexOf('"user_id"'));
    });

    it('filters by user_ids; unknown ids are absent; a non-UUID is a 400 on user_ids', async () => {
      const { deps } = env();
      const e = await env().newEnterprise();
      const a = await seedUser(deps, e.enterpriseId);
      const b = await seedUser(deps, e.enterpriseId);
      await seedUser(deps, e.enterpriseId);
      const unknown = '0190f3c5-1111-7222-8333-444455556666';
      const res = await get(env(), e.token, `/enterprise/v2/users/all?user_ids=${b},${unknown}&user_ids=${a.toUpperCase()}`);
      expect(res.statusCode).toBe(200);
      expect(res.json().data.users.map((u: { user_id: string }) => u.user_id)).toEqual([a, b]);
      const bad = await get(env(), e.token, `/enterprise/v2/users/all?user_ids=${a},nope`);
      expect(bad.statusCode).toBe(400);
      expect(bad.json().errors[0]).toMatchObject({ cause: 'bad_request', field: 'user_ids' });
    });

    it('pages in pagination-id order without skipping or repeating while users are inserted', async () => {
      const { deps } = env();
      const e = await env().newEnterprise();
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) ids.push(await seedUser(deps, e.enterpriseId));
      const first = await get(env(), e.token, '/enterprise/v2/users/all?limit=3');
      const p1 = first.json();
      expect(p1.data.users.map((u: { user_id: string }) => u.user_id)).toEqual(ids.slice(0, 3));
      expect(p1.page.next_cursor).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(p1.page.next_uri).toBe(`/enterprise/v2/users/all?limit=3&cursor=${p1.page.next_cursor}`);
      // new users arrive between pages: they come after the existing ones, nothing is skipped or repeated
      const added = [await seedUser(deps, e.enterpriseId), await seedUser(deps, e.enterpriseId)];
      const rest = await allPages(env(), e.token, p1.page.next_uri, 'users');
      expect([...p1.data.users.map((u: { user_id: string }) => u.user_id), ...rest]).toEqual([...ids, ...added]);
    });

    it('keeps every filter and limit in next_uri, percent-encoded; the last page has both null', async () => {
      const { deps } = env();
      const e = await env().newEnterprise();
      const ids = [await seedUser(deps, e.enterpriseId), await seedUser(deps, e.enterpriseId), await seedUser(deps, e.enterpriseId)];
      const res = await get(env(), e.token, `/enterprise/v2/users/all?user_ids=${ids.join(',')}&limit=2&ignored=1`);
      const body = res.json();
      expect(body.page.next_uri).toBe(`/enterprise/v2/users/all?user_ids=${ids.join('%2C')}&limit=2&cursor=${body.page.next_cursor}`);
      const last = (await get(env(), e.token, body.page.next_uri)).json();
      expect(last.data.users.map((u: { user_id: string }) => u.user_id)).toEqual([ids[2]]);
      expect(last.page).toEqual({ next_uri: null, next_cursor: null });
      // exactly `limit` rows left: no empty extra page
      const exact = (await get(env(), e.token, `/enterprise/v2/users/all?user_ids=${ids.join(',')}&limit=3`)).json();
      expect(exact.page).toEqual({ next_uri: null, next_cursor: null });
    });

    it('accepts the bare user_id of an own user as the cursor, and refuses another enterprise\'s', async () => {
      const { deps } = env();
      const e = await env().newEnterprise();
      const other = await env().newEnterprise('Other');
      const ids = [await seedUser(deps, e.enterpriseId), await seedUser(deps, e.enterpriseId), await seedUser(deps, e.enterpriseId)];
      const foreign = await seedUser(deps, other.enterpriseId);
      const res = await get(env(), e.token, `/enterprise/v2/users/all?cursor=${ids[0]}`);
      expect(res.statusCode).toBe(200);
      expect(res.json().data.users.map((u: { user_id: string }) => u.user_id)).toEqual(ids.slice(1));
      const refused = await get(env(), e.token, `/enterprise/v2/users/all?cursor=${foreign}`);
      const unknown = await get(env(), e.token, '/enterprise/v2/users/all?cursor=0190f3c5-1111-7222-8333-444455556666');
      expect(refused.statusCode).toBe(400);
      expect(refused.json()).toEqual(unknown.json());
      expect(refused.json().errors[0]).toMatchObject({ cause: 'bad_request', field: 'cursor' });
    });

    it('never shows another enterprise\'s users', async () => {
      const { deps } = env();
      const e = await env().newEnterprise();
      const other = await env().newEnterprise('Other');
      const mine = await seedUser(deps, e.enterpriseId);
      const theirs = await seedUser(deps, other.enterpriseId);
      const res = await get(env(), e.token, `/enterprise/v2/users/all?user_ids=${mine},${theirs}`);
      expect(res.json().data.users.map((u: { user_id: string }) => u.user_id)).toEqual([mine]);
    });
  });
});

describe('POST /enterprise/v2/users/search', () => {
  forEachDialect((env) => {
    const search = (token: string, payload: unknown) => env().call(token, { method: 'POST', url: '/enterprise/v2/users/search', payload: payload as Record<string, unknown> });

    it('combines every filter with AND', async () => {
      const { deps } = env();
      const e = await env().newEnterprise();
      const other = await env().newEnterprise('Other');
      await seedPrice(deps, 'bitcoin', 'USD', '2026-06-15T00:00:00.000Z', '50000');
      await seedPrice(deps, 'fiat:USD', 'EUR', '2026-06-15T00:00:00.000Z', '0.5');
      const ada = await seedUser(deps, e.enterpriseId, { email: 'Ada.Lovelace@Example.com', fullName: 'Ada Lovelace', consentedAt: '2026-01-10T00:00:00.000Z' });
      const bob = await seedUser(deps, e.enterpriseId, { email: 'bob@example.com', fullName: 'Bob 100%_Sure', consentedAt: '2026-02-10T00:00:00.000Z' });
      const cy = await seedUser(deps, e.enterpriseId, { email: 'cy@example.org', fullName: 'Cy Young', consentedAt: '2026-03-10T00:00:00.000Z', deactivatedOn: '2026-04-01' });
      await seedUser(deps, other.enterpriseId, { email: 'ada.lovelace@example.com', fullName: 'Ada Lovelace' });
      await seedAccount(deps, e.enterpriseId, ada, { providerId: 'kraken', positions: [{ asset_id: 'bitcoin', asset_symbol: 'BTC', quantity: '0.5' }] });
      await seedAccount(deps, e.enterpriseId, bob, { providerId: 'coinbase', positions: [{ asset_id: 'bitcoin', asset_symbol: 'BTC', quantity: '0' }, { asset_id: 'unknown-coin', asset_symbol: 'UNK', quantity: '5' }] });
      await seedAccount(deps, e.enterpriseId, cy, { providerId: 'kraken', positions: [{ asset_id: 'bitcoin', asset_symbol: 'BTC', quantity: '0.000000000000000001' }] });
      const ids = async (payload: unknown) => {
        const res = await search(e.token, payload);
        expect(res.statusCode, res.body).toBe(200);
        return res.json().data.users.map((u: { user_id: string }) => u.user_id);
      };
      expect(await ids({})).toEqual([ada, bob, cy]);
      expect(await ids({ query: 'LOVELACE' })).toEqual([ada]);
      expect(await ids({ query: 'example.' })).toEqual([ada, bob, cy]);
      expect(await ids({ query: '0%_s' })).toEqual([bob]);
      expect(await ids({ query: '%' })).toEqual([bob]);
      expect(await ids({ email: 'ADA.lovelace@example.COM' })).toEqual([ada]);
      expect(await ids({ email: 'ada' })).toEqual([]);
      expect(await ids({ query: '', email: '' })).toEqual([ada, bob, cy]);
      expect(await ids({ user_ids: [bob, cy] })).toEqual([bob, cy]);
      expect(await ids({ deactivated: true })).toEqual([cy]);
      expect(await ids({ deactivated: false })).toEqual([ada, bob]);
      expect(await ids({ consented_from: '2026-02-10T00:00:00Z', consented_to: '2026-03-10T00:00:00.000Z' })).toEqual([bob]);
      expect(await ids({ consented_from: String(Date.parse('2026-02-10T00:00:00Z')) })).toEqual([bob, cy]);
      expect(await ids({ provider_ids: ['kraken'] })).toEqual([ada, cy]);
      expect(await ids({ asset_ids: ['bitcoin'] })).toEqual([ada, cy]);
      expect(await ids({ asset_symbols: ['btc', 'unk'] })).toEqual([ada, bob, cy]);
      expect(await ids({ asset_symbols: ['btc'], provider_ids: ['kraken'], deactivated: false })).toEqual([ada]);
      expect(await ids({ min_total_value: { amount: '25000', currency: 'USD' } })).toEqual([ada]);
      expect(await ids({ min_total_value: { amount: '25000.000000000000000001', currency: 'USD' } })).toEqual([]);
      expect(await ids({ min_total_value: { amount: '0.00000000000005', currency: 'USD' } })).toEqual([ada, cy]);
      expect(await ids({ min_total_value: { amount: '0', currency: 'USD' } })).toEqual([ada, bob, cy]);
      expect(await ids({ min_total_value: { amount: '12500', currency: 'EUR' } })).toEqual([ada]);
      expect(await ids({ min_total_value: { amount: '12500.1', currency: 'EUR' } })).toEqual([]);
      const bad = await search(e.token, { min_total_value: { amount: '1', currency: 'XYZ' } });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().errors[0]).toMatchObject({ cause: 'bad_request', field: 'min_total_value.currency' });
    });

    it('pages with next_cursor and next_uri null; the cursor is bound to search', async () => {
      const { deps } = env();
      const e = await env().newEnterprise();
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push(await seedUser(deps, e.enterpriseId));
      const p1 = (await search(e.token, { limit: 2 })).json();
      expect(p1.page.next_uri).toBeNull();
      expect(p1.page.next_cursor).toEqual(expect.any(String));
      const p2 = (await search(e.token, { limit: 2, cursor: p1.page.next_cursor })).json();
      const p3 = (await search(e.token, { limit: 2, cursor: p2.page.next_cursor })).json();
      expect(p3.page).toEqual({ next_uri: null, next_cursor: null });
      expect([...p1.data.users, ...p2.data.users, ...p3.data.users].map((u: { user_id: string }) => u.user_id)).toEqual(ids);
      // a Users list cursor is not a search cursor
      const list = (await get(env(), e.token, '/enterprise/v2/users/all?limit=2')).json();
      const wrong = await search(e.token, { cursor: list.page.next_cursor });
      expect(wrong.statusCode).toBe(400);
      expect(wrong.json().errors[0].field).toBe('cursor');
    });

    it('accepts a request without a body as "no filters"', async () => {
      const { deps } = env();
      const e = await env().newEnterprise();
      const id = await seedUser(deps, e.enterpriseId);
      const res = await env().call(e.token, { method: 'POST', url: '/enterprise/v2/users/search' });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().data.users.map((u: { user_id: string }) => u.user_id)).toEqual([id]);
    });
  });
});

describe('GET /enterprise/v2/users/{user_id}', () => {
  forEachDialect((env) => {
    it('returns the user, the consent and valued accounts; 206 listing a failing account', async () => {
      const { deps } = env();
      const e = await env().newEnterprise();
      await seedPrice(deps, 'ethereum', 'USD', '2026-06-15T00:00:00.000Z', '3000.5');
      const id = await seedUser(deps, e.enterpriseId, { email: 'a@example.com', fullName: 'A' });
      const ok = await seedAccount(deps, e.enterpriseId, id, { providerId: 'kraken', positions: [{ asset_id: 'ethereum', asset_symbol: 'ETH', quantity: '2' }] });
      let res = await get(env(), e.token, `/enterprise/v2/users/${id}`);
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(Object.keys(body)).toEqual(['data', 'errors']);
      expect(body.errors).toEqual([]);
      expect(body.data.user).toEqual({ email: 'a@example.com', user_id: id, consented_at: expect.stringMatching(ISO_MS_RE), full_name: 'A', deactivated_on: null, deactivated: false });
      expect(body.data.consent).toEqual({ consented_at: expect.stringMatching(ISO_MS_RE), scopes: ['assets:read', 'transactions:read'], client_id: null, revoked_at: null, version: '2026-01' });
      expect(body.data.accounts).toEqual([
        {
          account_id: ok,
          user_id: id,
          provider_id: 'kraken',
          provider_name: 'Kraken',
          display_label: null,
          connection_type: 'sandbox',
          addresses: [],
          status: 'active',
          status_cause: null,
          created_at: expect.stringMatching(ISO_MS_RE),
          last_synced_at: expect.stringMatching(ISO_MS_RE),
          next_sync_at: null,
          total_value: { amount: '6001', currency: 'USD' },
        },
      ]);
      expect(res.body).not.toContain('credentials');

      const failing = await seedAccount(deps, e.enterpriseId, id, { providerId: 'binance', status: 'error', statusCause: 'provider_unavailable' });
      res = await get(env(), e.token, `/enterprise/v2/users/${id}`);
      expect(res.statusCode).toBe(206);
      expect(res.json().data.accounts.map((a: { account_id: string }) => a.account_id)).toEqual([ok, failing]);
      expect(res.json().errors).toEqual([{ cause: 'provider_unavailable', message: expect.any(String), provider_id: 'binance', account_id: failing }]);
    });

    it('answers another enterprise\'s user exactly like an unknown one', async () => {
      const { deps } = env();
      const e = await env().newEnterprise();
      const other = await env().newEnterprise('Other');
      const theirs = await seedUser(deps, other.enterpriseId);
      const a = await get(env(), e.token, `/enterprise/v2/users/${theirs}`);
      const b = await get(env(), e.token, '/enterprise/v2/users/0190f3c5-1111-7222-8333-444455556666');
      expect(a.statusCode).toBe(404);
      expect(b.statusCode).toBe(404);
      expect(a.json()).toEqual(b.json());
      expect(a.json().errors[0].cause).toBe('not_found');
      for (const suffix of ['/assets', '/transactions']) {
        const x = await get(env(), e.token, `/enterprise/v2/users/${theirs}${suffix}`);
        expect(x.statusCode).toBe(404);
        expect(x.json()).toEqual(b.json());
      }
      const d = await env().call(e.token, { method: 'DELETE', url: `/enterprise/v2/users/${theirs}` });
      expect(d.statusCode).toBe(404);
      expect(d.json()).toEqual(b.json());
      const still = await get(env(), other.token, `/enterprise/v2/users/${theirs}`);
      expect(still.json().data.user.deactivated).toBe(false);
    });
  });
});

describe('DELETE /enterprise/v2/users/{user_id}', () => {
  forEachDialect((env) => {
    it('deactivates idempotently: consent and tokens revoked, accounts disconnected, credentials destroyed, history readable', async () => {
      const { deps, clock } = env();
      const e = await env().newEnterprise();
      const id = await seedUser(deps, e.enterpriseId, { email: 'd@example.com' });
      const acc = await seedAccount(deps, e.enterpriseId, id, {
        status: 'error',
        positions: [{ asset_id: 'bitcoin', asset_symbol: 'BTC', quantity: '1' }],
        transactions: [tx({ type: 'receive', timestamp: '2026-05-01T00:00:00.000Z', outputs: [{ asset_id: 'bitcoin', asset_symbol: 'BTC', quantity: '1', value: null }] })],
      });
      await deps.ctx.db.updateTable('accounts').set({ credentials_enc: 'sealed-secret', next_sync_at: '2026-06-15T13:00:00.000Z' }).where('id', '=', acc).execute();
      const userToken = (await deps.tokens.issue('platform', id, e.enterpriseId, e.clientId, 'assets:read')).token;
      clock.advance(1000);
      const res = await env().call(e.token, { method: 'DELETE', url: `/enterprise/v2/users/${id}` });
      expect(res.statusCode).toBe(200);
      expect(Object.keys(res.json())).toEqual(['data']);
      expect(res.json().data.user).toEqual({ email: 'd@example.com', user_id: id, consented_at: expect.any(String), full_name: 'Test User', deactivated_on: dateOf(clock.now()), deactivated: true });
      const u = await deps.ctx.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      expect(u.tokens_revoked_before).toBe(new Date(clock.now()).toISOString());
      await expect(deps.tokens.verify(userToken, 'platform')).rejects.toMatchObject({ status: 401 });
      const a = await deps.ctx.db.selectFrom('accounts').selectAll().where('id', '=', acc).executeTakeFirstOrThrow();
      expect(a).toMatchObject({ status: 'disconnected', status_cause: null, credentials_enc: null, next_sync_at: null });
      const c = await deps.ctx.db.selectFrom('consents').selectAll().where('user_id', '=', id).executeTakeFirstOrThrow();
      expect(c.revoked_at).toBe(new Date(clock.now()).toISOString());

      // a day later: idempotent, the first deactivated_on stays
      const firstDay = res.json().data.user.deactivated_on;
      clock.advance(86_400_000);
      const token = (await deps.tokens.issue('enterprise', e.clientId, e.enterpriseId, e.clientId, 'enterprise')).token;
      const again = await env().call(token, { method: 'DELETE', url: `/enterprise/v2/users/${id}` });
      expect(again.statusCode).toBe(200);
      expect(again.json().data.user.deactivated_on).toBe(firstDay);
      const after = await deps.ctx.db.selectFrom('users').select('tokens_revoked_before').where('id', '=', id).executeTakeFirstOrThrow();
      expect(after.tokens_revoked_before).toBe(u.tokens_revoked_before);

      // history stays readable with 200 (its accounts are disconnected, not failing)
      const profile = await get(env(), token, `/enterprise/v2/users/${id}`);
      expect(profile.statusCode).toBe(200);
      expect(profile.json().data.consent.revoked_at).toEqual(expect.any(String));
      expect((await get(env(), token, `/enterprise/v2/users/${id}/assets`)).statusCode).toBe(200);
      const txs = await get(env(), token, `/enterprise/v2/users/${id}/transactions`);
      expect(txs.statusCode).toBe(200);
      expect(txs.json().data.transactions).toHaveLength(1);
      const list = (await get(env(), token, `/enterprise/v2/users/all?user_ids=${id}`)).json();
      expect(list.data.users[0].deactivated).toBe(true);
    });

    it('completes the deactivation of a user marked deactivated elsewhere (tokens and accounts too)', async () => {
      const { deps, clock } = env();
      const e = await env().newEnterprise();
      const id = await seedUser(deps, e.enterpriseId, { deactivatedOn: '2026-06-01' });
      const acc = await seedAccount(deps, e.enterpriseId, id, { status: 'active' });
      const res = await env().call(e.token, { method: 'DELETE', url: `/enterprise/v2/users/${id}` });
      expect(res.statusCode).toBe(200);
      expect(res.json().data.user).toMatchObject({ deactivated: true, deactivated_on: '2026-06-01' });
      const u = await deps.ctx.db.selectFrom('users').select('tokens_revoked_before').where('id', '=', id).executeTakeFirstOrThrow();
      expect(u.tokens_revoked_before).toBe(new Date(clock.now()).toISOString());
      const a = await deps.ctx.db.selectFrom('accounts').select('status').where('id', '=', acc).executeTakeFirstOrThrow();
      expect(a.status).toBe('disconnected');
    });

    it('erases: 404 afterwards, gone from every list, data purged, the same e-mail can consent again', async () => {
      const { deps } = env();
      const e = await env().newEnterprise();
      const keep = await seedUser(deps, e.enterpriseId);
      const id = await seedUser(deps, e.enterpriseId, { email: 'Erase.Me@example.com', fullName: 'Erase Me' });
      const acc = await seedAccount(deps, e.enterpriseId, id, {
        positions: [{ asset_id: 'bitcoin', asset_symbol: 'BTC', quantity: '1' }],
        transactions: [tx({ type: 'receive', timestamp: '2026-05-01T00:00:00.000Z', outputs: [{ asset_id: 'bitcoin', asset_symbol: 'BTC', quantity: '1', value: null }] })],
      });
      await seedAccount(deps, e.enterpriseId, keep, {
        transactions: [tx({ type: 'receive', timestamp: '2026-05-02T00:00:00.000Z', outputs: [{ asset_id: 'bitcoin', asset_symbol: 'BTC', quantity: '2', value: null }] })],
      });
      const res = await env().call(e.token, { method: 'DELETE', url: `/enterprise/v2/users/${id}?erase=true` });
      expect(res.statusCode).toBe(200);
      expect(res.json().data.user).toMatchObject({ email: 'Erase.Me@example.com', user_id: id, deactivated: true, deactivated_on: dateOf(env().clock.now()) });
      for (const url of [`/enterprise/v2/users/${id}`, `/enterprise/v2/users/${id}/assets`, `/enterprise/v2/users/${id}/transactions`]) {
        expect((await get(env(), e.token, url)).statusCode).toBe(404);
      }
      expect((await env().call(e.token, { method: 'DELETE', url: `/enterprise/v2/users/${id}` })).statusCode).toBe(404);
      expect(await allPages(env(), e.token, '/enterprise/v2/users/all', 'users')).toEqual([keep]);
      const searched = (await env().call(e.token, { method: 'POST', url: '/enterprise/v2/users/search', payload: { query: 'erase' } })).json();
      expect(searched.data.users).toEqual([]);
      expect((await get(env(), e.token, `/enterprise/v2/users/all?cursor=${id}`)).statusCode).toBe(400);
      const accounts = (await get(env(), e.token, '/enterprise/v2/accounts/all')).json();
      expect(accounts.data.accounts.map((a: { user_id: string }) => a.user_id)).toEqual([keep]);
      const txs = (await get(env(), e.token, '/enterprise/v2/transactions/all')).json();
      expect(txs.data.transactions.map((t: { user_id: string }) => t.user_id)).toEqual([keep]);
      // purged rows; only the tombstone remains
      const db = deps.ctx.db;
      expect(await db.selectFrom('accounts').select('id').where('id', '=', acc).execute()).toEqual([]);
      expect(await db.selectFrom('asset_positions').select('asset_id').where('user_id', '=', id).execute()).toEqual([]);
      expect(await db.selectFrom('transactions').select('id').where('user_id', '=', id).execute()).toEqual([]);
      expect(await db.selectFrom('transaction_movements').select('asset_id').where('user_id', '=', id).execute()).toEqual([]);
      expect(await db.selectFrom('consents').select('id').where('user_id', '=', id).execute()).toEqual([]);
      const tomb = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      expect(tomb).toMatchObject({ email: null, email_lower: null, full_name: null, erased_at: expect.any(String) });
      // the same person consents again: a new user with a new id
      const again = await seedUser(deps, e.enterpriseId, { email: 'erase.me@example.com' });
      expect(again).not.toBe(id);
      expect((await get(env(), e.token, `/enterprise/v2/users/${again}`)).statusCode).toBe(200);
    });
  });
});
