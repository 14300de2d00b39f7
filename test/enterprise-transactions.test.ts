/**
 * User transactions (SPEC §5.5) and Transactions list (§5.8) on both databases: newest first,
 * keyset pages that never skip or repeat under concurrent inserts, filters, removed records,
 * tenant isolation and 206.
 */
import { describe, expect, it } from 'vitest';
import { forEachDialect, type TestEnv } from './support/harness.js';
import { seedAccount, seedUser, tx } from './support/seed.js';
import type { TransactionRecord } from '../src/domain/records.js';
import { uuidv7 } from '../src/lib/ids.js';

const receive = (timestamp: string, asset = 'bitcoin', symbol = 'BTC', quantity = '1'): TransactionRecord =>
  tx({ type: 'receive', timestamp, outputs: [{ asset_id: asset, asset_symbol: symbol, quantity, value: null }] });

async function pages(env: TestEnv, token: string, url: string): Promise<string[]> {
  const seen: string[] = [];
  let next: string | null = url;
  while (next) {
    const res = await env.call(token, { method: 'GET', url: next });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    seen.push(...body.data.transactions.map((t: { transaction_id: string }) => t.transaction_id));
    next = body.page.next_uri;
  }
  return seen;
}

async function addTransactions(env: TestEnv, enterpriseId: string, userId: string, accountId: string, providerId: string, records: TransactionRecord[]): Promise<void> {
  const { deps } = env;
  await deps.ctx.db.transaction().execute((trx) =>
    deps.repos.ledger.upsertTransactions(trx, { enterpriseId, userId, accountId, providerId }, records, '2026-06-15T12:00:00.000Z', (r) => uuidv7(Date.parse(r.timestamp))),
  );
}

