/**
 * The wire client of the exchange connector: ccxt, loaded lazily (`import('ccxt')` on first use,
 * ~0.5 s and ~150 MB, so the API process never pays for it), configured with `number = String`
 * so no amount loses a digit, with every `urls.api` host replaceable from configuration
 * (`TORTIE_EXCHANGE_URL_<ID>`), and with ccxt's errors mapped onto the connector port's
 * retryable/permanent split.
 */
import { PermanentConnectorError, RetryableConnectorError } from '../connector.js';
import type { RawBalance, RawCurrency, RawLedgerEntry, RawMarket, RawTrade, RawTransfer } from './exchange.types.js';

type CcxtModule = typeof import('ccxt');
let ccxtModule: Promise<CcxtModule> | null = null;

/** The ccxt module, imported once on first use. */
export function loadCcxt(): Promise<CcxtModule> {
  ccxtModule ??= import('ccxt').then((m) => ((m as unknown as { default?: CcxtModule }).default ?? m) as CcxtModule);
  return ccxtModule;
}

export interface ExchangeClientOptions {
  /** ccxt exchange id (= provider id). */
  ccxtId: string;
  /** Replaces scheme and host of every `urls.api` entry (paths are kept), e.g. `http://127.0.0.1:9000`. */
  baseUrl?: string;
  /** Per-request timeout in ms (default 30 s). */
  timeoutMs?: number;
  /** Markets and currencies known in advance (skips loadMarkets; tests pass recorded ones). */
  markets?: Record<string, unknown>;
  currencies?: Record<string, unknown>;
  /** Merged into ccxt's constructor options (per-exchange quirks). */
  options?: Record<string, unknown>;
}

export interface ExchangeCredentials {
  apiKey: string;
  secret: string;
  password?: string;
}

/** A 2xx body that is not JSON (truncated, an HTML error page): thrown from ccxt's response hook. */
class MalformedResponseError extends Error {}

/** Replaces scheme and host of every URL string in ccxt's (possibly nested) `urls.api`. */
export function rewriteApiUrls(api: unknown, baseUrl: string): unknown {
  const base = baseUrl.replace(/\/+$/, '');
  if (typeof api === 'string') return api.replace(/^https?:\/\/[^/]+/, base);
  if (api && typeof api === 'object') {
    return Object.fromEntries(Object.entries(api as Record<string, unknown>).map(([k, v]) => [k, rewriteApiUrls(v, base)]));
  }
  return api;
}

/** Milliseconds of a `Retry-After` header (seconds or an HTTP date), or undefined. */
export function retryAfterMs(value: unknown, nowMs: number): number | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const s = Number(value);
  if (Number.isFinite(s) && s >= 0) return Math.max(1, Math.round(s * 1000));
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(1, at - nowMs);
}

/** Loosely typed view of a ccxt Exchange instance (its implicit API methods are generated at run time). */
interface CcxtExchange {
  id: string;
  number: unknown;
  urls: { api: unknown };
  has: Record<string, boolean | string | undefined>;
  markets?: Record<string, RawMarket>;
  currencies?: Record<string, RawCurrency>;
  last_response_headers?: Record<string, string>;
  onRestResponse: (status: number, statusText: string, url: string, method: string, headers: unknown, body: string, ...rest: unknown[]) => string;
  loadMarkets(): Promise<Record<string, RawMarket>>;
  fetchBalance(params?: object): Promise<RawBalance>;
  fetchMyTrades(symbol?: string, since?: number, limit?: number, params?: object): Promise<RawTrade[]>;
  fetchDeposits(code?: string, since?: number, limit?: number, params?: object): Promise<RawTransfer[]>;
  fetchWithdrawals(code?: string, since?: number, limit?: number, params?: object): Promise<RawTransfer[]>;
  fetchDepositsWithdrawals(code?: string, since?: number, limit?: number, params?: object): Promise<RawTransfer[]>;
  fetchLedger(code?: string, since?: number, limit?: number, params?: object): Promise<RawLedgerEntry[]>;
  [implicit: string]: unknown;
}

/**
 * One authenticated ccxt exchange. Every call goes through `call`, which turns ccxt's errors into
 * RetryableConnectorError / PermanentConnectorError.
 */
export class ExchangeClient {
  /** HTTP status of the latest response (ccxt's error classes for 429 differ between exchanges). */
  private lastStatus = 0;

  private constructor(
    private readonly ex: CcxtExchange,
    private readonly errors: CcxtModule,
    private readonly now: () => number,
  ) {}

  /** Builds the ccxt exchange (importing ccxt on first use) for one account's credentials. */
  static async create(o: ExchangeClientOptions, creds: ExchangeCredentials, now: () => number): Promise<ExchangeClient> {
    const ccxt = await loadCcxt();
    const Ctor = (ccxt as unknown as Record<string, new (config: object) => CcxtExchange>)[o.ccxtId];
    if (!Ctor) throw new PermanentConnectorError(`ccxt has no exchange ${o.ccxtId}`, 'not_supported');
    const ex = new Ctor({
      apiKey: creds.apiKey,
      secret: creds.secret,
      password: creds.password,
      timeout: o.timeoutMs ?? 30_000,
      enableRateLimit: true,
      ...(o.markets ? { markets: o.markets } : {}),
      ...(o.currencies ? { currencies: o.currencies } : {}),
      options: { ...(o.options ?? {}) },
    });
    // amounts as strings: a JS number would drop digits (1.123456789012345678 → 1.1234567890123457)
    ex.number = String;
    if (o.currencies) ex.currencies = o.currencies as Record<string, RawCurrency>;
    if (o.baseUrl) ex.urls.api = rewriteApiUrls(ex.urls.api, o.baseUrl);
    const client = new ExchangeClient(ex, ccxt, now);
    const original = ex.onRestResponse.bind(ex);
    ex.onRestResponse = (status, statusText, url, method, headers, body, ...rest) => {
      client.lastStatus = status;
      const trimmed = original(status, statusText, url, method, headers, body, ...rest);
      if (status >= 200 && status < 300 && trimmed !== '' && !isJson(trimmed)) {
        throw new MalformedResponseError(`${o.ccxtId} answered ${method} ${pathOf(url)} with a body that is not JSON`);
      }
      return trimmed;
    };
    return client;
  }

