/**
 * The Solana connector against a local JSON-RPC stand-in answering hand-chosen results in the
 * documented jsonParsed formats (test/fixtures/solana/README.md).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PermanentConnectorError, RetryableConnectorError, type Connector, type SourceTransaction } from '../../src/connectors/connector.js';
import { solanaConnectorFactory } from '../../src/connectors/solana/index.js';
import { connectorFor } from '../../src/connectors/registry.js';
import { TestClock } from '../../src/lib/clock.js';
import { startChainServer, type ChainReply, type ChainRequest, type ChainServer } from './chain-server.js';
import { implied, runConnectorContract, walkHistory } from './contract.js';

interface Fixture {
  address: string;
  getBalance: unknown;
  getTokenAccountsByOwner: { context: unknown; value: unknown[] };
  signatures: { signature: string }[];
  transactions: Record<string, unknown>;
  odd_mint: string;
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/solana/rpc.json', import.meta.url), 'utf8')) as Fixture;
const W = fixture.address;
const ctx = { clock: new TestClock(Date.parse('2026-11-01T00:00:00.000Z')) };

function rpc(f: Fixture) {
  return (req: ChainRequest): ChainReply => {
    const { id, method, params } = JSON.parse(req.body) as { id: number; method: string; params: [string, Record<string, unknown>?, Record<string, unknown>?] };
    const result = (() => {
      switch (method) {
        case 'getBalance':
          return params[0] === W ? f.getBalance : { context: { slot: 1 }, value: 0 };
        case 'getTokenAccountsByOwner':
          return params[0] === W && params[1]?.programId === 'TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA' ? f.getTokenAccountsByOwner : { context: { slot: 1 }, value: [] };
        case 'getSignaturesForAddress': {
          if (params[0] !== W) return [];
          const o = params[1] ?? {};
          let list = f.signatures;
          if (o.before) list = list.slice(list.findIndex((s) => s.signature === o.before) + 1);
          if (o.until) {
            const i = list.findIndex((s) => s.signature === o.until);
            if (i >= 0) list = list.slice(0, i);
          }
          return list.slice(0, Number(o.limit ?? 1000));
        }
        case 'getTransaction':
          if (params[1]?.encoding !== 'jsonParsed' || params[1]?.maxSupportedTransactionVersion !== 0) return { error: 'unexpected params' };
          return f.transactions[params[0]] ?? null;
        default:
          return undefined;
      }
    })();
    return { json: result === undefined ? { jsonrpc: '2.0', id, error: { code: -32601, message: 'Method not found' } } : { jsonrpc: '2.0', id, result } };
  };
}

describe('Solana connector over JSON-RPC', () => {
  let server: ChainServer;
  let f: Fixture;
  let connector: Connector;
  beforeAll(async () => {
    f = structuredClone(fixture);
    const answer = rpc(f);
    server = await startChainServer((r) => answer(r));
    connector = solanaConnectorFactory({ timeoutMs: 500, pageSize: 3 })({ rpc: { solana: server.url }, explorer: {}, esplora: null, exchange: {} });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('validates base58 32-byte addresses', async () => {
    await expect(connector.validate({ type: 'wallet', addresses: [W] }, ctx)).resolves.toBeUndefined();
    for (const bad of ['4Qkev8aNZcqFNSRhQzwyLMFSsi94jHqE8WNVTJzTP99', '0Qkev8aNZcqFNSRhQzwyLMFSsi94jHqE8WNVTJzTP99F', '0x70997970C51812dc3A010C7d01b50e0d17dc79C8', '']) {
      const err = await connector.validate({ type: 'wallet', addresses: [bad] }, ctx).catch((e: unknown) => e);
      expect(err, bad).toBeInstanceOf(PermanentConnectorError);
      expect((err as PermanentConnectorError).cause_).toBe('invalid_credentials');
    }
  });

  it('reports SOL and SPL balances (empty token accounts left out)', async () => {
    const positions = await connector.fetchBalances({ type: 'wallet', addresses: [W] }, ctx);
    expect(positions.map((p) => [p.asset_id, p.asset_symbol, p.quantity])).toEqual([
      ['solana', 'SOL', '1.749975'],
      ['solana:EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v', 'USDC', '100.499999'],
      [`solana:${fixture.odd_mint}`, `${fixture.odd_mint.slice(0, 4)}…${fixture.odd_mint.slice(-4)}`, '1.000000001'],
    ]);
  });

  it('walks signatures page by page into netted transactions that explain the balances exactly', async () => {
    const pages: number[] = [];
    let cursor: Record<string, unknown> | null = null;
    const records: SourceTransaction[] = [];
    for (;;) {
      const p = await connector.fetchTransactions({ type: 'wallet', addresses: [W] }, cursor, ctx);
      pages.push(p.records.length);
      records.push(...p.records);
      cursor = JSON.parse(JSON.stringify(p.cursor)) as Record<string, unknown>;
      if (p.done) break;
    }
    expect(pages).toEqual([3, 3, 1]);
    const summary = records.map((r) => [r.type, r.inputs.map((m) => `${m.quantity} ${m.asset_symbol}`), r.outputs.map((m) => `${m.quantity} ${m.asset_symbol}`), r.fees.map((m) => m.quantity)]);
    const odd = `${fixture.odd_mint.slice(0, 4)}…${fixture.odd_mint.slice(-4)}`;
    expect(summary).toEqual([
      ['receive', [], [`1.000000001 ${odd}`], []],
      ['fee', ['0.000005 SOL'], [], []],
      ['fee', ['0.000005 SOL'], [], []],
      ['send', ['20.000001 USDC'], [], ['0.00001']],
      ['receive', [], ['120.5 USDC'], []],
      ['send', ['0.75 SOL'], [], ['0.000005']],
      ['receive', [], ['2.5 SOL'], []],
    ]);
    expect(records[2]!.description).toMatch(/Failed/);
    expect(records[6]).toMatchObject({ from_address: '83astBRguLMdt2h5U1Tpdq5tjFoJ6noeGwaY3mDLVcri', to_address: W, timestamp: '2024-02-15T12:26:40.000Z', fingerprint: fixture.signatures[6]!.signature });
    const net = implied(records);
    expect(net.get('solana')).toBe('1.749975');
    expect(net.get('solana:EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v')).toBe('100.499999');
    expect(net.get(`solana:${fixture.odd_mint}`)).toBe('1.000000001');

    // incremental: `until` = the newest signature seen; a new one comes back alone
    const quiet = await walkHistory(connector, { type: 'wallet', addresses: [W] }, ctx, cursor);
    expect(quiet.records).toEqual([]);
    const newest = fixture.signatures[0]!.signature;
    const requestsBefore = server.requests.length;
    const fresh = { ...(f.signatures[1] as object), signature: 'N'.repeat(87) } as { signature: string };
    f.signatures.unshift(fresh);
    f.transactions[fresh.signature] = { ...(f.transactions[f.signatures[2]!.signature] as object), transaction: { signatures: [fresh.signature], message: (f.transactions[f.signatures[2]!.signature] as { transaction: { message: unknown } }).transaction.message } };
    try {
      const again = await walkHistory(connector, { type: 'wallet', addresses: [W] }, ctx, cursor);
      expect(again.records.map((r) => r.fingerprint)).toEqual([fresh.signature]);
      const call = server.requests.slice(requestsBefore).map((r) => JSON.parse(r.body) as { method: string; params: [string, { until?: string }] }).find((b) => b.method === 'getSignaturesForAddress');
      expect(call?.params[1].until).toBe(newest);
    } finally {
      f.signatures.shift();
      delete f.transactions[fresh.signature];
    }
  });

  it('names TORTIE_RPC_SOLANA when it is not configured', async () => {
    const c = connectorFor('solana', { rpc: {}, explorer: {}, esplora: null, exchange: {} })!;
    const err = await c.fetchBalances({ type: 'wallet', addresses: [W] }, ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryableConnectorError);
    expect((err as Error).message).toContain('TORTIE_RPC_SOLANA');
  });
});

runConnectorContract({
  name: 'solana (JSON-RPC)',
  setup: async () => {
    const answer = rpc(structuredClone(fixture));
    const server = await startChainServer((r) => answer(r));
    return {
      connector: solanaConnectorFactory({ timeoutMs: 400, pageSize: 2 })({ rpc: { solana: server.url }, explorer: {}, esplora: null, exchange: {} }),
      connection: { type: 'wallet', addresses: [W] },
      badConnection: { type: 'wallet', addresses: ['4Qkev8aNZcqFNSRhQzwyLMFSsi94jHqE8WNVTJzTP99Fx'] },
      faults: server.faults,
      minTransactions: 7,
      minPositions: 3,
      teardown: () => server.close(),
    };
  },
});
