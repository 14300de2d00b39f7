/**
 * The one exchange connector (ccxt), parameterized by each exchange's quirks. Balances are read
 * from every sub-wallet the exchange reports and merged per asset; history is walked stream by
 * stream (deposits, withdrawals, ledger, trades…), one exchange request per page, with a cursor
 * that keeps a since-position per stream so a later sync continues where the last one stopped.
 */
import type { PositionRecord } from '../../domain/records.js';
import {
  PermanentConnectorError,
  type Connection,
  type Connector,
  type ConnectorContext,
  type ConnectorCursor,
  type ConnectorDescription,
  type SourceTransaction,
  type TransactionsPage,
} from '../connector.js';
import { ExchangeClient, type ExchangeClientOptions } from './exchange.client.js';
import { mapLedgerEntry, mapTrade, mapTransfer, mergeBalances } from './exchange.mapper.js';
import type { ExchangeCursor, RawLedgerEntry, RawMarket, StreamKind, StreamState } from './exchange.types.js';
import { DAY_MS, type ExchangeQuirks, type StreamPlan } from './quirks/quirks.js';
import { EXCHANGE_CONNECTOR_VERSION, describeExchange } from './exchange.description.js';

export { EXCHANGE_CONNECTOR_VERSION };

/** Quote currencies worth walking for a held base asset even when the quote was never held. */
const COMMON_QUOTES = new Set(['USDT', 'USDC', 'BUSD', 'FDUSD', 'BTC', 'ETH', 'BNB', 'USD', 'EUR', 'GBP', 'TRY']);

/** Re-read this much before the last walk's start on window walks (late-settling records). */
const WINDOW_OVERLAP_MS = DAY_MS;

export interface ExchangeConnectorOptions {
  quirks: ExchangeQuirks;
  /** `TORTIE_EXCHANGE_URL_<ID>`: replaces the host of every ccxt `urls.api` entry. */
  baseUrl?: string;
  /** Per-request timeout (ms). */
  timeoutMs?: number;
  /** Markets and currencies known in advance (tests: the recorded ones; skips loadMarkets). */
  markets?: Record<string, unknown>;
  currencies?: Record<string, unknown>;
}

interface PageResult {
  records: SourceTransaction[];
  finished: boolean;
}

/** A ccxt-backed connector for one exchange. */
export class ExchangeConnector implements Connector {
  private markets?: Record<string, unknown>;
  private currencies?: Record<string, unknown>;

  constructor(private readonly o: ExchangeConnectorOptions) {
    this.markets = o.markets;
    this.currencies = o.currencies;
  }

  describe(): ConnectorDescription {
    return describeExchange(this.o.quirks);
  }

  async validate(connection: Connection, ctx: ConnectorContext): Promise<void> {
    const client = await this.client(connection, ctx);
    const first = this.o.quirks.wallets[0];
    await client.fetchBalance(first?.params ?? {});
    const perm = this.o.quirks.permissions;
    if (!perm) return;
    const p = perm.read(await client.raw(perm.method, perm.params));
    if (p.canTrade || p.canWithdraw) {
      const can = [p.canTrade ? 'trade' : null, p.canWithdraw ? 'withdraw' : null].filter(Boolean).join(' and ');
      throw new PermanentConnectorError(
        `This ${this.o.quirks.id} API key can ${can}. Tortie only reads: create a read-only key (no trading, no withdrawals) and connect that one.`,
        'invalid_credentials',
      );
    }
  }

  async fetchBalances(connection: Connection, ctx: ConnectorContext): Promise<PositionRecord[]> {
    const client = await this.client(connection, ctx);
    return this.balances(client);
  }

  async fetchTransactions(connection: Connection, cursor: ConnectorCursor | null, ctx: ConnectorContext): Promise<TransactionsPage> {
    const client = await this.client(connection, ctx);
    const c = readCursor(cursor);
    if (c.queue.length === 0) c.queue = this.o.quirks.streams.map((s) => (s.per ? `${s.kind}:*` : s.kind));
    const key = c.queue[0]!;
    const plan = this.planOf(key);
    if (key.endsWith(':*')) {
      // expand a per-symbol / per-currency stream now that the other streams have been read
      const parts = plan.per === 'symbol' ? await this.tradeSymbols(client, c) : await this.heldCodes(client, c, 'transfers');
      c.queue.splice(0, 1, ...parts.map((p) => `${plan.kind}:${p}`));
      return { records: [], cursor: c as unknown as ConnectorCursor, done: c.queue.length === 0 };
    }
    const state = (c.streams[key] ??= {});
    const page = await this.page(client, key, plan, state, ctx);
    for (const r of page.records) {
      if (plan.kind === 'trades') continue;
      for (const m of [...r.inputs, ...r.outputs]) if (!c.assets.includes(m.asset_symbol)) c.assets.push(m.asset_symbol);
    }
    if (page.finished) c.queue.shift();
    const records = page.records.map((r) => ({ ...r, description: r.description ?? null }));
    // ExchangeCursor is plain JSON; the port types cursors as an open record
    return { records, cursor: c as unknown as ConnectorCursor, done: c.queue.length === 0 };
  }

