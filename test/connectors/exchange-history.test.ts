/**
 * Exchange connector behaviour beyond the shared contract: the URLs ccxt builds through our client
 * match ccxt's recorded requests; Binance's 90-day windows walk back past empty windows and resume
 * from the cursor; Kraken's ledger pages by offset; sub-wallets merge exactly; keys that can trade
 * are refused; trades map to exact legs and fees.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PermanentConnectorError } from '../../src/connectors/connector.js';
import { ExchangeClient } from '../../src/connectors/exchange/exchange.client.js';
import { TestClock } from '../../src/lib/clock.js';
import { walkHistory } from './contract.js';
import { Reply, handWritten, marketsOf } from './exchange-server.js';
import { EXCHANGE_ROUTES, exchangeFixture, type ExchangeFixture } from './exchange-setups.js';

const requestCases = (id: string) =>
  (JSON.parse(readFileSync(new URL(`../../../shared/fixtures/ccxt/request/${id}.json`, import.meta.url), 'utf8')) as {
    methods: Record<string, { input: unknown[]; url: string; output?: string | null }[]>;
  }).methods;
const VOLATILE = new Set(['timestamp', 'signature', 'nonce', 'recvWindow']);
const stable = (q: URLSearchParams) => [...q].filter(([k]) => !VOLATILE.has(k)).sort();

describe('requests ccxt builds through our client match the recorded ones', () => {
  const cases: [string, string, number][] = [
    ['binance', 'fetchMyTrades', 0],
    ['binance', 'fetchDeposits', 0],
    ['binance', 'fetchWithdrawals', 0],
    ['kraken', 'fetchLedger', 0],
    ['kraken', 'fetchMyTrades', 0],
    ['okx', 'fetchLedger', 0],
    ['okx', 'fetchDeposits', 0],
  ];
  for (const [id, method, index] of cases) {
    it(`${id} ${method}[${index}]`, async () => {
      const f = await exchangeFixture(id);
      try {
        const rec = requestCases(id)[method]![index]!;
        const client = await ExchangeClient.create({ ccxtId: id, baseUrl: f.server.url, timeoutMs: 1000, ...marketsOf(id) }, { apiKey: 'k', secret: 'c2VjcmV0', password: 'p' }, () => 0);
        const fn = (client as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[method]!;
        const [a, b, c, d] = rec.input;
        await fn.call(client, a ?? undefined, b ?? undefined, c ?? undefined, d ?? {}).catch(() => undefined);
        const want = new URL(rec.url);
        const got = f.server.requests.at(-1)!;
        expect(got.path).toBe(want.pathname);
        expect(stable(got.query)).toEqual(stable(want.searchParams));
        if (rec.output) expect(stable(new URLSearchParams(got.body))).toEqual(stable(new URLSearchParams(rec.output)));
      } finally {
        await f.server.close();
      }
    });
  }
});

describe('binance history', () => {
  let f: ExchangeFixture;
  const clock = new TestClock(Date.parse('2026-11-01T00:00:00.000Z'));
  beforeAll(async () => {
    f = await exchangeFixture('binance');
  });
  afterAll(() => f.server.close());

  it('walks deposits back in 90-day windows to 2017 without stopping on empty windows, then resumes from the cursor', async () => {
    const first = await walkHistory(f.connector, f.connection, { clock });
    const deposits = f.server.requests.filter((r) => r.path === '/sapi/v1/capital/deposit/hisrec');
    // contiguous windows, newest first, each at most 90 days, down to July 2017
    for (let i = 0; i < deposits.length; i++) {
      const start = Number(deposits[i]!.query.get('startTime'));
      const end = Number(deposits[i]!.query.get('endTime'));
      expect(end - start).toBeLessThanOrEqual(90 * 86_400_000);
      if (i > 0) expect(end).toBe(Number(deposits[i - 1]!.query.get('startTime')) - 1);
    }
    expect(Number(deposits.at(-1)!.query.get('startTime'))).toBe(Date.UTC(2017, 6, 1));
    expect(deposits.length).toBeGreaterThan(35);
    const ids = first.records.filter((r) => r.type === 'receive').map((r) => r.provider_transaction_id).sort();
    expect(ids).toEqual(['4534543435', '769800519366885376', '769800519366885377']);

    const trade = first.records.find((r) => r.fingerprint === 'trade:LTC/USDT:309520010');
    expect(trade).toMatchObject({
      type: 'trade',
      timestamp: '2023-10-24T09:16:32.358Z',
      inputs: [{ asset_id: 'litecoin', asset_symbol: 'LTC', quantity: '0.2' }],
      outputs: [{ asset_id: 'ethereum:0xdac17f958d2ee523a2206206994597c13d831ec7', asset_symbol: 'USDT', quantity: '13.926' }],
      fees: [{ asset_id: 'ethereum:0xdac17f958d2ee523a2206206994597c13d831ec7', quantity: '0.013926' }],
    });
    const withdrawal = first.records.find((r) => r.type === 'send')!;
    expect(withdrawal).toMatchObject({ inputs: [{ quantity: '9' }], fees: [{ quantity: '1' }], tx_hash: 'FDSJHFKDSHFJ4KR5H4KJH3454JHK' });

    // ten days later: only the windows since the last walk began (less one day of overlap)
    f.server.requests.length = 0;
    clock.advance(10 * 86_400_000);
    await walkHistory(f.connector, f.connection, { clock }, first.cursor);
    const again = f.server.requests.filter((r) => r.path === '/sapi/v1/capital/deposit/hisrec');
    expect(again).toHaveLength(1);
    expect(Number(again[0]!.query.get('startTime'))).toBe(Date.parse('2026-10-31T00:00:00.000Z'));
    // trades continue from the next trade id
    const trades = f.server.requests.filter((r) => r.path === '/api/v3/myTrades' && r.query.get('symbol') === 'LTCUSDT');
    expect(trades[0]!.query.get('fromId')).toBe('309520011');
  });

  it('merges the spot and funding wallets per asset, exactly', async () => {
    const positions = await f.connector.fetchBalances(f.connection, { clock });
    const usdt = positions.find((p) => p.asset_symbol === 'USDT')!;
    expect(usdt.raw).toMatchObject({ wallets: { funding: '1' } });
    const btc = positions.find((p) => p.asset_id === 'bitcoin');
    expect(btc?.quantity.endsWith('000000000000000001') || btc?.quantity === '0.000000000000000001').toBe(true);
  });

  it('refuses a key that can trade or withdraw, saying so', async () => {
    const route = EXCHANGE_ROUTES['binance']!.routes.find((r) => r.path === '/sapi/v1/account/apiRestrictions')!;
    const original = route.respond;
    route.respond = () => handWritten('binance', 'apiRestrictions', 'trading key');
    try {
      const err = await f.connector.validate(f.connection, { clock }).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(PermanentConnectorError);
      expect(err).toMatchObject({ cause_: 'invalid_credentials', message: expect.stringContaining('can trade and withdraw') });
    } finally {
      route.respond = original;
    }
  });
});

describe('kraken', () => {
  it('pages the ledger by offset, 50 at a time, and keeps only rewards', async () => {
    const route = EXCHANGE_ROUTES['kraken']!.routes.find((r) => r.path === '/0/private/Ledgers')!;
    const original = route.respond;
    // 120 staking rewards built from the documented ledger row, newest first
    const all = Array.from({ length: 120 }, (_, i) => [`L${String(1000 + i)}-STAKE-REWARD`, { refid: `R${i}`, time: 1700000000 - i * 3600, type: 'staking', subtype: '', aclass: 'currency', asset: 'DOT.S', amount: '0.0000000001', fee: '0', balance: '1' }] as const);
    route.respond = (r) => {
      const ofs = Number(new URLSearchParams(r.body).get('ofs') ?? 0);
      return { error: [], result: { ledger: Object.fromEntries(all.slice(ofs, ofs + 50)), count: all.length } };
    };
    const f = await exchangeFixture('kraken');
    try {
      const { records } = await walkHistory(f.connector, f.connection, { clock: new TestClock() });
      const rewards = records.filter((r) => r.type === 'staking_reward');
      expect(rewards).toHaveLength(120);
      expect(rewards[0]!.outputs).toEqual([{ asset_id: 'polkadot', asset_symbol: 'DOT', quantity: '0.0000000001' }]);
      const offsets = f.server.requests.filter((r) => r.path === '/0/private/Ledgers').map((r) => new URLSearchParams(r.body).get('ofs'));
      expect(offsets).toEqual(['0', '50', '100']);
    } finally {
      route.respond = original;
      await f.server.close();
    }
  });

  it('merges staked balances into their asset and keeps every digit', async () => {
    const f = await exchangeFixture('kraken');
    try {
      const positions = await f.connector.fetchBalances(f.connection, { clock: new TestClock() });
      expect(positions.find((p) => p.asset_id === 'polkadot')).toMatchObject({ quantity: '12.5', raw: { wallets: { spot: '10', 'spot:DOT.S': '2.5' } } });
      expect(positions.find((p) => p.asset_id === 'ethereum')!.quantity).toBe('0.1234567890123456789');
      expect(positions.find((p) => p.asset_symbol === 'FLOW' || p.asset_id.startsWith('kraken:'))).toBeDefined();
    } finally {
      await f.server.close();
    }
  });

  it('maps a bad key to invalid_credentials (Kraken answers 200 with EAPI:Invalid key)', async () => {
    expect(EXCHANGE_ROUTES['kraken']!.authError).toBeInstanceOf(Reply);
    const f = await exchangeFixture('kraken');
    try {
      const err = await f.connector.validate(f.badConnection, { clock: new TestClock() }).then(() => null, (e: unknown) => e);
      expect(err).toMatchObject({ cause_: 'invalid_credentials' });
    } finally {
      await f.server.close();
    }
  });
});
