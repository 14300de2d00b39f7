/**
 * Transaction and user pages are written as JSON text (`transactionJson`, `userJson`,
 * `listEnvelopeJson`) instead of objects serialized through the response schema. These tests hold the two equal byte for byte:
 * the oracle is Fastify's own serializer with the route's schema, fed the object path
 * (`toTransaction`, `listEnvelope`).
 */
import { describe, expect, it } from 'vitest';
import Fastify, { type FastifyRequest } from 'fastify';
import type { TSchema } from 'typebox';
import { forEachDialect } from './support/harness.js';
import { seedAccount, seedUser, tx } from './support/seed.js';
import { movementsJson, toTransaction, toUser, transactionJson, userJson } from '../src/services/api-mappers.js';
import type { TransactionRow } from '../src/repositories/transactions.repository.js';
import { TransactionsPageResponse, UsersPageResponse } from '../src/http/schemas/enterprise.js';
import { TransactionSchema, UserSchema } from '../src/http/schemas/common.js';
import { listEnvelope, listEnvelopeJson } from '../src/http/enterprise/envelope.js';
import { TRANSACTIONS_LIST_FILTERS, USERS_LIST_FILTERS } from '../src/http/enterprise/request-filters.js';
import type { ErrorItem } from '../src/domain/errors.js';
import type { Page } from '../src/services/pagination.js';

/** What Fastify writes for `value` under `schema` (fast-json-stringify, as for a route's 200). */
async function schemaJson(schema: TSchema, value: unknown): Promise<string> {
  const app = Fastify();
  app.get('/', { schema: { response: { 200: schema } } }, async () => value);
  const res = await app.inject({ url: '/' });
  await app.close();
  expect(res.statusCode, res.body).toBe(200);
  return res.body;
}

const movement = (asset: string, quantity: string, value: string | null, currency = 'USD') => ({ asset_id: asset, asset_symbol: asset.toUpperCase(), quantity, value: value === null ? null : { amount: value, currency } });

function row(over: Partial<TransactionRow> = {}): TransactionRow {
  return {
    seq: 7,
    id: '01900000-0000-7000-8000-000000000001',
    user_id: '01900000-0000-7000-8000-000000000002',
    account_id: '01900000-0000-7000-8000-000000000003',
    provider_id: 'kraken',
    timestamp: '2026-05-01T10:00:00.000Z',
    type: 'buy',
    status: 'confirmed',
    category: 'trade',
    is_internal_transfer: 0,
    counterparty_account_id: null,
    inputs: JSON.stringify([movement('fiat:USD', '100', '100')]),
    outputs: JSON.stringify([movement('bitcoin', '0.001', '100')]),
    fee_items: '[]',
    fee_total: null,
    value_currency: 'USD',
    network: null,
    tx_hash: null,
    from_address: null,
    to_address: null,
    provider_transaction_id: 'ptx-1',
    description: null,
    ...over,
  };
}

const AWKWARD = ['quote " inside', 'back\\slash', 'new\nline\ttab', 'bell\u0007 and \u001f', 'emoji 🚀 é ü 中文', 'lone \ud800 surrogate', '', '</script>', 'x'.repeat(100)];