  private planOf(key: string): StreamPlan {
    const kind = key.split(':')[0] as StreamKind;
    const plan = this.o.quirks.streams.find((s) => s.kind === kind);
    if (!plan) throw new Error(`exchange cursor names an unknown stream ${key}`);
    return plan;
  }

  private async client(connection: Connection, ctx: ConnectorContext): Promise<ExchangeClient> {
    if (!connection.api_key || !connection.secret_key) {
      throw new PermanentConnectorError(`${this.o.quirks.id} needs an API key and its secret`, 'invalid_credentials');
    }
    const options: ExchangeClientOptions = {
      ccxtId: this.o.quirks.id,
      baseUrl: this.o.baseUrl,
      timeoutMs: this.o.timeoutMs,
      markets: this.markets,
      currencies: this.currencies,
      options: this.o.quirks.options,
    };
    const creds = { apiKey: connection.api_key, secret: connection.secret_key, password: connection.passphrase };
    const client = await ExchangeClient.create(options, creds, () => ctx.clock.now());
    if (!this.markets) {
      // public market list, loaded once per connector instance
      this.markets = (await client.markets()) as Record<string, unknown>;
      this.currencies = client.currencyList();
    }
    return client;
  }

  private async balances(client: ExchangeClient): Promise<PositionRecord[]> {
    const wallets = [];
    for (const w of this.o.quirks.wallets) wallets.push({ name: w.name, balance: await client.fetchBalance(w.params) });
    return mergeBalances(this.o.quirks.id, wallets, client.rawIdOf, this.o.quirks.balanceCode).map((p) => ({
      ...p,
      connector_version: EXCHANGE_CONNECTOR_VERSION,
    }));
  }

  /** Codes held now or seen in transfers/ledgers, plus those already walked. */
  private async heldCodes(client: ExchangeClient, c: ExchangeCursor, kind: StreamKind): Promise<string[]> {
    const codes = new Set<string>(c.assets);
    for (const p of await this.balances(client)) codes.add(p.asset_symbol);
    for (const k of Object.keys(c.streams)) if (k.startsWith(`${kind}:`)) codes.add(k.slice(kind.length + 1));
    return [...codes].sort();
  }

  /**
   * Spot symbols to walk where the exchange needs one: markets whose base was held or moved and
   * whose quote was held, moved or is a common quote; symbols walked before are kept.
   */
  private async tradeSymbols(client: ExchangeClient, c: ExchangeCursor): Promise<string[]> {
    const codes = new Set(await this.heldCodes(client, c, 'transfers'));
    const symbols = new Set<string>();
    for (const k of Object.keys(c.streams)) if (k.startsWith('trades:')) symbols.add(k.slice('trades:'.length));
    for (const m of Object.values((this.markets ?? {}) as Record<string, RawMarket>)) {
      if (m.spot === false || !m.symbol) continue;
      if (codes.has(m.base) && (codes.has(m.quote) || COMMON_QUOTES.has(m.quote))) symbols.add(m.symbol);
    }
    return [...symbols].sort();
  }

  private map(kind: StreamKind, raws: unknown[], client: ExchangeClient): { ts: number; rec: SourceTransaction | null }[] {
    const ex = this.o.quirks.id;
    const markets = (this.markets ?? {}) as Record<string, RawMarket>;
    return raws.map((raw) => {
      const r = raw as { timestamp?: number | null; symbol?: string | null };
      const rec =
        kind === 'trades'
          ? mapTrade(ex, r, markets[r.symbol ?? ''], client.rawIdOf)
          : kind === 'ledger'
            ? mapLedgerEntry(ex, this.foldCode(r as RawLedgerEntry), client.rawIdOf)
            : mapTransfer(ex, r, client.rawIdOf);
      return { ts: r.timestamp ?? 0, rec };
    });
  }

  /** A ledger row of a staking/earn sub-wallet (Kraken's `DOT.S`) counts for its asset. */
  private foldCode(e: RawLedgerEntry): RawLedgerEntry {
    const fold = this.o.quirks.balanceCode;
    return fold && e.currency ? { ...e, currency: fold(e.currency) } : e;
  }

  private fetch(client: ExchangeClient, kind: StreamKind, arg: string | undefined, since: number | undefined, limit: number | undefined, params: object) {
    const l = limit ?? this.o.quirks.limit;
    switch (kind) {
      case 'trades':
        return client.fetchMyTrades(arg, since, l, params);
      case 'deposits':
        return client.fetchDeposits(arg, since, l, params);
      case 'withdrawals':
        return client.fetchWithdrawals(arg, since, l, params);
      case 'transfers':
        return client.fetchDepositsWithdrawals(arg, since, l, params);
      case 'ledger':
        return client.fetchLedger(arg, since, l, params);
    }
  }

