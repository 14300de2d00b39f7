/**
 * Enterprise stats (SPEC §5.9–12) against hand-built data: every expected figure is recomputed in
 * the test from the raw records it wrote (with exact decimals), never copied from the API.
 */
import { describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { forEachDialect, type TestEnv } from './support/harness.js';
import { seedAccount, seedPrice, seedUser, tx } from './support/seed.js';
import type { PositionRecord, TransactionRecord } from '../src/domain/records.js';
import { TRADE_TYPES } from '../src/domain/transactions.js';
import { DAY_MS, isoOf } from '../src/lib/clock.js';
import { DecimalSum, abs, cmp, isPositive, mul } from '../src/lib/decimal.js';
import { StatsCounters } from '../src/repositories/stats-counters.js';

const NOW = Date.parse('2026-06-15T12:00:00.000Z');
const BTC = 'bitcoin';
const ETH = 'ethereum';
const USDC = 'ethereum:0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48';
const FOO = 'kraken:XFOO'; // never priced
const PRICES: Record<string, string> = {
  [BTC]: '65432.123456789012345678',
  [ETH]: '3456.789012345678901234',
  [USDC]: '0.999912345678901234',
};
/** USD → EUR, so EUR prices are products (never quotients). */
const USD_EUR = '0.912345678901234567';

type AccountStatus = 'active' | 'syncing' | 'error' | 'disconnected';

interface SeededAccount {
  providerId: string;
  status: AccountStatus;
  positions: PositionRecord[];
  transactions: TransactionRecord[];
}

interface SeededUser {
  id: string;
  deactivated: boolean;
  erased: boolean;
  consentedAt: string;
  accounts: SeededAccount[];
}

const pos = (asset_id: string, asset_symbol: string, quantity: string): PositionRecord => ({ asset_id, asset_symbol, quantity });
const mv = (asset_id: string, asset_symbol: string, quantity: string, value: string | null) => ({ asset_id, asset_symbol, quantity, value });

interface UserPlan {
  deactivated?: boolean;
  erased?: boolean;
  consentedAt?: string;
  accounts: { providerId: string; status?: AccountStatus; positions?: PositionRecord[]; transactions?: TransactionRecord[] }[];
}

async function seedPlan(t: TestEnv, enterpriseId: string, plan: UserPlan[]): Promise<SeededUser[]> {
  const out: SeededUser[] = [];
  for (const p of plan) {
    const consentedAt = p.consentedAt ?? isoOf(t.clock.now());
    const id = await seedUser(t.deps, enterpriseId, { consentedAt, deactivatedOn: p.deactivated ? '2026-06-01' : null });
    const accounts: SeededAccount[] = [];
    for (const a of p.accounts) {
      const status = a.status ?? (p.deactivated ? 'disconnected' : 'active');
      await seedAccount(t.deps, enterpriseId, id, { providerId: a.providerId, status, positions: a.positions ?? [], transactions: a.transactions ?? [] });
      accounts.push({ providerId: a.providerId, status, positions: a.positions ?? [], transactions: a.transactions ?? [] });
    }
    if (p.erased) {
      // what erasure leaves: a tombstone (the purge of its data is not this suite's concern, so
      // the rows left behind also prove the stats ignore an erased user's leftovers), counted out
      // of the stats counters as the repositories do
      const counters = new StatsCounters(t.deps.ctx);
      await t.deps.ctx.db.transaction().execute((trx) =>
        counters.track(trx, enterpriseId, [id], () =>
          trx.updateTable('users').set({ erased_at: isoOf(t.clock.now()), email: null, email_lower: null, full_name: null }).where('id', '=', id).execute(),
        ),
      );
    }
    out.push({ id, deactivated: !!p.deactivated, erased: !!p.erased, consentedAt, accounts });
  }
  return out;
}

const active = (users: SeededUser[]) => users.filter((u) => !u.deactivated && !u.erased);

async function seedPrices(t: TestEnv): Promise<void> {
  for (const [asset, price] of Object.entries(PRICES)) await seedPrice(t.deps, asset, 'USD', '2026-06-15T00:00:00.000Z', price);
  await seedPrice(t.deps, 'fiat:USD', 'EUR', '2026-06-15T00:00:00.000Z', USD_EUR);
}

function get(t: TestEnv, token: string, url: string): Promise<LightMyRequestResponse> {
  return t.call(token, { method: 'GET', url });
}

function expectBadRequest(res: LightMyRequestResponse, field: string): void {
  expect(res.statusCode).toBe(400);
  expect(res.json()).toEqual({ errors: [{ cause: 'bad_request', message: expect.any(String), field }] });
}

// ---------------------------------------------------------------------------------------------
// The data set used by the users, accounts and balance stats.

function holdingsPlan(): UserPlan[] {
  return [
    // active, consented now, three accounts (one in error: last-known values count)
    {
      accounts: [
        { providerId: 'sandbox-exchange', positions: [pos(BTC, 'BTC', '0.123456789012345678'), pos(ETH, 'ETH', '1.000000000000000001')] },
        { providerId: 'sandbox-exchange', positions: [pos(BTC, 'BTC', '0.000000000000000001')] },
        { providerId: 'coinbase', status: 'error', positions: [pos(ETH, 'ETH', '2.5'), pos(FOO, 'XFOO', '10')] },
      ],
    },
    // active, consented 26 days ago; a zero position (not a holder)
    {
      consentedAt: '2026-05-20T08:00:00.000Z',
      accounts: [
        { providerId: 'sandbox-exchange', status: 'syncing', positions: [pos(BTC, 'BTC', '0.1'), pos(ETH, 'ETH', '0'), pos(USDC, 'USDC', '1234.567891')] },
        { providerId: 'ethereum', positions: [pos(ETH, 'ETH', '0.333333333333333333')] },
      ],
    },
    // active, no account, consented long ago
    { consentedAt: '2026-01-01T00:00:00.000Z', accounts: [] },
    // deactivated, recent consent: counted in total, deactivated and new_last_30_days only
    { deactivated: true, consentedAt: '2026-06-10T00:00:00.000Z', accounts: [{ providerId: 'coinbase', positions: [pos(BTC, 'BTC', '5')] }] },
    // active, consented 30 days and 1 ms ago, only a disconnected account (its last-known positions count)
    {
      consentedAt: isoOf(NOW - 30 * DAY_MS - 1),
      accounts: [{ providerId: 'kraken', status: 'disconnected', positions: [pos(FOO, 'XFOO', '3'), pos(BTC, 'BTC', '0.05')] }],
    },
    // consented exactly 30 days ago: still new; a short (negative) position subtracts and holds nothing
    { consentedAt: isoOf(NOW - 30 * DAY_MS), accounts: [{ providerId: 'kraken', status: 'error', positions: [pos(ETH, 'ETH', '0.000000000000000007'), pos(BTC, 'BTC', '-0.01')] }] },
    // erased: in no stat
    { erased: true, accounts: [{ providerId: 'binance', positions: [pos(BTC, 'BTC', '100')] }] },
  ];
}

/** The other tenant: present in every test, never counted. */
function otherTenantPlan(): UserPlan[] {
  return [
    {
      accounts: [
        {
          providerId: 'coinbase',
          positions: [pos(BTC, 'BTC', '42'), pos(FOO, 'XFOO', '1')],
          transactions: [tx({ type: 'buy', timestamp: '2026-06-10T10:00:00.000Z', inputs: [mv('fiat:USD', 'USD', '1000000', '1000000')], outputs: [mv(BTC, 'BTC', '15', '1000000')] })],
        },
      ],
    },
  ];
}

/** The figures SPEC §5.11 defines, from the raw positions; a holder has a position of quantity > 0. */
function expectedBalance(users: SeededUser[], currency: string, providerIds?: string[]) {
  const price = (asset: string): string | null => {
    const usd = PRICES[asset];
    if (!usd) return null;
    return currency === 'USD' ? usd : mul(usd, USD_EUR);
  };
  const perAsset = new Map<string, { symbol: string; quantity: DecimalSum; holders: Set<string> }>();
  for (const u of active(users)) {
    for (const a of u.accounts) {
      if (providerIds && !providerIds.includes(a.providerId)) continue;
      for (const p of a.positions) {
        let g = perAsset.get(p.asset_id);
        if (!g) perAsset.set(p.asset_id, (g = { symbol: p.asset_symbol, quantity: new DecimalSum(), holders: new Set() }));
        g.quantity.add(p.quantity);
        if (isPositive(p.quantity)) g.holders.add(u.id);
      }
    }
  }
  const assets = [...perAsset].map(([asset_id, g]) => {
    const p = price(asset_id);
    const quantity = g.quantity.value();
    return {
      asset_id,
      asset_symbol: g.symbol,
      quantity,
      value: p === null ? null : { amount: mul(quantity, p), currency },
      holders: g.holders.size,
    };
  });
  assets.sort((x, y) => {
    if (x.value && y.value) return cmp(y.value.amount, x.value.amount) || (x.asset_id < y.asset_id ? -1 : 1);
    if (x.value || y.value) return x.value ? -1 : 1;
    return x.asset_id < y.asset_id ? -1 : 1;
  });
  // the sum of every active user's total value, position by position (SPEC §5.4's total_value)
  const total = new DecimalSum();
  for (const u of active(users)) {
    for (const a of u.accounts) {
      if (providerIds && !providerIds.includes(a.providerId)) continue;
      for (const p of a.positions) {
        const pr = price(p.asset_id);
        if (pr !== null) total.add(mul(p.quantity, pr));
      }
    }
  }
  return { total_value: { amount: total.value(), currency }, unpriced_assets: assets.filter((a) => !a.value).length, assets };
}

describe('GET /enterprise/v2/stats/users, /stats/accounts, /stats/balance', () => {
  forEachDialect((env) => {
    it('counts users exactly as SPEC §5.9 defines, ignoring erased users and other tenants', async () => {
      const t = env();
      t.clock.set(NOW);
      const e = await t.newEnterprise();
      const other = await t.newEnterprise('Other');
      const users = await seedPlan(t, e.enterpriseId, holdingsPlan());
      await seedPlan(t, other.enterpriseId, otherTenantPlan());

      const kept = users.filter((u) => !u.erased);
      const expected = {
        total: kept.length,
        active: kept.filter((u) => !u.deactivated).length,
        deactivated: kept.filter((u) => u.deactivated).length,
        with_accounts: active(users).filter((u) => u.accounts.some((a) => a.status !== 'disconnected')).length,
        new_last_30_days: kept.filter((u) => Date.parse(u.consentedAt) >= NOW - 30 * DAY_MS && Date.parse(u.consentedAt) <= NOW).length,
      };
      expect(expected).toEqual({ total: 6, active: 5, deactivated: 1, with_accounts: 3, new_last_30_days: 4 });
      const res = await get(t, e.token, '/enterprise/v2/stats/users');
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ data: expected });

      const res2 = await get(t, other.token, '/enterprise/v2/stats/users');
      expect(res2.json()).toEqual({ data: { total: 1, active: 1, deactivated: 0, with_accounts: 1, new_last_30_days: 1 } });
    });

    it('counts accounts of active users by provider, most accounts first then provider_id', async () => {
      const t = env();
      t.clock.set(NOW);
      const e = await t.newEnterprise();
      const other = await t.newEnterprise('Other');
      const users = await seedPlan(t, e.enterpriseId, holdingsPlan());
      await seedPlan(t, other.enterpriseId, otherTenantPlan());

      const byProvider = new Map<string, { accounts: number; users: Set<string> }>();
      for (const u of active(users)) {
        for (const a of u.accounts) {
          const g = byProvider.get(a.providerId) ?? { accounts: 0, users: new Set<string>() };
          g.accounts++;
          g.users.add(u.id);
          byProvider.set(a.providerId, g);
        }
      }
      const names: Record<string, string> = { 'sandbox-exchange': 'Sandbox Exchange', coinbase: 'Coinbase', kraken: 'Kraken', ethereum: 'Ethereum' };
      const providers = [...byProvider]
        .map(([provider_id, g]) => ({ provider_id, name: names[provider_id], accounts: g.accounts, users: g.users.size }))
        .sort((a, b) => b.accounts - a.accounts || (a.provider_id < b.provider_id ? -1 : 1));
      const res = await get(t, e.token, '/enterprise/v2/stats/accounts');
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ data: { total: providers.reduce((n, p) => n + p.accounts, 0), providers } });
      expect(res.json().data.providers.map((p: { provider_id: string }) => p.provider_id)).toEqual(['sandbox-exchange', 'kraken', 'coinbase', 'ethereum']);
      expect(res.json().data.total).toBe(7);
    });

    it('balances every active user position exactly: total_value is the exact sum of active users’ totals', async () => {
      const t = env();
      t.clock.set(NOW);
      await seedPrices(t);
      const e = await t.newEnterprise();
      const other = await t.newEnterprise('Other');
      const users = await seedPlan(t, e.enterpriseId, holdingsPlan());
      await seedPlan(t, other.enterpriseId, otherTenantPlan());

      const res = await get(t, e.token, '/enterprise/v2/stats/balance');
      expect(res.statusCode).toBe(200);
      const expected = expectedBalance(users, 'USD');
      expect(res.json()).toEqual({ data: { ...expected, as_of: isoOf(NOW) } });
      // the data set is built so that float arithmetic cannot pass
      expect(expected.assets.map((a) => a.asset_id)).toEqual([BTC, ETH, USDC, FOO]);
      const body = res.json().data;
      expect(body.assets.find((a: { asset_id: string }) => a.asset_id === BTC)).toEqual({
        asset_id: BTC,
        asset_symbol: 'BTC',
        quantity: '0.263456789012345679',
        value: { amount: mul('0.263456789012345679', PRICES[BTC]!), currency: 'USD' },
        holders: 3,
      });
      expect(body.assets.find((a: { asset_id: string }) => a.asset_id === ETH).holders).toBe(3); // the zero position holds nothing
      expect(body.assets.find((a: { asset_id: string }) => a.asset_id === FOO)).toEqual({ asset_id: FOO, asset_symbol: 'XFOO', quantity: '13', value: null, holders: 2 });
      expect(body.unpriced_assets).toBe(1);
      const floatTotal = body.assets.reduce((s: number, a: { value: { amount: string } | null }) => s + (a.value ? Number(a.value.amount) : 0), 0);
      expect(String(floatTotal)).not.toBe(body.total_value.amount);
    });

    it('balances in another currency and for some providers only', async () => {
      const t = env();
      t.clock.set(NOW);
      await seedPrices(t);
      const e = await t.newEnterprise();
      const users = await seedPlan(t, e.enterpriseId, holdingsPlan());

      const eur = await get(t, e.token, '/enterprise/v2/stats/balance?currency=eur');
      expect(eur.statusCode).toBe(200);
      expect(eur.json()).toEqual({ data: { ...expectedBalance(users, 'EUR'), as_of: isoOf(NOW) } });

      const some = await get(t, e.token, '/enterprise/v2/stats/balance?provider_ids=coinbase,kraken&provider_ids=nope');
      expect(some.statusCode).toBe(200);
      const expected = expectedBalance(users, 'USD', ['coinbase', 'kraken']);
      expect(some.json()).toEqual({ data: { ...expected, as_of: isoOf(NOW) } });
      expect(expected.assets.map((a) => a.asset_id)).toEqual([ETH, BTC, FOO]);
    });

    it('answers zeros and empty lists for an enterprise without data', async () => {
      const t = env();
      t.clock.set(NOW);
      const e = await t.newEnterprise();
      expect((await get(t, e.token, '/enterprise/v2/stats/users')).json()).toEqual({ data: { total: 0, active: 0, deactivated: 0, with_accounts: 0, new_last_30_days: 0 } });
      expect((await get(t, e.token, '/enterprise/v2/stats/accounts')).json()).toEqual({ data: { total: 0, providers: [] } });
      expect((await get(t, e.token, '/enterprise/v2/stats/balance')).json()).toEqual({ data: { total_value: { amount: '0', currency: 'USD' }, unpriced_assets: 0, assets: [], as_of: isoOf(NOW) } });
      expect((await get(t, e.token, '/enterprise/v2/stats/top-traded-assets')).json()).toEqual({ data: { assets: [] } });
    });

    it('refuses a currency it cannot convert to, and requests without a token', async () => {
      const t = env();
      const e = await t.newEnterprise();
      expectBadRequest(await get(t, e.token, '/enterprise/v2/stats/balance?currency=XYZ'), 'currency');
      expectBadRequest(await get(t, e.token, '/enterprise/v2/stats/balance?currency=US%20DOLLARS'), 'currency');
      expectBadRequest(await get(t, e.token, `/enterprise/v2/stats/balance?provider_ids=${Array.from({ length: 101 }, (_, i) => `p${i}`).join(',')}`), 'provider_ids');
      for (const path of ['users', 'accounts', 'balance', 'top-traded-assets']) {
        const res = await t.call(null, { method: 'GET', url: `/enterprise/v2/stats/${path}` });
        expect(res.statusCode).toBe(401);
        expect(res.json().errors[0].cause).toBe('unauthorized');
      }
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Top traded assets.

const W_START = NOW - 30 * DAY_MS; // default window [now - 30 days, now)

function tradesPlan(): UserPlan[] {
  const buy = (timestamp: string, asset: string, sym: string, qty: string, value: string | null, over: Partial<TransactionRecord> = {}) =>
    tx({ type: 'buy', timestamp, inputs: [mv('fiat:USD', 'USD', '100', '100')], outputs: [mv(asset, sym, qty, value)], ...over });
  return [
    {
      accounts: [
        {
          providerId: 'sandbox-exchange',
          transactions: [
            // a fiat leg (not counted) and a fee (excluded)
            tx({
              type: 'buy',
              timestamp: '2026-06-01T10:00:00.000Z',
              inputs: [mv('fiat:USD', 'USD', '1000', '1000')],
              outputs: [mv(BTC, 'BTC', '0.015', '999.990000000000000001')],
              fees: [mv(BTC, 'BTC', '0.0001', '6.5')],
            }),
            // a stablecoin leg counts (stablecoins are not fiat)
            tx({ type: 'swap', timestamp: '2026-06-02T10:00:00.000Z', inputs: [mv(ETH, 'ETH', '1', '3456.789012345678901234')], outputs: [mv(USDC, 'USDC', '3456', '3455.700000000000000001')] }),
            // an internal transfer is not a trade, whatever its type
            tx({ type: 'trade', timestamp: '2026-06-03T10:00:00.000Z', is_internal_transfer: true, inputs: [mv(ETH, 'ETH', '5', '17000')], outputs: [mv(BTC, 'BTC', '0.3', '17000')] }),
            // pending and failed trades do not count
            buy('2026-06-04T10:00:00.000Z', BTC, 'BTC', '1', '65000', { status: 'pending' }),
            buy('2026-06-04T11:00:00.000Z', ETH, 'ETH', '1', '3400', { status: 'failed' }),
            // not a trade type
            tx({ type: 'receive', timestamp: '2026-06-05T10:00:00.000Z', outputs: [mv(BTC, 'BTC', '2', '130000')] }),
            tx({ type: 'uncategorized', timestamp: '2026-06-05T11:00:00.000Z', inputs: [mv(ETH, 'ETH', '2', '7000')], outputs: [mv(BTC, 'BTC', '0.1', '7000')] }),
            // window edges: the start is in, the end and just before the start are out
            buy(isoOf(W_START), BTC, 'BTC', '0.0001', '6.000000000000000003'),
            buy(isoOf(W_START - 1), BTC, 'BTC', '9', '500000'),
            buy(isoOf(NOW), BTC, 'BTC', '9', '500000'),
          ],
        },
      ],
    },
    {
      accounts: [
        {
          providerId: 'kraken',
          transactions: [
            // the same asset on both sides: one trade, both values in volume
            tx({ type: 'trade', timestamp: '2026-06-06T10:00:00.000Z', inputs: [mv(BTC, 'BTC', '0.01', '650.5')], outputs: [mv(BTC, 'BTC', '0.0099', '644.000000000000000001'), mv(USDC, 'USDC', '1', '1')] }),
            // a sell into another fiat currency
            tx({ type: 'sell', timestamp: '2026-06-07T10:00:00.000Z', inputs: [mv(ETH, 'ETH', '0.5', '1700.25')], outputs: [mv('fiat:EUR', 'EUR', '1500', '1701')] }),
            // an unpriced movement adds to trade_count and traders, nothing to volume
            buy('2026-06-08T10:00:00.000Z', FOO, 'XFOO', '100', null),
          ],
        },
      ],
    },
    // a deactivated user's trades do not count
    { deactivated: true, accounts: [{ providerId: 'coinbase', transactions: [buy('2026-06-09T10:00:00.000Z', ETH, 'ETH', '10', '34000')] }] },
  ];
}

interface ExpectedTraded {
  asset_id: string;
  asset_symbol: string;
  trade_count: number;
  volume: { amount: string; currency: string };
  traders: number;
}

/** SPEC §5.12 word for word, over the raw transaction records. */
function expectedTopTraded(
  users: SeededUser[],
  o: { start: number; end: number; rankBy?: 'volume' | 'count'; limit?: number; currency?: string; rate?: (timestampMs: number) => string | null },
): ExpectedTraded[] {
  const currency = o.currency ?? 'USD';
  const g = new Map<string, { symbol: string; count: number; volume: DecimalSum; traders: Set<string> }>();
  for (const u of active(users)) {
    for (const a of u.accounts) {
      for (const r of a.transactions) {
        const ts = Date.parse(r.timestamp);
        if (!TRADE_TYPES.includes(r.type) || r.status !== 'confirmed' || r.is_internal_transfer || ts < o.start || ts >= o.end) continue;
        const moves = [...r.inputs, ...r.outputs].filter((m) => !m.asset_id.startsWith('fiat:'));
        for (const assetId of new Set(moves.map((m) => m.asset_id))) {
          const mine = moves.filter((m) => m.asset_id === assetId);
          let e = g.get(assetId);
          if (!e) g.set(assetId, (e = { symbol: mine[0]!.asset_symbol, count: 0, volume: new DecimalSum(), traders: new Set() }));
          e.count++;
          e.traders.add(u.id);
          for (const m of mine) {
            if (m.value === null) continue;
            if (!o.rate) e.volume.add(abs(m.value));
            else {
              const rate = o.rate(ts);
              if (rate !== null) e.volume.add(mul(abs(m.value), rate));
            }
          }
        }
      }
    }
  }
  const out = [...g].map(([asset_id, e]) => ({ asset_id, asset_symbol: e.symbol, trade_count: e.count, volume: { amount: e.volume.value(), currency }, traders: e.traders.size }));
  out.sort((a, b) => (o.rankBy === 'count' ? b.trade_count - a.trade_count : cmp(b.volume.amount, a.volume.amount)) || (a.asset_symbol < b.asset_symbol ? -1 : a.asset_symbol > b.asset_symbol ? 1 : 0));
  return out.slice(0, o.limit ?? 10);
}

describe('GET /enterprise/v2/stats/top-traded-assets', () => {
  forEachDialect((env) => {
    async function setup(t: TestEnv) {
      t.clock.set(NOW);
      const e = await t.newEnterprise();
      const other = await t.newEnterprise('Other');
      const users = await seedPlan(t, e.enterpriseId, tradesPlan());
      await seedPlan(t, other.enterpriseId, otherTenantPlan());
      return { e, users };
    }

    it('counts trades, volume and traders exactly per SPEC §5.12 over the default window', async () => {
      const t = env();
      const { e, users } = await setup(t);
      const res = await get(t, e.token, '/enterprise/v2/stats/top-traded-assets');
      expect(res.statusCode).toBe(200);
      const expected = expectedTopTraded(users, { start: W_START, end: NOW });
      expect(res.json()).toEqual({ data: { assets: expected } });
      // pinned figures, so a wrong reference implementation cannot pass unnoticed
      expect(expected).toEqual([
        { asset_id: ETH, asset_symbol: 'ETH', trade_count: 2, volume: { amount: '5157.039012345678901234', currency: 'USD' }, traders: 2 },
        { asset_id: USDC, asset_symbol: 'USDC', trade_count: 2, volume: { amount: '3456.700000000000000001', currency: 'USD' }, traders: 2 },
        { asset_id: BTC, asset_symbol: 'BTC', trade_count: 3, volume: { amount: '2300.490000000000000005', currency: 'USD' }, traders: 2 },
        { asset_id: FOO, asset_symbol: 'XFOO', trade_count: 1, volume: { amount: '0', currency: 'USD' }, traders: 1 },
      ]);
    });

    it('ranks by count, then asset_symbol, and honours limit', async () => {
      const t = env();
      const { e, users } = await setup(t);
      const res = await get(t, e.token, '/enterprise/v2/stats/top-traded-assets?rank_by=count');
      expect(res.json()).toEqual({ data: { assets: expectedTopTraded(users, { start: W_START, end: NOW, rankBy: 'count' }) } });
      expect(res.json().data.assets.map((a: { asset_symbol: string }) => a.asset_symbol)).toEqual(['BTC', 'ETH', 'USDC', 'XFOO']);
      const two = await get(t, e.token, '/enterprise/v2/stats/top-traded-assets?rank_by=count&limit=2');
      expect(two.json()).toEqual({ data: { assets: expectedTopTraded(users, { start: W_START, end: NOW, rankBy: 'count', limit: 2 }) } });
      expect(two.json().data.assets).toHaveLength(2);
    });

    it('takes explicit windows in every accepted format; one bound alone extends 30 days from it', async () => {
      const t = env();
      const { e, users } = await setup(t);
      const cases: [string, number, number][] = [
        ['start_time=2026-06-02T00:00:00Z&end_time=2026-06-07T10:00:00.000Z', Date.parse('2026-06-02T00:00:00Z'), Date.parse('2026-06-07T10:00:00Z')],
        [`start_time=${Date.parse('2026-06-06T10:00:00Z')}&end_time=2026-06-08T12:00:00%2B02:00`, Date.parse('2026-06-06T10:00:00Z'), Date.parse('2026-06-08T10:00:00Z')],
        ['start_time=2026-05-10T00:00:00Z', Date.parse('2026-05-10T00:00:00Z'), Date.parse('2026-06-09T00:00:00Z')],
        ['end_time=2026-06-07T10:00:00.001Z', Date.parse('2026-06-07T10:00:00.001Z') - 30 * DAY_MS, Date.parse('2026-06-07T10:00:00.001Z')],
        ['start_time=2026-06-15T12:00:00Z', NOW, NOW + 30 * DAY_MS],
      ];
      for (const [qs, start, end] of cases) {
        const res = await get(t, e.token, `/enterprise/v2/stats/top-traded-assets?${qs}`);
        expect(res.statusCode, qs).toBe(200);
        expect(res.json(), qs).toEqual({ data: { assets: expectedTopTraded(users, { start, end }) } });
      }
      // the window that starts 1 ms before the default one also catches that trade
      const wide = await get(t, e.token, `/enterprise/v2/stats/top-traded-assets?start_time=${W_START - 1}&end_time=${NOW}`);
      const btc = wide.json().data.assets.find((a: { asset_id: string }) => a.asset_id === BTC);
      expect(btc.trade_count).toBe(4);
      expect(btc.volume.amount).toBe('502300.490000000000000005');
    });

    it('converts each movement value at the fiat rate of its time in another currency', async () => {
      const t = env();
      const { e, users } = await setup(t);
      // a USD→EUR rate for some days only; a movement more than 48 hours after the last rate has none
      const rates: [string, string][] = [
        ['2026-05-16T00:00:00.000Z', '0.91'],
        ['2026-06-01T00:00:00.000Z', '0.912345678901234567'],
        ['2026-06-02T00:00:00.000Z', '0.9234'],
        ['2026-06-06T00:00:00.000Z', '0.93000000000000000001'],
        ['2026-06-07T00:00:00.000Z', '0.94'],
        ['2026-06-15T00:00:00.000Z', USD_EUR], // also seeded by the balance tests on this database
      ];
      for (const [ts, r] of rates) await seedPrice(t.deps, 'fiat:USD', 'EUR', ts, r);
      const rate = (ms: number): string | null => {
        const usable = rates.filter(([ts]) => Date.parse(ts) <= ms && Date.parse(ts) >= ms - 48 * 3_600_000);
        return usable.length ? usable[usable.length - 1]![1] : null;
      };
      const res = await get(t, e.token, '/enterprise/v2/stats/top-traded-assets?currency=EUR');
      expect(res.statusCode).toBe(200);
      const expected = expectedTopTraded(users, { start: W_START, end: NOW, currency: 'EUR', rate });
      expect(res.json()).toEqual({ data: { assets: expected } });
      expect(expected.find((a) => a.asset_id === BTC)!.volume.amount).toBe(
        new DecimalSum().add(mul('999.990000000000000001', '0.912345678901234567')).add(mul('6.000000000000000003', '0.91')).add(mul('1294.500000000000000001', '0.93000000000000000001')).value(),
      );
    });

    it('refuses bad parameters with an ErrorItem naming the field', async () => {
      const t = env();
      const e = await t.newEnterprise();
      const url = (qs: string) => `/enterprise/v2/stats/top-traded-assets?${qs}`;
      expectBadRequest(await get(t, e.token, url('currency=XYZ')), 'currency');
      expectBadRequest(await get(t, e.token, url('rank_by=bogus')), 'rank_by');
      expectBadRequest(await get(t, e.token, url('limit=0')), 'limit');
      expectBadRequest(await get(t, e.token, url('limit=101')), 'limit');
      expectBadRequest(await get(t, e.token, url('limit=ten')), 'limit');
      expectBadRequest(await get(t, e.token, url('start_time=2026-06-02T00:00:00Z&end_time=2026-06-01T00:00:00Z')), 'start_time');
      expectBadRequest(await get(t, e.token, url('start_time=yesterday')), 'start_time');
      expectBadRequest(await get(t, e.token, url('end_time=2026-06-01')), 'end_time');
      // limit at the bounds and unknown parameters are fine
      expect((await get(t, e.token, url('limit=1&rank_by=count&whatever=1'))).statusCode).toBe(200);
      expect((await get(t, e.token, url('limit=100&start_time=2026-06-01T00:00:00Z&end_time=2026-06-01T00:00:00Z'))).json()).toEqual({ data: { assets: [] } });
    });
  });
});


// ---------------------------------------------------------------------------------------------
// The stats agree with the lists they summarize: recomputed by walking the Enterprise API's lists.

interface ListedUser { user_id: string; consented_at: string; deactivated: boolean }
interface ListedAccount { account_id: string; user_id: string; provider_id: string; status: string }
interface ListedMovement { asset_id: string; asset_symbol: string; quantity: string; value: { amount: string; currency: string } | null }
interface ListedTransaction { user_id: string; timestamp: string; type: string; status: string; categorization: { is_internal_transfer: boolean }; inputs: ListedMovement[]; outputs: ListedMovement[] }

/** Every item of a GET list, following `next_uri` to the last page. */
async function walk<T>(t: TestEnv, token: string, url: string, key: string): Promise<T[]> {
  const out: T[] = [];
  let next: string | null = url;
  while (next) {
    const res = await get(t, token, next);
    expect(res.statusCode, next).toBe(200);
    const body = res.json();
    out.push(...(body.data[key] as T[]));
    next = body.page.next_uri;
  }
  return out;
}

describe('the stats agree with the lists they summarize', () => {
  forEachDialect((env) => {
    it('users, accounts, balance and top traded recomputed from /users/all, /accounts/all, /users/{id}/assets and /transactions/all', async () => {
      const t = env();
      t.clock.set(NOW);
      await seedPrices(t);
      const e = await t.newEnterprise();
      const other = await t.newEnterprise('Other');
      await seedPlan(t, e.enterpriseId, [...holdingsPlan(), ...tradesPlan()]);
      await seedPlan(t, other.enterpriseId, otherTenantPlan());

      const users = await walk<ListedUser>(t, e.token, `${'/enterprise/v2/users/all'}?limit=3`, 'users');
      const accounts = await walk<ListedAccount>(t, e.token, '/enterprise/v2/accounts/all?limit=4', 'accounts');
      const activeIds = new Set(users.filter((u) => !u.deactivated).map((u) => u.user_id));

      // §5.9
      const userStats = (await get(t, e.token, '/enterprise/v2/stats/users')).json().data;
      expect(userStats).toEqual({
        total: users.length,
        active: activeIds.size,
        deactivated: users.length - activeIds.size,
        with_accounts: new Set(accounts.filter((a) => activeIds.has(a.user_id) && a.status !== 'disconnected').map((a) => a.user_id)).size,
        new_last_30_days: users.filter((u) => Date.parse(u.consented_at) >= NOW - 30 * DAY_MS && Date.parse(u.consented_at) <= NOW).length,
      });

      // §5.10
      const perProvider = new Map<string, { accounts: number; users: Set<string> }>();
      for (const a of accounts.filter((x) => activeIds.has(x.user_id))) {
        const g = perProvider.get(a.provider_id) ?? { accounts: 0, users: new Set<string>() };
        g.accounts++;
        g.users.add(a.user_id);
        perProvider.set(a.provider_id, g);
      }
      const accountStats = (await get(t, e.token, '/enterprise/v2/stats/accounts')).json().data;
      expect(accountStats.total).toBe([...perProvider.values()].reduce((n, g) => n + g.accounts, 0));
      expect(accountStats.providers.map((p: { provider_id: string; accounts: number; users: number }) => [p.provider_id, p.accounts, p.users])).toEqual(
        [...perProvider].map(([id, g]) => [id, g.accounts, g.users.size]).sort((a, b) => (b[1] as number) - (a[1] as number) || ((a[0] as string) < (b[0] as string) ? -1 : 1)),
      );

      // §5.11: the balance is the exact sum of every active user's assets
      for (const currency of ['USD', 'EUR']) {
        const total = new DecimalSum();
        const quantity = new Map<string, DecimalSum>();
        const holders = new Map<string, Set<string>>();
        for (const id of activeIds) {
          const res = await get(t, e.token, `/enterprise/v2/users/${id}/assets?currency=${currency}`);
          expect([200, 206]).toContain(res.statusCode);
          const body = res.json().data;
          total.add(body.total_value.amount);
          for (const p of body.assets as { asset_id: string; quantity: string }[]) {
            if (!quantity.has(p.asset_id)) quantity.set(p.asset_id, new DecimalSum());
            quantity.get(p.asset_id)!.add(p.quantity);
            if (isPositive(p.quantity)) holders.set(p.asset_id, (holders.get(p.asset_id) ?? new Set()).add(id));
          }
        }
        const balance = (await get(t, e.token, `/enterprise/v2/stats/balance?currency=${currency}`)).json().data;
        expect(balance.total_value).toEqual({ amount: total.value(), currency });
        expect(balance.assets.map((a: { asset_id: string; quantity: string; holders: number }) => [a.asset_id, a.quantity, a.holders]).sort()).toEqual(
          [...quantity].map(([id, q]) => [id, q.value(), holders.get(id)?.size ?? 0]).sort(),
        );
      }

      // §5.12 over the transactions list of the default window
      const listed = await walk<ListedTransaction>(t, e.token, `/enterprise/v2/transactions/all?start_time=${W_START}&end_time=${NOW}&limit=7`, 'transactions');
      const g = new Map<string, { symbol: string; count: number; volume: DecimalSum; traders: Set<string> }>();
      for (const r of listed) {
        if (!activeIds.has(r.user_id) || !['buy', 'sell', 'trade', 'swap'].includes(r.type) || r.status !== 'confirmed' || r.categorization.is_internal_transfer) continue;
        const moves = [...r.inputs, ...r.outputs].filter((m) => !m.asset_id.startsWith('fiat:'));
        for (const assetId of new Set(moves.map((m) => m.asset_id))) {
          const mine = moves.filter((m) => m.asset_id === assetId);
          const s = g.get(assetId) ?? { symbol: mine[0]!.asset_symbol, count: 0, volume: new DecimalSum(), traders: new Set<string>() };
          s.count++;
          s.traders.add(r.user_id);
          for (const m of mine) if (m.value) s.volume.add(abs(m.value.amount));
          g.set(assetId, s);
        }
      }
      const expected = [...g]
        .map(([asset_id, s]) => ({ asset_id, asset_symbol: s.symbol, trade_count: s.count, volume: { amount: s.volume.value(), currency: 'USD' }, traders: s.traders.size }))
        .sort((a, b) => cmp(b.volume.amount, a.volume.amount) || (a.asset_symbol < b.asset_symbol ? -1 : 1));
      expect(expected.length).toBeGreaterThan(2);
      expect((await get(t, e.token, '/enterprise/v2/stats/top-traded-assets')).json()).toEqual({ data: { assets: expected } });
    });
  });
});