  get id(): string {
    return this.ex.id;
  }

  /** Whether ccxt implements a unified method for this exchange. */
  has(method: string): boolean {
    return Boolean(this.ex.has[method]);
  }

  async markets(): Promise<Record<string, RawMarket>> {
    return this.call('loadMarkets', () => this.ex.loadMarkets());
  }

  /** The currencies ccxt knows (after loadMarkets), to reuse for later clients. */
  currencyList(): Record<string, unknown> | undefined {
    return this.ex.currencies as Record<string, unknown> | undefined;
  }

  /** The exchange's own spelling of a ccxt currency code (`BTC` → `XXBT` on Kraken). */
  rawIdOf = (code: string): string | undefined => this.ex.currencies?.[code]?.id;

  fetchBalance(params: object): Promise<RawBalance> {
    return this.call('fetchBalance', () => this.ex.fetchBalance(params));
  }
  fetchMyTrades(symbol: string | undefined, since: number | undefined, limit: number, params: object): Promise<RawTrade[]> {
    return this.call('fetchMyTrades', () => this.ex.fetchMyTrades(symbol, since, limit, params));
  }
  fetchDeposits(code: string | undefined, since: number | undefined, limit: number, params: object): Promise<RawTransfer[]> {
    return this.call('fetchDeposits', () => this.ex.fetchDeposits(code, since, limit, params));
  }
  fetchWithdrawals(code: string | undefined, since: number | undefined, limit: number, params: object): Promise<RawTransfer[]> {
    return this.call('fetchWithdrawals', () => this.ex.fetchWithdrawals(code, since, limit, params));
  }
  fetchDepositsWithdrawals(code: string | undefined, since: number | undefined, limit: number, params: object): Promise<RawTransfer[]> {
    return this.call('fetchDepositsWithdrawals', () => this.ex.fetchDepositsWithdrawals(code, since, limit, params));
  }
  fetchLedger(code: string | undefined, since: number | undefined, limit: number, params: object): Promise<RawLedgerEntry[]> {
    return this.call('fetchLedger', () => this.ex.fetchLedger(code, since, limit, params));
  }

  /** A raw endpoint through ccxt's implicit API (signed like every private call). */
  raw(method: string, params: object = {}): Promise<unknown> {
    const fn = this.ex[method];
    if (typeof fn !== 'function') return Promise.reject(new PermanentConnectorError(`${this.ex.id} has no endpoint ${method}`, 'not_supported'));
    return this.call(method, () => (fn as (p: object) => Promise<unknown>).call(this.ex, params));
  }

  /** Runs one ccxt call, mapping its failures onto the connector port's error types. */
  private async call<T>(label: string, fn: () => Promise<T>): Promise<T> {
    this.lastStatus = 0;
    try {
      return await fn();
    } catch (e) {
      throw this.mapError(label, e);
    }
  }

  private mapError(label: string, e: unknown): Error {
    const c = this.errors;
    const what = `${this.ex.id} ${label}`;
    const msg = redact(e instanceof Error ? e.message : String(e));
    if (e instanceof PermanentConnectorError || e instanceof RetryableConnectorError) return e;
    if (e instanceof MalformedResponseError) return new RetryableConnectorError(e.message, 'bad_response');
    if (e instanceof c.AuthenticationError || e instanceof c.PermissionDenied || e instanceof c.AccountSuspended) {
      return new PermanentConnectorError(`${what}: the exchange refused the API key (${msg})`, 'invalid_credentials');
    }
    if (e instanceof c.RateLimitExceeded || e instanceof c.DDoSProtection || this.lastStatus === 429 || this.lastStatus === 418) {
      const header = this.ex.last_response_headers?.['Retry-After'];
      return new RetryableConnectorError(`${what}: rate limited`, 'rate_limited', retryAfterMs(header, this.now()) ?? 60_000);
    }
    if (e instanceof c.BadResponse || e instanceof c.NullResponse) return new RetryableConnectorError(`${what}: ${msg}`, 'bad_response');
    if (e instanceof c.NetworkError) return new RetryableConnectorError(`${what}: ${msg}`, 'provider_unavailable');
    if (e instanceof c.NotSupported || e instanceof c.ArgumentsRequired || e instanceof c.BadSymbol) {
      return new PermanentConnectorError(`${what}: ${msg}`, 'not_supported');
    }
    if (e instanceof c.ExchangeError) return new RetryableConnectorError(`${what}: ${msg}`, 'provider_unavailable');
    // a parse failure inside ccxt on an unexpected body shape
    if (e instanceof TypeError) return new RetryableConnectorError(`${what}: unexpected response (${msg})`, 'bad_response');
    return e instanceof Error ? e : new Error(String(e));
  }
}

function isJson(s: string): boolean {
  try {
    JSON.parse(s);
    return true;
  } catch {
    return false;
  }
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
}

/** ccxt messages quote the URL; signed query strings carry signatures and timestamps, never shown. */
function redact(message: string): string {
  return message.replace(/(https?:\/\/[^\s?]+)\?\S*/g, '$1?…').slice(0, 500);
}