describe('GET /enterprise/v2/users/{user_id}/transactions', () => {
  forEachDialect((env) => {
    it('serves the Transaction shape, newest first, with ties broken by pagination id', async () => {
      const { deps } = env();
      const e = await env().newEnterprise();
      const id = await seedUser(deps, e.enterpriseId);
      const buy = tx({
        type: 'buy',
        timestamp: '2026-05-01T10:00:00.000Z',
        inputs: [{ asset_id: 'fiat:USD', asset_symbol: 'USD', quantity: '100', value: '100' }],
        outputs: [{ asset_id: 'bitcoin', asset_symbol: 'BTC', quantity: '0.001', value: '100' }],
        fees: [{ asset_id: 'fiat:USD', asset_symbol: 'USD', quantity: '0.5', value: '0.5' }, { asset_id: 'kraken:KFEE', asset_symbol: 'KFEE', quantity: '1', value: null }],
        tx_hash: '0xabc',
        description: 'Bought BTC',
      });
      const acc = await seedAccount(deps, e.enterpriseId, id, { providerId: 'kraken', transactions: [receive('2026-05-01T10:00:00.000Z'), buy, receive('2026-04-01T00:00:00.000Z')] });
      const res = await env().call(e.token, { method: 'GET', url: `/enterprise/v2/users/${id}/transactions` });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(Object.keys(body)).toEqual(['page', 'data', 'errors']);
      expect(body.page).toEqual({ next_uri: null, next_cursor: null });
      const txs = body.data.transactions;
      expect(txs.map((t: { timestamp: string; type: string }) => `${t.timestamp} ${t.type}`)).toEqual([
        '2026-05-01T10:00:00.000Z buy',
        '2026-05-01T10:00:00.000Z receive',
        '2026-04-01T00:00:00.000Z receive',
      ]);
      expect(txs[0]).toEqual({
        transaction_id: expect.any(String),
        user_id: id,
        account_id: acc,
        provider_id: 'kraken',
        timestamp: '2026-05-01T10:00:00.000Z',
        type: 'buy',
        status: 'confirmed',
        categorization: { category: 'trade', is_internal_transfer: false, counterparty_account_id: null },
        inputs: [{ asset_id: 'fiat:USD', asset_symbol: 'USD', quantity: '100', value: { amount: '100', currency: 'USD' } }],
        outputs: [{ asset_id: 'bitcoin', asset_symbol: 'BTC', quantity: '0.001', value: { amount: '100', currency: 'USD' } }],
        fees: {
          total: { amount: '0.5', currency: 'USD' },
          items: [
            { asset_id: 'fiat:USD', asset_symbol: 'USD', quantity: '0.5', value: { amount: '0.5', currency: 'USD' } },
            { asset_id: 'kraken:KFEE', asset_symbol: 'KFEE', quantity: '1', value: null },
          ],
        },
        network: null,
        tx_hash: '0xabc',
        from_address: null,
        to_address: null,
        provider_transaction_id: expect.any(String),
        description: 'Bought BTC',
      });
      expect(Object.keys(txs[0])).toEqual(['transaction_id', 'user_id', 'account_id', 'provider_id', 'timestamp', 'type', 'status', 'categorization', 'inputs', 'outputs', 'fees', 'network', 'tx_hash', 'from_address', 'to_address', 'provider_transaction_id', 'description']);
    });

    it('pages without skipping or repeating while transactions are inserted, older and newer', async () => {
      const { deps } = env();
      const e = await env().newEnterprise();
      const id = await seedUser(deps, e.enterpriseId);
      const records: TransactionRecord[] = [];
      for (let i = 0; i < 9; i++) records.push(receive(`2026-05-0${1 + (i % 3)}T00:00:00.000Z`)); // ties on the timestamp
      const acc = await seedAccount(deps, e.enterpriseId, id, { transactions: records });
      const all = await pages(env(), e.token, `/enterprise/v2/users/${id}/transactions?limit=100`);
      expect(all).toHaveLength(9);
      const first = (await env().call(e.token, { method: 'GET', url: `/enterprise/v2/users/${id}/transactions?limit=4` })).json();
      expect(first.page.next_uri).toBe(`/enterprise/v2/users/${id}/transactions?limit=4&cursor=${first.page.next_cursor}`);
      // inserts between pages: newer ones (before the cursor) and ties of the boundary timestamp
      await addTransactions(env(), e.enterpriseId, id, acc, 'sandbox-exchange', [receive('2026-06-01T00:00:00.000Z'), receive('2026-05-03T00:00:00.000Z'), receive('2026-05-02T00:00:00.000Z')]);
      const rest = await pages(env(), e.token, first.page.next_uri);
      const seen = [...first.data.transactions.map((t: { transaction_id: string }) => t.transaction_id), ...rest];
      expect(new Set(seen).size).toBe(seen.length);
      for (const t of all) expect(seen).toContain(t);
      // the order stayed newest first across pages
      const now = await pages(env(), e.token, `/enterprise/v2/users/${id}/transactions?limit=100`);
      expect(seen).toEqual(now.filter((t) => seen.includes(t)));
    });

    it('filters by window, asset, symbol, provider (and crypto_sources), account and type; removed records are not listed', async () => {
      const { deps } = env();
      const e = await env().newEnterprise();
      const id = await seedUser(deps, e.enterpriseId);
      const k = await seedAccount(deps, e.enterpriseId, id, {
        providerId: 'kraken',
        transactions: [
          { ...receive('2026-05-01T00:00:00.000Z'), description: 'k-btc-1' },
          { ...receive('2026-05-02T00:00:00.000Z', 'ethereum', 'ETH'), description: 'k-eth-2' },
          { ...tx({ type: 'send', timestamp: '2026-05-03T00:00:00.000Z', inputs: [{ asset_id: 'bitcoin', asset_symbol: 'BTC', quantity: '0.1', value: null }], fees: [{ asset_id: 'ethereum', asset_symbol: 'ETH', quantity: '0.01', value: null }] }), description: 'k-send-3' },
        ],
      });
      const c = await seedAccount(deps, e.enterpriseId, id, { providerId: 'coinbase', transactions: [{ ...receive('2026-05-04T00:00:00.000Z'), description: 'c-btc-4' }, { ...receive('2026-05-05T00:00:00.000Z'), description: 'c-removed' }] });
      await deps.ctx.db.updateTable('transactions').set({ removed_at: '2026-06-01T00:00:00.000Z' }).where('description', '=', 'c-removed').execute();
      const list = async (q: string) => {
        const res = await env().call(e.token, { method: 'GET', url: `/enterprise/v2/users/${id}/transactions?${q}` });
        expect(res.statusCode, res.body).toBe(200);
        return res.json().data.transactions.map((t: { description: string }) => t.description);
      };
      expect(await list('')).toEqual(['c-btc-4', 'k-send-3', 'k-eth-2', 'k-btc-1']);
      expect(await list('start_time=2026-05-02T00:00:00Z&end_time=2026-05-04T00:00:00Z')).toEqual(['k-send-3', 'k-eth-2']);
      expect(await list(`start_time=${Date.parse('2026-05-02T00:00:00Z')}&end_time=2026-05-04T02:00:00%2B02:00`)).toEqual(['k-send-3', 'k-eth-2']);
      expect(await list('start_time=2026-05-02T00:00:00.000Z&end_time=2026-05-02T00:00:00.000Z')).toEqual([]);
      expect(await list('asset_ids=ethereum')).toEqual(['k-send-3', 'k-eth-2']);
      expect(await list('asset_symbols=eth,Btc&types=receive')).toEqual(['c-btc-4', 'k-eth-2', 'k-btc-1']);
      expect(await list('asset_ids=ethereum&asset_symbols=btc')).toEqual(['k-send-3']);
      expect(await list('provider_ids=coinbase')).toEqual(['c-btc-4']);
      expect(await list('crypto_sources=kraken&types=send')).toEqual(['k-send-3']);
      expect(await list(`account_ids=${k}&types=receive&types=send`)).toEqual(['k-send-3', 'k-eth-2', 'k-btc-1']);
      expect(await list(`account_ids=${c}`)).toEqual(['c-btc-4']);
    });

    it('answers 206 naming a failing account within the filters', async () => {
      const { deps } = env();
      const e = await env().newEnterprise();
      const id = await seedUser(deps, e.enterpriseId);
      await seedAccount(deps, e.enterpriseId, id, { providerId: 'kraken', transactions: [receive('2026-05-01T00:00:00.000Z')] });
      const bad = await seedAccount(deps, e.enterpriseId, id, { providerId: 'okx', status: 'error', statusCause: 'rate_limited', transactions: [receive('2026-05-02T00:00:00.000Z')] });
      const res = await env().call(e.token, { method: 'GET', url: `/enterprise/v2/users/${id}/transactions` });
      expect(res.statusCode).toBe(206);
      expect(res.json().data.transactions).toHaveLength(2);
      expect(res.json().errors).toEqual([{ cause: 'rate_limited', message: expect.any(String), provider_id: 'okx', account_id: bad }]);
      expect((await env().call(e.token, { method: 'GET', url: `/enterprise/v2/users/${id}/transactions?provider_ids=kraken` })).statusCode).toBe(200);
    });
  });
});