  /** One request of one stream, advancing its state. */
  private async page(client: ExchangeClient, key: string, plan: StreamPlan, state: StreamState, ctx: ConnectorContext): Promise<PageResult> {
    const arg = key.includes(':') ? key.slice(key.indexOf(':') + 1) : undefined;
    const params = { ...(plan.params ?? {}) };
    const limit = this.o.quirks.limit;
    const seen = new Set(state.seen ?? []);
    const fresh = (rows: { ts: number; rec: SourceTransaction | null }[]) =>
      rows.flatMap((r) => (r.rec && !seen.has(r.rec.fingerprint) ? [r.rec] : []));
    const boundary = (rows: { ts: number; rec: SourceTransaction | null }[], from: number) =>
      rows.flatMap((r) => (r.rec && r.ts >= from ? [r.rec.fingerprint] : []));
    const p = plan.paging;

    switch (p.mode) {
      case 'since': {
        const raws = await this.fetch(client, plan.kind, arg, state.since, limit, params);
        const rows = this.map(plan.kind, raws, client);
        const records = fresh(rows);
        if (rows.length > 0) {
          const newest = Math.max(...rows.map((r) => r.ts));
          const carried = newest === state.since ? [...seen] : [];
          state.since = newest;
          state.seen = [...new Set([...carried, ...boundary(rows, newest)])];
        }
        return { records, finished: raws.length < limit || records.length === 0 };
      }
      case 'window': {
        const floor = state.since ?? p.historyStartMs;
        if (state.upper === undefined || state.walkStart === undefined) {
          state.walkStart = ctx.clock.now();
          state.upper = state.walkStart;
        }
        const lo = Math.max(floor, state.upper - p.windowMs);
        const raws = await this.fetch(client, plan.kind, arg, lo, limit, { ...params, until: state.upper - 1 });
        const rows = this.map(plan.kind, raws, client);
        const records = fresh(rows);
        if (raws.length >= limit && rows.length > 0) {
          // a full window: continue below its oldest record (records at that instant are remembered)
          const oldest = Math.min(...rows.map((r) => r.ts));
          state.upper = oldest + 1;
          state.seen = rows.flatMap((r) => (r.rec && r.ts === oldest ? [r.rec.fingerprint] : []));
        } else {
          state.upper = lo;
          state.seen = [];
        }
        if (state.upper <= floor) {
          const next: StreamState = { since: Math.max(p.historyStartMs, state.walkStart - WINDOW_OVERLAP_MS) };
          Object.assign(state, { upper: undefined, walkStart: undefined, seen: undefined }, next);
          return { records, finished: true };
        }
        return { records, finished: false };
      }
      case 'fromId': {
        const raws = await this.fetch(client, plan.kind, arg, undefined, limit, { ...params, fromId: state.fromId ?? '0' });
        const rows = this.map(plan.kind, raws, client);
        let next = state.fromId ? BigInt(state.fromId) : 0n;
        for (const raw of raws as { id?: string | null }[]) {
          if (raw.id && /^\d+$/.test(raw.id) && BigInt(raw.id) >= next) next = BigInt(raw.id) + 1n;
        }
        const records = rows.flatMap((r) => (r.rec ? [r.rec] : []));
        state.fromId = next.toString();
        return { records, finished: raws.length < limit };
      }
      case 'offset': {
        if (state.offset === undefined) {
          state.offset = 0;
          state.newest = state.since;
          state.edge = [];
        }
        const raws = await this.fetch(client, plan.kind, arg, state.since, undefined, { ...params, ofs: state.offset });
        const rows = this.map(plan.kind, raws, client);
        const records = fresh(rows);
        state.offset += raws.length;
        for (const r of rows) state.newest = Math.max(state.newest ?? 0, r.ts);
        // Kraken's `start` has second precision: remember what lies within the newest second
        const edgeFrom = (state.newest ?? 0) - 1000;
        state.edge = [...new Set([...(state.edge ?? []), ...boundary(rows, edgeFrom)])];
        if (raws.length < p.pageSize) {
          const since = state.newest;
          const edge = since === state.since ? [...seen, ...state.edge] : state.edge;
          Object.assign(state, { offset: undefined, newest: undefined, edge: undefined, since, seen: [...new Set(edge)] });
          return { records, finished: true };
        }
        return { records, finished: false };
      }
    }
  }
}

function readCursor(cursor: ConnectorCursor | null): ExchangeCursor {
  const c = cursor as Partial<ExchangeCursor> | null;
  if (!c || c.v !== 1) return { v: 1, streams: {}, queue: [], assets: [] };
  return { v: 1, streams: { ...(c.streams ?? {}) }, queue: [...(c.queue ?? [])], assets: [...(c.assets ?? [])] };
}