describe('transactionJson', () => {
  it('writes what the response schema writes for toTransaction, for every kind of row', async () => {
    const rows: TransactionRow[] = [
      row(),
      row({ is_internal_transfer: 1, counterparty_account_id: '01900000-0000-7000-8000-000000000009', category: 'transfer', type: 'send' }),
      row({ fee_total: '0.500000000000000000', fee_items: JSON.stringify([movement('fiat:USD', '0.5', '0.5'), movement('kraken:kfee', '1', null)]) }),
      row({ fee_total: '0', inputs: '[]', outputs: '[]' }),
      row({ network: 'ethereum', tx_hash: '0xabc', from_address: '0x1', to_address: '0x2', description: 'Bought BTC' }),
      ...AWKWARD.map((s, i) => row({ description: s, tx_hash: s, provider_transaction_id: s, provider_id: `p${i}${s}`, network: s, from_address: s, to_address: s })),
      // stored movements that are not in the ledger's exact form are parsed and written as the schema does
      ...AWKWARD.map((s) => row({ inputs: JSON.stringify([movement(s, '1', '2', s)]), outputs: JSON.stringify([{ ...movement('a', '1', null), asset_symbol: s }]) })),
      row({ inputs: JSON.stringify([{ ...movement('bitcoin', '1', '2'), raw_secret: 'x' }]) }),
      row({ inputs: JSON.stringify([{ value: null, quantity: '1', asset_symbol: 'BTC', asset_id: 'bitcoin' }]) }),
      row({ outputs: JSON.stringify([{ ...movement('bitcoin', '1', null), value: { currency: 'USD', amount: '3', extra: true } }]) }),
      row({ inputs: '[ {"asset_id":"bitcoin","asset_symbol":"BTC","quantity":"1","value":null} ]' }),
    ];
    for (const r of rows) expect(transactionJson(r)).toBe(await schemaJson(TransactionSchema, toTransaction(r)));
  });

  it('copies stored movements in the ledger form as they are and rewrites any other', () => {
    const canonical = JSON.stringify([movement('bitcoin', '1', '2'), movement('ethereum', '0.5', null)]);
    expect(movementsJson(canonical)).toBe(canonical);
    expect(movementsJson('[]')).toBe('[]');
    expect(movementsJson(JSON.stringify([{ ...movement('bitcoin', '1', '2'), extra: 1 }]))).toBe(JSON.stringify([movement('bitcoin', '1', '2')]));
  });
});

describe('listEnvelopeJson', () => {
  it('writes what the response schema writes for listEnvelope, with and without a next page and errors', async () => {
    const items = [row(), row({ id: '01900000-0000-7000-8000-0000000000ff', description: 'q"uote' })];
    const request = { url: '/enterprise/v2/transactions/all?start_time=2026-01-01T00:00:00Z&types=buy,sell&limit=2', query: { start_time: '2026-01-01T00:00:00Z', types: 'buy,sell', limit: 2, ignored: 'x' } } as unknown as FastifyRequest;
    const errors: ErrorItem[] = [
      { cause: 'provider_unavailable', message: 'down "now"', provider_id: 'kraken', account_id: '01900000-0000-7000-8000-000000000003' },
      { cause: 'bad_request', message: 'm', field: 'f' },
    ];
    for (const nextCursor of [null, 'AAEC_-x']) {
      for (const errs of [[], errors]) {
        const objects: Page<ReturnType<typeof toTransaction>> = { items: items.map(toTransaction), nextCursor };
        const texts = { items: items.map(transactionJson), nextCursor };
        const expected = await schemaJson(TransactionsPageResponse, listEnvelope(request, TRANSACTIONS_LIST_FILTERS, 'transactions', objects, errs));
        expect(listEnvelopeJson(request, TRANSACTIONS_LIST_FILTERS, 'transactions', texts, errs)).toBe(expected);
      }
    }
  });
});

