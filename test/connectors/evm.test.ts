/**
 * The EVM connector against a REAL local node (anvil from npm): ETH sent between accounts, an
 * ERC-20 deployed from OpenZeppelin 4.9.6's shipped bytecode and transferred, a self-transfer and
 * a reverted transaction — then balances and history compared with the chain to the last wei
 * (reference reads through viem; fees from receipts as gasUsed × effectiveGasPrice).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEther, type Address, type Hash } from 'viem';
import { PermanentConnectorError, RetryableConnectorError, type ConnectorEndpoints, type SourceTransaction } from '../../src/connectors/connector.js';
import { EvmConnector, parseEvmAddress } from '../../src/connectors/evm/evm.connector.js';
import { EVM_CHAINS, evmConnectorFactory } from '../../src/connectors/evm/index.js';
import { connectorFor } from '../../src/connectors/registry.js';
import { TestClock } from '../../src/lib/clock.js';
import { fromBaseUnits, sum } from '../../src/lib/decimal.js';
import { implied, runConnectorContract, walkHistory } from './contract.js';
import { ACCOUNTS, GENESIS_WEI, erc20Preset, startAnvil, type Anvil } from './evm-anvil.js';

const [A, W, B] = [ACCOUNTS[0], ACCOUNTS[1], ACCOUNTS[2]] as Address[] as [Address, Address, Address];
const ctx = { clock: new TestClock(Date.parse('2026-11-01T00:00:00.000Z')) };

function endpoints(rpc: string, explorer?: string): ConnectorEndpoints {
  return { rpc: { ethereum: rpc, polygon: rpc }, explorer: explorer ? { ethereum: explorer } : {}, esplora: null, exchange: {} };
}

interface Scenario {
  token: Address;
  hashes: { fund: Hash; send: Hash; self: Hash; deploy: Hash; tokenIn: Hash; tokenOut: Hash; reverted: Hash; toB: Hash };
}

/** Drives the chain: every transaction the tests then expect to find. */
async function populate(n: Anvil): Promise<Scenario> {
  const w = n.wallet;
  const mined = async (h: Hash) => {
    // automine answers at once on an idle machine; under load the receipt may lag the send
    return n.publicClient.waitForTransactionReceipt({ hash: h, pollingInterval: 20, timeout: 30_000 });
  };
  const fund = await w.sendTransaction({ account: A, to: W, value: parseEther('1.5'), chain: null });
  const send = await w.sendTransaction({ account: W, to: B, value: parseEther('0.25'), chain: null });
  const self = await w.sendTransaction({ account: W, to: W, value: parseEther('0.1'), chain: null });
  const { abi, bytecode } = erc20Preset();
  const deploy = await w.deployContract({ abi, bytecode, args: ['Tortie Test Token', 'TTT', 1_000_000n * 10n ** 18n, A], account: A, chain: null });
  const token = (await mined(deploy)).contractAddress!;
  const tokenIn = await w.writeContract({ address: token, abi, functionName: 'transfer', args: [W, 1234_567890123456789012n], account: A, chain: null });
  const tokenOut = await w.writeContract({ address: token, abi, functionName: 'transfer', args: [B, 34_000000000000000001n], account: W, chain: null });
  // more than W holds: reverts, but W still pays the gas (explicit gas skips the estimate that would refuse it)
  const reverted = await w.writeContract({ address: token, abi, functionName: 'transfer', args: [B, 10n ** 30n], account: W, chain: null, gas: 100_000n });
  const toB = await w.sendTransaction({ account: A, to: B, value: 777n, chain: null });
  for (const h of [fund, send, self, tokenIn, tokenOut, reverted, toB]) await mined(h);
  return { token, hashes: { fund, send, self, deploy, tokenIn, tokenOut, reverted, toB } };
}