describe('GET /enterprise/v2/transactions/all', () => {
  forEachDialect((env) => {
    it('lists every user\'s transactions newest first, filtered, never another enterprise\'s', async () => {
      const { deps } = env();
      const e = await env().newEnterprise();
      const other = await env().newEnterprise('Other');
      const a = await seedUser(deps, e.enterpriseId);
      const b = await seedUser(deps, e.enterpriseId, { deactivatedOn: '2026-06-01' });
      const x = await seedUser(deps, other.enterpriseId);
      await seedAccount(deps, e.enterpriseId, a, { providerId: 'kraken', transactions: [{ ...receive('2026-05-01T00:00:00.000Z'), description: 'a1' }, { ...receive('2026-05-03T00:00:00.000Z', 'ethereum', 'ETH'), description: 'a3' }] });
      await seedAccount(deps, e.enterpriseId, b, { providerId: 'coinbase', transactions: [{ ...tx({ type: 'staking_reward', timestamp: '2026-05-02T00:00:00.000Z', outputs: [{ asset_id: 'ethereum', asset_symbol: 'ETH', quantity: '0.1', value: null }] }), description: 'b2' }] });
      await seedAccount(deps, other.enterpriseId, x, { transactions: [{ ...receive('2026-05-04T00:00:00.000Z'), description: 'x4' }] });
      const list = async (q: string) => {
        const res = await env().call(e.token, { method: 'GET', url: `/enterprise/v2/transactions/all?${q}` });
        expect(res.statusCode, res.body).toBe(200);
        return res.json().data.transactions.map((t: { description: string }) => t.description);
      };
      expect(await list('')).toEqual(['a3', 'b2', 'a1']);
      expect(await list(`user_ids=${b}`)).toEqual(['b2']);
      expect(await list(`user_ids=${x}`)).toEqual([]);
      expect(await list('provider_ids=kraken')).toEqual(['a3', 'a1']);
      expect(await list('asset_ids=ethereum')).toEqual(['a3', 'b2']);
      expect(await list('asset_symbols=ETH&types=staking_reward')).toEqual(['b2']);
      expect(await list('start_time=2026-05-02T00:00:00Z')).toEqual(['a3', 'b2']);
      expect(await list('end_time=2026-05-02T00:00:00Z')).toEqual(['a1']);
      // paging keeps the filters in next_uri
      const p1 = (await env().call(e.token, { method: 'GET', url: '/enterprise/v2/transactions/all?limit=1&asset_ids=ethereum&start_time=2026-01-01T00:00:00Z' })).json();
      expect(p1.page.next_uri).toBe(`/enterprise/v2/transactions/all?start_time=2026-01-01T00%3A00%3A00Z&asset_ids=ethereum&limit=1&cursor=${p1.page.next_cursor}`);
      const p2 = (await env().call(e.token, { method: 'GET', url: p1.page.next_uri })).json();
      expect([...p1.data.transactions, ...p2.data.transactions].map((t: { description: string }) => t.description)).toEqual(['a3', 'b2']);
      expect(p2.page).toEqual({ next_uri: null, next_cursor: null });
    });

    it('pages without skipping or repeating while transactions are inserted', async () => {
      const { deps } = env();
      const e = await env().newEnterprise();
      const users = [await seedUser(deps, e.enterpriseId), await seedUser(deps, e.enterpriseId)];
      const accs: string[] = [];
      for (const u of users) accs.push(await seedAccount(deps, e.enterpriseId, u, { transactions: Array.from({ length: 6 }, (_, i) => receive(`2026-04-${10 + i}T00:00:00.000Z`)) }));
      const before = await pages(env(), e.token, '/enterprise/v2/transactions/all?limit=100');
      expect(before).toHaveLength(12);
      const seen: string[] = [];
      let next: string | null = '/enterprise/v2/transactions/all?limit=5';
      let round = 0;
      while (next) {
        const body = (await env().call(e.token, { method: 'GET', url: next })).json() as { data: { transactions: { transaction_id: string }[] }; page: { next_uri: string | null } };
        seen.push(...body.data.transactions.map((t: { transaction_id: string }) => t.transaction_id));
        next = body.page.next_uri;
        // between pages: a newer one, a tie with an existing timestamp, and an older one
        await addTransactions(env(), e.enterpriseId, users[round % 2]!, accs[round % 2]!, 'sandbox-exchange', [receive('2026-06-01T00:00:00.000Z'), receive('2026-04-12T00:00:00.000Z'), receive('2026-01-01T00:00:00.000Z')]);
        round++;
      }
      expect(new Set(seen).size).toBe(seen.length);
      for (const t of before) expect(seen).toContain(t);
    });
  });
});