describe('transaction pages as JSON text', () => {
  forEachDialect((env) => {
    it('answer the bytes the schema serializer writes for the same rows', async () => {
      const t = env();
      const e = await t.newEnterprise('Json Text Co');
      const userId = await seedUser(t.deps, e.enterpriseId);
      const records = AWKWARD.map((s, i) =>
        tx({
          type: i % 2 ? 'buy' : 'receive',
          timestamp: `2026-05-0${(i % 9) + 1}T10:00:00.000Z`,
          inputs: i % 2 ? [{ asset_id: 'fiat:USD', asset_symbol: 'USD', quantity: '100.5', value: '100.5' }] : [],
          outputs: [{ asset_id: `token-${i}`, asset_symbol: s || 'X', quantity: '0.000000000000000001', value: i % 3 ? null : '1234.000000000000000001' }],
          fees: i % 2 ? [{ asset_id: 'fiat:USD', asset_symbol: 'USD', quantity: '0.25', value: '0.25' }] : [],
          description: s,
          tx_hash: i % 2 ? s : undefined,
        }),
      );
      await seedAccount(t.deps, e.enterpriseId, userId, { providerId: 'kraken', transactions: records });
      await seedAccount(t.deps, e.enterpriseId, userId, { providerId: 'coinbase', status: 'error', statusCause: 'invalid_credentials', transactions: [tx({ type: 'receive', timestamp: '2026-04-01T00:00:00.000Z', outputs: [{ asset_id: 'bitcoin', asset_symbol: 'BTC', quantity: '1', value: null }] })] });
      const rows = await t.deps.repos.transactions.list(e.enterpriseId, {}, undefined, 100);
      expect(rows.length).toBe(AWKWARD.length + 1);
      for (const r of rows) expect(transactionJson(r)).toBe(await schemaJson(TransactionSchema, toTransaction(r)));

      // whole pages over HTTP: same bytes as the object path through the schema
      for (const url of ['/enterprise/v2/transactions/all?limit=4', `/enterprise/v2/users/${userId}/transactions?limit=4&types=buy,receive`]) {
        const res = await t.call(e.token, { method: 'GET', url });
        expect(res.statusCode).toBe(url.includes('/users/') ? 206 : 200);
        expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
        const body = res.json<{ page: { next_cursor: string }; data: { transactions: { transaction_id: string }[] }; errors: ErrorItem[] }>();
        const ids = body.data.transactions.map((x) => x.transaction_id);
        const byId = new Map(rows.map((r) => [r.id, r]));
        const objects = { items: ids.map((id) => toTransaction(byId.get(id)!)), nextCursor: body.page.next_cursor };
        const request = { url, query: Object.fromEntries([...new URL(url, 'http://x').searchParams].map(([k, v]) => [k, k === 'limit' ? Number(v) : v])) } as unknown as FastifyRequest;
        const filters = url.includes('/users/') ? ['types'] : TRANSACTIONS_LIST_FILTERS;
        expect(res.body).toBe(await schemaJson(TransactionsPageResponse, listEnvelope(request, filters, 'transactions', objects, body.errors)));
      }
    });
  });
});

describe('userJson', () => {
  it('writes what the response schema writes for toUser, and users pages over HTTP too', async () => {
    const base = { seq: 1, id: '01900000-0000-7000-8000-000000000001', email: 'a@example.com', consented_at: '2026-05-01T10:00:00.000Z', full_name: 'Ann', deactivated_on: null, deactivated: 0 };
    const rows = [base, { ...base, deactivated: 1, deactivated_on: '2026-06-01' }, { ...base, email: null, full_name: null }, ...AWKWARD.map((s) => ({ ...base, email: s, full_name: s }))];
    for (const r of rows) expect(userJson(r)).toBe(await schemaJson(UserSchema, toUser(r)));
  });

  forEachDialect((env) => {
    it('answers users pages with the bytes the schema serializer writes', async () => {
      const t = env();
      const e = await t.newEnterprise('Json Users Co');
      const ids: string[] = [];
      for (const s of AWKWARD) ids.push(await seedUser(t.deps, e.enterpriseId, { fullName: s, email: `${ids.length}${s.replace(/\s/g, '')}@x.example` }));
      expect((await t.call(e.token, { method: 'DELETE', url: `/enterprise/v2/users/${ids[1]}` })).statusCode).toBe(200);
      const rows = await t.deps.repos.users.list(e.enterpriseId, {}, undefined, 100);
      let url: string | null = `/enterprise/v2/users/all?limit=4&user_ids=${ids.slice(0, 6).join(',')}`;
      while (url) {
        const res = await t.call(e.token, { method: 'GET', url });
        expect(res.statusCode).toBe(200);
        const body = res.json<{ page: { next_uri: string | null; next_cursor: string | null }; data: { users: { user_id: string }[] } }>();
        const byId = new Map(rows.map((r) => [r.id, r]));
        const objects = { items: body.data.users.map((u) => toUser(byId.get(u.user_id)!)), nextCursor: body.page.next_cursor };
        const request = { url, query: Object.fromEntries([...new URL(url, 'http://x').searchParams].map(([k, v]) => [k, k === 'limit' ? Number(v) : v])) } as unknown as FastifyRequest;
        expect(res.body).toBe(await schemaJson(UsersPageResponse, listEnvelope(request, USERS_LIST_FILTERS, 'users', objects)));
        url = body.page.next_uri;
      }
    });
  });
});
