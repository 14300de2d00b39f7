/**
 * The Bitcoin connector against a local Esplora stand-in answering from hand-chosen transactions in
 * Esplora's documented format (test/fixtures/bitcoin/README.md): single-address and zpub wallets,
 * multi-page history, net effects across the wallet's addresses, gap limit, incremental cursors.
 */
import type { Connection } from '../../src/connectors/connector.js';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bitcoinConnectorFactory } from '../../src/connectors/bitcoin/index.js';
import { deriveAddress, parseBitcoinAddress, parseExtendedKey } from '../../src/connectors/bitcoin/bitcoin.keys.js';
import type { EsploraTx } from '../../src/connectors/bitcoin/bitcoin.types.js';
import { PermanentConnectorError, RetryableConnectorError, type Connector, type SourceTransaction } from '../../src/connectors/connector.js';
import { connectorFor } from '../../src/connectors/registry.js';
import { TestClock } from '../../src/lib/clock.js';
import { add, fromBaseUnits, neg } from '../../src/lib/decimal.js';
import { startChainServer, type ChainReply, type ChainRequest, type ChainServer } from './chain-server.js';
import { runConnectorContract, walkHistory } from './contract.js';

interface Fixture {
  tip_height: number;
  single_address: string;
  zpub_receive: string[];
  zpub_change: string[];
  txs: EsploraTx[];
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/bitcoin/txs.json', import.meta.url), 'utf8')) as Fixture;
const ZPUB = 'zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcvPhXNfE3EfH1r1ADqtfSdVCToUG868RvUUkgDKf31mGDtKsAYz2oz2AGutZYs';
const SINGLE = fixture.single_address;
const ctx = { clock: new TestClock(Date.parse('2026-11-01T00:00:00.000Z')) };

/** Esplora's answers, computed from a set of transactions the way Esplora computes them. */
function esplora(txs: EsploraTx[], tip: number) {
  const touches = (t: EsploraTx, a: string) => t.vin.some((i) => i.prevout?.scriptpubkey_address === a) || t.vout.some((o) => o.scriptpubkey_address === a);
  const stats = (list: EsploraTx[], a: string) => {
    let funded_txo_count = 0, funded_txo_sum = 0, spent_txo_count = 0, spent_txo_sum = 0;
    for (const t of list) {
      for (const o of t.vout) if (o.scriptpubkey_address === a) (funded_txo_count++, (funded_txo_sum += o.value));
      for (const i of t.vin) if (i.prevout?.scriptpubkey_address === a) (spent_txo_count++, (spent_txo_sum += i.prevout.value));
    }
    return { funded_txo_count, funded_txo_sum, spent_txo_count, spent_txo_sum, tx_count: list.length };
  };
  return (req: ChainRequest): ChainReply => {
    if (req.path === '/blocks/tip/height') return { text: String(tip) };
    const tx = /^\/tx\/([0-9a-f]{64})$/.exec(req.path);
    if (tx) {
      const t = txs.find((x) => x.txid === tx[1]);
      return t ? { json: t } : { status: 404, text: 'Transaction not found' };
    }
    const m = /^\/address\/([^/]+)(\/txs(?:\/chain(?:\/([0-9a-f]{64}))?)?)?$/.exec(req.path);
    if (!m) return { status: 404, text: 'Not Found' };
    const a = decodeURIComponent(m[1]!);
    if (!parseBitcoinAddress(a)) return { status: 400, text: 'Invalid Bitcoin address' };
    const mine = txs.filter((t) => touches(t, a));
    const confirmed = mine.filter((t) => t.status.confirmed).sort((x, y) => y.status.block_height! - x.status.block_height!);
    const mempool = mine.filter((t) => !t.status.confirmed);
    if (!m[2]) return { json: { address: a, chain_stats: stats(confirmed, a), mempool_stats: stats(mempool, a) } };
    if (m[2] === '/txs') return { json: [...mempool.slice(0, 50), ...confirmed.slice(0, 25)] };
    const after = m[3] ? confirmed.findIndex((t) => t.txid === m[3]) + 1 : 0;
    return { json: confirmed.slice(after, after + 25) };
  };
}

function implied(records: SourceTransaction[]): string {
  let n = '0';
  for (const r of records) {
    for (const x of r.outputs) n = add(n, x.quantity);
    for (const x of [...r.inputs, ...r.fees]) n = add(n, neg(x.quantity));
  }
  return n;
}
const sats = (n: number) => fromBaseUnits(BigInt(n), 8);

describe('Bitcoin connector over Esplora', () => {
  let server: ChainServer;
  let txs: EsploraTx[];
  let connector: Connector;
  beforeAll(async () => {
    txs = structuredClone(fixture.txs);
    const answer = esplora(txs, fixture.tip_height);
    server = await startChainServer((r) => answer(r));
    connector = bitcoinConnectorFactory({ timeoutMs: 500 })({ rpc: {}, explorer: {}, esplora: server.url, exchange: {} });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('derives BIP44/49/84 addresses from xpub, ypub and zpub (the BIPs’ own test vectors)', () => {
    const z = parseExtendedKey(ZPUB)!;
    expect(z.kind).toBe('p2wpkh');
    expect(deriveAddress(z, 0, 0)).toBe('bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu');
    expect(deriveAddress(z, 0, 1)).toBe('bc1qnjg0jd8228aq7egyzacy8cys3knf9xvrerkf9g');
    expect(deriveAddress(z, 1, 0)).toBe('bc1q8c6fshw2dlwun7ekn9qwf37cu2rn755upcp6el');
    const y = parseExtendedKey('ypub6Ww3ibxVfGzLrAH1PNcjyAWenMTbbAosGNB6VvmSEgytSER9azLDWCxoJwW7Ke7icmizBMXrzBx9979FfaHxHcrArf3zbeJJJUZPf663zsP')!;
    expect(deriveAddress(y, 0, 0)).toBe('37VucYSaXLCAsxYyAPfbSi9eh4iEcbShgf');
    const x = parseExtendedKey('xpub6BosfCnifzxcFwrSzQiqu2DBVTshkCXacvNsWGYJVVhhawA7d4R5WSWGFNbi8Aw6ZRc1brxMyWMzG3DSSSSoekkudhUd9yLb6qx39T9nMdj')!;
    expect(deriveAddress(x, 0, 0)).toBe('1LqBGSKuX5yYUonjxT5qGfpUsXKYYWeabA');
  });

  it('refuses bad checksums, testnet and private keys as invalid_credentials', async () => {
    for (const bad of [
      { addresses: ['bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyv'] },
      { addresses: ['1LqBGSKuX5yYUonjxT5qGfpUsXKYYWeabB'] },
      { addresses: ['tb1qcr8te4kr609gcawutmrza0j4xv80jy8zeqchgx'] },
      { addresses: ['bc1qCR8te4kr609gcawutmrza0j4xv80jy8z306fyu'] },
      { xpub: 'xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi' },
      { xpub: ZPUB.slice(0, -1) + 't' },
      {},
    ]) {
      const err = await connector.validate({ type: 'wallet', ...bad }, ctx).catch((e: unknown) => e);
      expect(err, JSON.stringify(bad)).toBeInstanceOf(PermanentConnectorError);
      expect((err as PermanentConnectorError).cause_).toBe('invalid_credentials');
    }
    await expect(connector.validate({ type: 'wallet', addresses: ['37VucYSaXLCAsxYyAPfbSi9eh4iEcbShgf', 'BC1QCR8TE4KR609GCAWUTMRZA0J4XV80JY8Z306FYU'] }, ctx)).resolves.toBeUndefined();
  });

  it('walks a single address in pages of 25, netting sends with change and payments to itself', async () => {
    const pages: number[] = [];
    let cursor: Record<string, unknown> | null = null;
    const records: SourceTransaction[] = [];
    for (;;) {
      const p = await connector.fetchTransactions({ type: 'wallet', addresses: [SINGLE] }, cursor, ctx);
      pages.push(p.records.length);
      records.push(...p.records);
      cursor = JSON.parse(JSON.stringify(p.cursor)) as Record<string, unknown>;
      if (p.done) break;
    }
    expect(pages).toEqual([25, 5]);
    expect(records.filter((r) => r.type === 'receive')).toHaveLength(28);
    const send = records.find((r) => r.type === 'send')!;
    expect(send).toMatchObject({ inputs: [{ asset_id: 'bitcoin', asset_symbol: 'BTC', quantity: '0.0015' }], fees: [{ asset_id: 'bitcoin', quantity: '0.0000282' }], from_address: SINGLE, timestamp: '2023-07-24T23:06:40.000Z' });
    const self = records.find((r) => r.type === 'fee')!;
    expect(self).toMatchObject({ inputs: [{ quantity: '0.0000141' }], outputs: [], fees: [], to_address: SINGLE });
    expect(records.some((r) => r.outputs.some((o) => o.quantity === sats(5_000)))).toBe(false); // the unconfirmed one
    // the history explains the confirmed balance to the satoshi
    const [balance] = await connector.fetchBalances({ type: 'wallet', addresses: [SINGLE] }, ctx);
    const expected = 28 * 50_000 + 12_345 * (27 * 28) / 2 - 150_000 - 2_820 - 1_410;
    expect(balance).toMatchObject({ asset_id: 'bitcoin', asset_symbol: 'BTC', quantity: sats(expected) });
    expect(implied(records)).toBe(balance!.quantity);

    // incremental: nothing new, then exactly the one transaction that confirmed since
    expect((await walkHistory(connector, { type: 'wallet', addresses: [SINGLE] }, ctx, cursor)).records).toEqual([]);
    const fresh = structuredClone(txs.find((t) => t.vout[0]!.scriptpubkey_address === SINGLE && t.status.confirmed)!);
    fresh.txid = 'f'.repeat(64);
    fresh.status = { confirmed: true, block_height: fixture.tip_height, block_hash: '0'.repeat(64), block_time: 1_780_000_000 };
    txs.push(fresh);
    try {
      const again = await walkHistory(connector, { type: 'wallet', addresses: [SINGLE] }, ctx, cursor);
      expect(again.records.map((r) => r.tx_hash)).toEqual([fresh.txid]);
    } finally {
      txs.pop();
    }
  });

  it('derives a zpub wallet with gap limit 20 and reports each transaction once, netted across its addresses', async () => {
    const before = server.requests.length;
    const z = bitcoinConnectorFactory({ timeoutMs: 500 })({ rpc: {}, explorer: {}, esplora: server.url, exchange: {} });
    const { records } = await walkHistory(z, { type: 'wallet', xpub: ZPUB }, ctx);
    const asked = new Set(server.requests.slice(before).map((r) => r.path));
    const r31 = fixture.zpub_receive[4]!;
    expect(asked.has(`/address/${deriveAddress(parseExtendedKey(ZPUB)!, 0, 30)}`)).toBe(true); // 20 past the last used (0/10)
    expect(asked.has(`/address/${r31}`)).toBe(false); // beyond the gap
    expect(asked.has(`/address/${deriveAddress(parseExtendedKey(ZPUB)!, 1, 20)}`)).toBe(true);
    expect(asked.has(`/address/${deriveAddress(parseExtendedKey(ZPUB)!, 1, 21)}`)).toBe(false);
    const summary = records.map((r) => [r.type, r.inputs.map((m) => m.quantity), r.outputs.map((m) => m.quantity), r.fees.map((m) => m.quantity)]).sort();
    expect(summary).toEqual(
      [
        ['receive', [], ['0.001'], []],
        ['receive', [], ['0.0005'], []],
        ['send', ['0.0012'], [], ['0.0000141']],
        ['fee', ['0.0000141'], [], []],
        ['receive', [], ['0.00033333'], []],
        ['mining', [], ['3.125'], []],
      ].sort(),
    );
    expect(new Set(records.map((r) => r.fingerprint)).size).toBe(6);
    const [balance] = await z.fetchBalances({ type: 'wallet', xpub: ZPUB }, ctx);
    expect(balance!.quantity).toBe(sats(27_180 + 312_500_000 + 33_333));
    expect(implied(records)).toBe(balance!.quantity);
  });

  it('names TORTIE_ESPLORA_BITCOIN when it is not configured', async () => {
    const c = connectorFor('bitcoin', { rpc: {}, explorer: {}, esplora: null, exchange: {} })!;
    const err = await c.fetchBalances({ type: 'wallet', addresses: [SINGLE] }, ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryableConnectorError);
    expect((err as Error).message).toContain('TORTIE_ESPLORA_BITCOIN');
  });
});

const CONTRACT_CASES: [string, Connection, number][] = [
  ['bitcoin (single address, Esplora)', { type: 'wallet', addresses: [SINGLE] }, 30],
  ['bitcoin (zpub, Esplora)', { type: 'wallet', xpub: ZPUB }, 6],
];
for (const [name, connection, min] of CONTRACT_CASES) {
  runConnectorContract({
    name,
    setup: async () => {
      const answer = esplora(structuredClone(fixture.txs), fixture.tip_height);
      const server = await startChainServer((r) => answer(r));
      return {
        connector: bitcoinConnectorFactory({ timeoutMs: 400 })({ rpc: {}, explorer: {}, esplora: server.url, exchange: {} }),
        connection,
        badConnection: { type: 'wallet', addresses: ['bc1q7zwtzcqsm3k43ha0ac7nl8cz0hqrhckywf6sex'] },
        faults: server.faults,
        minTransactions: min,
        teardown: () => server.close(),
      };
    },
  });
}