describe('EVM connector on a real anvil node', () => {
  let n: Anvil;
  let s: Scenario;
  let connector: EvmConnector;
  const fee = async (h: Hash) => {
    const r = await n.publicClient.getTransactionReceipt({ hash: h });
    return fromBaseUnits(r.gasUsed * r.effectiveGasPrice, 18);
  };

  beforeAll(async () => {
    n = await startAnvil();
    s = await populate(n);
    connector = evmConnectorFactory('ethereum', { timeoutMs: 2_000, blocksPerPage: 2, logChunkBlocks: 3 })(endpoints(n.proxy.url)) as EvmConnector;
  });
  afterAll(async () => {
    await n?.stop();
  });

  it('validates addresses with the EIP-55 checksum (lowercase accepted, wrong mixed case refused)', async () => {
    expect(parseEvmAddress(W)).toBe(W.toLowerCase());
    expect(parseEvmAddress(W.toLowerCase())).toBe(W.toLowerCase());
    const badCase = W.replace('C51812dc3A', 'c51812dc3A');
    expect(parseEvmAddress(badCase)).toBeNull();
    await expect(connector.validate({ type: 'wallet', addresses: [W.toLowerCase()] })).resolves.toBeUndefined();
    const err = await connector.validate({ type: 'wallet', addresses: [badCase] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentConnectorError);
    expect((err as PermanentConnectorError).cause_).toBe('invalid_credentials');
    await expect(connector.validate({ type: 'wallet', addresses: ['0x1234'] })).rejects.toBeInstanceOf(PermanentConnectorError);
    await expect(connector.validate({ type: 'wallet', addresses: [] })).rejects.toBeInstanceOf(PermanentConnectorError);
  });

  it('reports native and ERC-20 balances exactly as the chain holds them', async () => {
    const positions = await connector.fetchBalances({ type: 'wallet', addresses: [W] }, ctx);
    const eth = positions.find((p) => p.asset_id === 'ethereum');
    expect(eth?.quantity).toBe(fromBaseUnits(await n.publicClient.getBalance({ address: W }), 18));
    expect(eth?.asset_symbol).toBe('ETH');
    const { abi } = erc20Preset();
    const units = (await n.publicClient.readContract({ address: s.token, abi, functionName: 'balanceOf', args: [W] })) as bigint;
    const tok = positions.find((p) => p.asset_id === `ethereum:${s.token.toLowerCase()}`);
    expect(units).toBe(1234_567890123456789012n - 34_000000000000000001n);
    expect(tok).toMatchObject({ asset_symbol: 'TTT', asset_name: 'Tortie Test Token', quantity: '1200.567890123456789011', network: 'ethereum' });
    expect(positions).toHaveLength(2);
  });

  it('walks the history in bounded pages and matches the chain to the last wei', async () => {
    let pages = 0;
    let cursor: Record<string, unknown> | null = null;
    const records: SourceTransaction[] = [];
    for (;;) {
      const p = await connector.fetchTransactions({ type: 'wallet', addresses: [W] }, cursor, ctx);
      pages++;
      records.push(...p.records);
      cursor = JSON.parse(JSON.stringify(p.cursor)) as Record<string, unknown>;
      if (p.done) break;
    }
    const tip = Number(await n.publicClient.getBlockNumber());
    expect(pages).toBe(Math.ceil((tip + 1) / 2));
    expect(cursor).toEqual({ next_block: tip + 1 });
    const by = new Map(records.map((r) => [r.tx_hash, r]));
    const h = s.hashes;
    const tokenId = `ethereum:${s.token.toLowerCase()}`;
    expect(records.map((r) => r.tx_hash)).toEqual([h.fund, h.send, h.self, h.tokenIn, h.tokenOut, h.reverted]);
    expect(by.get(h.fund)).toMatchObject({ type: 'receive', outputs: [{ asset_id: 'ethereum', asset_symbol: 'ETH', quantity: '1.5' }], inputs: [], fees: [], from_address: A, to_address: W });
    expect(by.get(h.send)).toMatchObject({ type: 'send', inputs: [{ asset_id: 'ethereum', quantity: '0.25' }], outputs: [], fees: [{ asset_id: 'ethereum', quantity: await fee(h.send) }] });
    expect(by.get(h.self)).toMatchObject({ type: 'fee', inputs: [{ asset_id: 'ethereum', quantity: await fee(h.self) }], outputs: [], fees: [] });
    expect(by.get(h.tokenIn)).toMatchObject({ type: 'receive', outputs: [{ asset_id: tokenId, asset_symbol: 'TTT', quantity: '1234.567890123456789012' }], fees: [], from_address: A, to_address: W });
    expect(by.get(h.tokenOut)).toMatchObject({
      type: 'send',
      inputs: [{ asset_id: tokenId, quantity: '34.000000000000000001' }],
      fees: [{ asset_id: 'ethereum', quantity: await fee(h.tokenOut) }],
      from_address: W,
      to_address: B,
    });
    const rev = await n.publicClient.getTransactionReceipt({ hash: h.reverted });
    expect(rev.status).toBe('reverted');
    expect(by.get(h.reverted)).toMatchObject({ type: 'fee', status: 'confirmed', inputs: [{ asset_id: 'ethereum', quantity: await fee(h.reverted) }], description: expect.stringMatching(/Reverted/) });
    for (const r of records) {
      const block = await n.publicClient.getBlock({ blockNumber: (await n.publicClient.getTransactionReceipt({ hash: r.tx_hash as Hash })).blockNumber });
      expect(r.timestamp).toBe(new Date(Number(block.timestamp) * 1000).toISOString());
      expect(r.fingerprint).toBe(r.tx_hash);
    }
    // history explains the balances exactly: ETH since the genesis allocation, the token entirely
    const net = implied(records);
    expect(net.get('ethereum')).toBe(fromBaseUnits((await n.publicClient.getBalance({ address: W })) - GENESIS_WEI, 18));
    expect(net.get(tokenId)).toBe('1200.567890123456789011');
    // and an incremental run after the tip returns nothing
    const again = await connector.fetchTransactions({ type: 'wallet', addresses: [W] }, cursor, ctx);
    expect(again).toEqual({ records: [], cursor, done: true });
  });

  it('nets a transaction across all of a wallet’s addresses (W→B inside the wallet is only a fee)', async () => {
    const { records } = await walkHistory(connector, { type: 'wallet', addresses: [W, B.toLowerCase()] }, ctx);
    const by = new Map(records.map((r) => [r.tx_hash, r]));
    const h = s.hashes;
    expect(by.get(h.send)).toMatchObject({ type: 'fee', inputs: [{ asset_id: 'ethereum', quantity: await fee(h.send) }], description: expect.stringMatching(/own addresses/) });
    expect(by.get(h.tokenOut)).toMatchObject({ type: 'fee', inputs: [{ asset_id: 'ethereum', quantity: await fee(h.tokenOut) }] });
    expect(by.get(h.toB)).toMatchObject({ type: 'receive', outputs: [{ asset_id: 'ethereum', quantity: '0.000000000000000777' }] });
    const net = implied(records);
    const [bw, bb] = [await n.publicClient.getBalance({ address: W }), await n.publicClient.getBalance({ address: B })];
    expect(net.get('ethereum')).toBe(fromBaseUnits(bw + bb - 2n * GENESIS_WEI, 18));
    expect(net.get(`ethereum:${s.token.toLowerCase()}`)).toBe('1234.567890123456789012');
    const positions = await connector.fetchBalances({ type: 'wallet', addresses: [W, B] }, ctx);
    expect(positions.find((p) => p.asset_id === 'ethereum')?.quantity).toBe(fromBaseUnits(bw + bb, 18));
    expect(sum([fromBaseUnits(bw, 18), fromBaseUnits(bb, 18)])).toBe(fromBaseUnits(bw + bb, 18));
  });

  it('uses each chain’s native asset id (polygon → POL) and token ids under the chain', async () => {
    const polygon = connectorFor('polygon', endpoints(n.proxy.url))!;
    const positions = await polygon.fetchBalances({ type: 'wallet', addresses: [W] }, ctx);
    expect(positions.map((p) => [p.asset_id, p.asset_symbol])).toEqual([
      ['polygon-ecosystem-token', 'POL'],
      [`polygon:${s.token.toLowerCase()}`, 'TTT'],
    ]);
    expect(EVM_CHAINS.arbitrum!.native.asset_id).toBe('ethereum');
    expect(EVM_CHAINS.bnb!.native.asset_id).toBe('binancecoin');
    expect(EVM_CHAINS.avalanche!.native.asset_id).toBe('avalanche-2');
  });

  it('names TORTIE_RPC_<ID> when no node is configured', async () => {
    const c = connectorFor('base', { rpc: {}, explorer: {}, esplora: null, exchange: {} })!;
    const err = await c.fetchBalances({ type: 'wallet', addresses: [W] }, ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryableConnectorError);
    expect((err as RetryableConnectorError).cause_).toBe('provider_unavailable');
    expect((err as Error).message).toContain('TORTIE_RPC_BASE');
  });
});

// One implementation configured per chain: every EVM provider runs the contract suite against the
// local node (the chain's native asset and token ids differ; the wire format is the same).
for (const chain of ['ethereum', 'polygon', 'arbitrum', 'optimism', 'base', 'bnb', 'avalanche'] as const) {
  runConnectorContract({
    name: `${chain} (anvil node)`,
    setup: async () => {
      const n = await startAnvil();
      await populate(n);
      const connector = evmConnectorFactory(chain, { timeoutMs: 400, blocksPerPage: 3 })({ ...endpoints(n.proxy.url), rpc: { [chain]: n.proxy.url } });
      return {
        connector,
        connection: { type: 'wallet', addresses: [W] },
        badConnection: { type: 'wallet', addresses: [W.replace('70997970C5', '70997970c5')] },
        faults: n.proxy.faults,
        minTransactions: 6,
        minPositions: 2,
        teardown: () => n.stop(),
      };
    },
  });
}
