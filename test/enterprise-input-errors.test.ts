/**
 * The bad-input table of the Enterprise API reads (SPEC §3) on both databases: every malformed
 * input is a 4xx whose ErrorItem names the field, never a 500; and a token is always required.
 */
import { describe, expect, it } from 'vitest';
import type { InjectOptions } from 'fastify';
import { forEachDialect } from './support/harness.js';
import { seedAccount, seedUser, tx } from './support/seed.js';

interface Case {
  name: string;
  req: (ctx: Ctx) => InjectOptions;
  status: number;
  field: string;
  cause?: string;
}

interface Ctx {
  userId: string;
  usersCursor: string;
  accountsCursor: string;
  txCursor: string;
  otherUsersCursor: string;
}

const U = '/enterprise/v2';
const LISTS = ['/users/all', '/accounts/all', '/transactions/all'];
const get = (url: string): InjectOptions => ({ method: 'GET', url });
const search = (payload: string, contentType = 'application/json'): InjectOptions => ({ method: 'POST', url: `${U}/users/search`, payload, headers: { 'content-type': contentType } });

const flip = (c: string): string => c.slice(0, 10) + (c[10] === 'A' ? 'B' : 'A') + c.slice(11);

const CASES: Case[] = [
  ...['', '/assets', '/transactions'].map((s) => ({ name: `malformed user id in path ${s || '(user)'}`, req: () => get(`${U}/users/not-a-uuid${s}`), status: 400, field: 'user_id' })),
  { name: 'malformed user id on DELETE', req: () => ({ method: 'DELETE', url: `${U}/users/1234` }), status: 400, field: 'user_id' },
  { name: 'users list user_ids not UUIDs', req: () => get(`${U}/users/all?user_ids=abc`), status: 400, field: 'user_ids' },
  { name: 'accounts list user_ids not UUIDs', req: () => get(`${U}/accounts/all?user_ids=1,2`), status: 400, field: 'user_ids' },
  { name: 'transactions list user_ids not UUIDs', req: () => get(`${U}/transactions/all?user_ids=x`), status: 400, field: 'user_ids' },
  { name: 'assets account_ids not UUIDs', req: (c) => get(`${U}/users/${c.userId}/assets?account_ids=nope`), status: 400, field: 'account_ids' },
  { name: 'transactions account_ids not UUIDs', req: (c) => get(`${U}/users/${c.userId}/transactions?account_ids=nope`), status: 400, field: 'account_ids' },
  { name: 'more than 100 values in a filter', req: () => get(`${U}/transactions/all?asset_ids=${Array.from({ length: 101 }, (_, i) => `a${i}`).join(',')}`), status: 400, field: 'asset_ids' },
  ...LISTS.flatMap((l) =>
    ['0', '101', 'abc', '1.5', '-1', '5,6'].map((v) => ({ name: `${l} limit=${v}`, req: () => get(`${U}${l}?limit=${v}`), status: 400, field: 'limit' })),
  ),
  ...['0', '101', 'abc'].map((v) => ({ name: `user transactions limit=${v}`, req: (c: Ctx) => get(`${U}/users/${c.userId}/transactions?limit=${v}`), status: 400, field: 'limit' })),
  { name: 'forged users cursor', req: (c) => get(`${U}/users/all?cursor=${flip(c.usersCursor)}`), status: 400, field: 'cursor' },
  { name: 'truncated users cursor', req: (c) => get(`${U}/users/all?cursor=${c.usersCursor.slice(0, -3)}`), status: 400, field: 'cursor' },
  { name: 'garbage cursor', req: () => get(`${U}/users/all?cursor=!!!not*base64`), status: 400, field: 'cursor' },
  { name: 'another endpoint\'s cursor (users → accounts)', req: (c) => get(`${U}/accounts/all?cursor=${c.usersCursor}`), status: 400, field: 'cursor' },
  { name: 'another endpoint\'s cursor (accounts → users)', req: (c) => get(`${U}/users/all?cursor=${c.accountsCursor}`), status: 400, field: 'cursor' },
  { name: 'another endpoint\'s cursor (transactions/all → user transactions)', req: (c) => get(`${U}/users/${c.userId}/transactions?cursor=${c.txCursor}`), status: 400, field: 'cursor' },
  { name: 'forged transactions cursor', req: (c) => get(`${U}/transactions/all?cursor=${flip(c.txCursor)}`), status: 400, field: 'cursor' },
  { name: 'another enterprise\'s cursor', req: (c) => get(`${U}/users/all?cursor=${c.otherUsersCursor}`), status: 400, field: 'cursor' },
  { name: 'over-long cursor', req: () => get(`${U}/users/all?cursor=${'A'.repeat(3000)}`), status: 400, field: 'cursor' },
  { name: 'start_time after end_time (all)', req: () => get(`${U}/transactions/all?start_time=2026-02-01T00:00:00Z&end_time=2026-01-01T00:00:00Z`), status: 400, field: 'start_time' },
  { name: 'start_time after end_time (user)', req: (c) => get(`${U}/users/${c.userId}/transactions?start_time=1767225600000&end_time=1767225599999`), status: 400, field: 'start_time' },
  { name: 'start_time without a zone', req: () => get(`${U}/transactions/all?start_time=2026-01-01T00:00:00`), status: 400, field: 'start_time' },
  { name: 'end_time not a time', req: () => get(`${U}/transactions/all?end_time=yesterday`), status: 400, field: 'end_time' },
  { name: 'end_time impossible date', req: (c) => get(`${U}/users/${c.userId}/transactions?end_time=2026-13-45T00:00:00Z`), status: 400, field: 'end_time' },
  { name: 'unknown transaction type', req: () => get(`${U}/transactions/all?types=buy,gift`), status: 400, field: 'types' },
  { name: 'unknown account status', req: () => get(`${U}/accounts/all?statuses=broken`), status: 400, field: 'statuses' },
  { name: 'unsupported currency', req: (c) => get(`${U}/users/${c.userId}/assets?currency=DOGE`), status: 400, field: 'currency' },
  { name: 'erase not a boolean', req: (c) => ({ method: 'DELETE', url: `${U}/users/${c.userId}?erase=maybe` }), status: 400, field: 'erase' },
  { name: 'search: unknown body field', req: () => search(JSON.stringify({ query: 'a', nickname: 'x' })), status: 400, field: 'nickname' },
  { name: 'search: unknown nested field', req: () => search(JSON.stringify({ min_total_value: { amount: '1', currency: 'USD', extra: 1 } })), status: 400, field: 'min_total_value.extra' },
  { name: 'search: body is not JSON', req: () => search('{"query": '), status: 400, field: 'body' },
  { name: 'search: body is a JSON array', req: () => search('[1,2]'), status: 400, field: 'body' },
  { name: 'search: body over 1 MiB', req: () => search(JSON.stringify({ query: 'x'.repeat(1024 * 1024 + 10) })), status: 413, field: 'body', cause: 'payload_too_large' },
  { name: 'search: text/plain body', req: () => search('query=a', 'text/plain'), status: 415, field: 'body', cause: 'unsupported_media_type' },
  { name: 'search: form body', req: () => search('query=a', 'application/x-www-form-urlencoded'), status: 415, field: 'body', cause: 'unsupported_media_type' },
  { name: 'search: limit as a string', req: () => search(JSON.stringify({ limit: '5' })), status: 400, field: 'limit' },
  { name: 'search: limit 0', req: () => search(JSON.stringify({ limit: 0 })), status: 400, field: 'limit' },
  { name: 'search: limit 101', req: () => search(JSON.stringify({ limit: 101 })), status: 400, field: 'limit' },
  { name: 'search: user_ids not UUIDs', req: () => search(JSON.stringify({ user_ids: ['nope'] })), status: 400, field: 'user_ids' },
  { name: 'search: user_ids not a list', req: () => search(JSON.stringify({ user_ids: 'a,b' })), status: 400, field: 'user_ids' },
  { name: 'search: deactivated not a boolean', req: () => search(JSON.stringify({ deactivated: 'yes' })), status: 400, field: 'deactivated' },
  { name: 'search: consented_from not a time', req: () => search(JSON.stringify({ consented_from: 'last week' })), status: 400, field: 'consented_from' },
  { name: 'search: consented_from after consented_to', req: () => search(JSON.stringify({ consented_from: '2026-02-01T00:00:00Z', consented_to: '2026-01-01T00:00:00Z' })), status: 400, field: 'consented_from' },
  { name: 'search: min_total_value amount not a decimal', req: () => search(JSON.stringify({ min_total_value: { amount: '1e5', currency: 'USD' } })), status: 400, field: 'min_total_value.amount' },
  { name: 'search: min_total_value amount a number', req: () => search(JSON.stringify({ min_total_value: { amount: 5, currency: 'USD' } })), status: 400, field: 'min_total_value.amount' },
  { name: 'search: min_total_value without currency', req: () => search(JSON.stringify({ min_total_value: { amount: '5' } })), status: 400, field: 'min_total_value.currency' },
  { name: 'search: forged cursor', req: () => search(JSON.stringify({ cursor: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' })), status: 400, field: 'cursor' },
  { name: 'search: bare user id is not a search cursor', req: (c) => search(JSON.stringify({ cursor: c.userId })), status: 400, field: 'cursor' },
];

describe('Enterprise API reads: bad input', () => {
  forEachDialect((env) => {
    let ctx: Ctx | undefined;
    let token = '';
    const setup = async (): Promise<Ctx> => {
      if (ctx) return ctx;
      const { deps } = env();
      const e = await env().newEnterprise();
      const other = await env().newEnterprise('Other');
      token = e.token;
      const users = [await seedUser(deps, e.enterpriseId), await seedUser(deps, e.enterpriseId)];
      for (const u of users) {
        await seedAccount(deps, e.enterpriseId, u, {
          transactions: [1, 2].map((d) => tx({ type: 'receive', timestamp: `2026-05-0${d}T00:00:00.000Z`, outputs: [{ asset_id: 'bitcoin', asset_symbol: 'BTC', quantity: '1', value: null }] })),
        });
      }
      await seedUser(deps, other.enterpriseId);
      await seedUser(deps, other.enterpriseId);
      const cursor = async (t: string, url: string) => {
        const body = (await env().call(t, get(url))).json();
        expect(body.page.next_cursor).toEqual(expect.any(String));
        return body.page.next_cursor as string;
      };
      ctx = {
        userId: users[0]!,
        usersCursor: await cursor(token, `${U}/users/all?limit=1`),
        accountsCursor: await cursor(token, `${U}/accounts/all?limit=1`),
        txCursor: await cursor(token, `${U}/transactions/all?limit=1`),
        otherUsersCursor: await cursor(other.token, `${U}/users/all?limit=1`),
      };
      return ctx;
    };

    it.each(CASES)('$name → $status on $field', async (c) => {
      const context = await setup();
      const res = await env().call(token, c.req(context));
      expect(res.statusCode, res.body).toBe(c.status);
      const body = res.json();
      expect(body.errors).toHaveLength(1);
      expect(body.errors[0]).toEqual({ cause: c.cause ?? 'bad_request', message: expect.any(String), field: c.field });
      expect(res.body).not.toMatch(/at .*\.(ts|js):\d+/); // never a stack trace
    });

    it('requires an enterprise token on every endpoint', async () => {
      const context = await setup();
      const urls: InjectOptions[] = [
        ...LISTS.map((l) => get(`${U}${l}`)),
        get(`${U}/users/${context.userId}`),
        get(`${U}/users/${context.userId}/assets`),
        get(`${U}/users/${context.userId}/transactions`),
        { method: 'DELETE', url: `${U}/users/${context.userId}` },
        search('{}'),
      ];
      for (const req of urls) {
        const res = await env().call(null, req);
        expect(res.statusCode, `${req.method} ${req.url}`).toBe(401);
        expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
        expect(res.json().errors[0].cause).toBe('unauthorized');
      }
      // the user is untouched by the refused DELETE
      const still = await env().call(token, get(`${U}/users/${context.userId}`));
      expect(still.json().data.user.deactivated).toBe(false);
    });
  });
});
