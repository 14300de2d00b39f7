/**
 * EVM history from an Etherscan-compatible explorer (TORTIE_EXPLORER_<ID>): a local server answers
 * hand-written rows in Etherscan's documented txlist/tokentx format (test/fixtures/evm/README.md),
 * paginated with a tiny page size so block-boundary cuts between pages are exercised.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RetryableConnectorError, type SourceTransaction } from '../../src/connectors/connector.js';
import { evmConnectorFactory } from '../../src/connectors/evm/index.js';
import { TestClock } from '../../src/lib/clock.js';
import { startChainServer, type ChainServer } from './chain-server.js';

interface Row {
  blockNumber: string;
  timeStamp: string;
  hash: string;
  [k: string]: string;
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/evm/etherscan-account.json', import.meta.url), 'utf8')) as { address: string; txlist: Row[]; tokentx: Row[] };
const X = fixture.address;
const ctx = { clock: new TestClock(Date.parse('2026-11-01T00:00:00.000Z')) };

let override: ((q: URLSearchParams) => unknown) | null = null;

function answer(q: URLSearchParams): unknown {
  if (override) return override(q);
  const rows = q.get('action') === 'txlist' ? fixture.txlist : q.get('action') === 'tokentx' ? fixture.tokentx : null;
  if (!rows || q.get('module') !== 'account' || q.get('sort') !== 'asc') return { status: '0', message: 'NOTOK', result: 'Error! Missing Or invalid Action name' };
  if (q.get('apikey') !== 'TESTKEY') return { status: '0', message: 'NOTOK', result: 'Invalid API Key' };
  const start = Number(q.get('startblock') ?? 0);
  const end = Number(q.get('endblock') ?? 99999999999);
  const page = Number(q.get('page') ?? 1);
  const offset = Number(q.get('offset') ?? 10000);
  const hits = q.get('address')?.toLowerCase() === X ? rows.filter((r) => Number(r.blockNumber) >= start && Number(r.blockNumber) <= end) : [];
  const slice = hits.slice((page - 1) * offset, page * offset);
  return slice.length ? { status: '1', message: 'OK', result: slice } : { status: '0', message: 'No transactions found', result: [] };
}

describe('EVM connector with an Etherscan-compatible explorer', () => {
  let server: ChainServer;
  beforeAll(async () => {
    server = await startChainServer((r) => ({ json: answer(r.query) }));
  });
  afterAll(async () => {
    await server?.close();
  });
  const connector = () =>
    evmConnectorFactory('ethereum', { explorerPageSize: 2, timeoutMs: 500 })({
      rpc: {},
      explorer: { ethereum: `${server.url}/api?chainid=1&apikey=TESTKEY` },
      esplora: null,
      exchange: {},
    });

  it('walks txlist + tokentx page by page, never splitting a block, into netted transactions', async () => {
    const records: SourceTransaction[] = [];
    let cursor: Record<string, unknown> | null = null;
    let pages = 0;
    for (;;) {
      const p = await connector().fetchTransactions({ type: 'wallet', addresses: ['0x4bbeEB066eD09B7AEd07bF39EEe0460DFa261520'] }, cursor, ctx);
      records.push(...p.records);
      cursor = JSON.parse(JSON.stringify(p.cursor)) as Record<string, unknown>;
      pages++;
      if (p.done) break;
    }
    expect(pages).toBe(6);
    expect(cursor).toEqual({ next_block: 17000021 });
    // every request kept the configured query parameters (chain id, API key)
    expect(server.requests.every((r) => r.query.get('apikey') === 'TESTKEY' && r.query.get('chainid') === '1')).toBe(true);
    const summary = records.map((r) => [r.timestamp, r.type, r.inputs.map((m) => `${m.quantity} ${m.asset_symbol}`), r.outputs.map((m) => `${m.quantity} ${m.asset_symbol}`), r.fees.map((m) => m.quantity)]);
    expect(summary).toEqual([
      ['2023-04-12T11:46:52.000Z', 'receive', [], ['2 ETH'], []],
      ['2023-04-12T11:47:16.000Z', 'receive', [], ['2500 USDT'], []],
      ['2023-04-12T11:47:40.000Z', 'send', ['0.5 ETH'], [], ['0.000527592592569']],
      ['2023-04-12T11:48:28.000Z', 'swap', ['0.1 ETH'], ['180.123456 USDC'], ['0.003']],
      ['2023-04-12T11:49:04.000Z', 'fee', ['0.00081 ETH'], [], []],
      ['2023-04-12T11:49:40.000Z', 'send', ['100 USDT'], [], ['0.000691635000046109']],
      ['2023-04-12T11:50:40.000Z', 'receive', [], ['1.000000001 Ŧ-WEIRD'], []],
    ]);
    const swap = records[3]!;
    expect(swap.inputs[0]!.asset_id).toBe('ethereum');
    expect(swap.outputs[0]!.asset_id).toBe('ethereum:0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48');
    expect(records[6]!.outputs[0]!.asset_id).toBe('ethereum:0x1111111254eeb25477b68fb85ed929f73a960582');
    expect(records[4]!.description).toMatch(/Reverted/);
    expect(records[5]).toMatchObject({ from_address: '0x4bbeEB066eD09B7AEd07bF39EEe0460DFa261520', to_address: '0xb2Ad2C2a3a4f67B4f3D6c3e1F4a25E0C9fD5b0a7' });
    expect(new Set(records.map((r) => r.fingerprint)).size).toBe(7);
    // incremental: nothing new after the cursor
    const again = await connector().fetchTransactions({ type: 'wallet', addresses: [X] }, cursor, ctx);
    expect(again.records).toEqual([]);
    expect(again.done).toBe(true);
  });

  it("turns Etherscan's in-band rate limit and error answers into retryable errors", async () => {
    try {
      override = () => ({ status: '0', message: 'NOTOK', result: 'Max rate limit reached, please use API Key for higher rate limit' });
      const e1 = await connector().fetchTransactions({ type: 'wallet', addresses: [X] }, null, ctx).catch((e: unknown) => e);
      expect(e1).toBeInstanceOf(RetryableConnectorError);
      expect((e1 as RetryableConnectorError).cause_).toBe('rate_limited');
      expect((e1 as RetryableConnectorError).retryAfterMs).toBeGreaterThan(0);
      override = () => ({ status: '0', message: 'NOTOK', result: 'Invalid API Key' });
      const e2 = await connector().fetchTransactions({ type: 'wallet', addresses: [X] }, null, ctx).catch((e: unknown) => e);
      expect((e2 as RetryableConnectorError).cause_).toBe('provider_unavailable');
      expect((e2 as Error).message).toContain('TORTIE_EXPLORER_ETHEREUM');
    } finally {
      override = null;
    }
    for (const [kind, cause] of [['rate_limited', 'rate_limited'], ['server_error', 'provider_unavailable'], ['malformed_json', 'bad_response'], ['timeout', 'provider_unavailable']] as const) {
      server.faults.inject(kind);
      try {
        const e = await connector().fetchTransactions({ type: 'wallet', addresses: [X] }, null, ctx).catch((x: unknown) => x);
        expect(e, kind).toBeInstanceOf(RetryableConnectorError);
        expect((e as RetryableConnectorError).cause_, kind).toBe(cause);
      } finally {
        server.faults.clear();
      }
    }
  });
});
