/**
 * JSON over HTTP for the chain connectors (EVM JSON-RPC, Esplora REST, Solana JSON-RPC): one
 * place that applies the request timeout and maps transport failures onto the connector port's
 * retryable/permanent split, so every chain connector fails the same way:
 *
 *   429 (+ Retry-After)            → RetryableConnectorError('rate_limited', retryAfterMs)
 *   5xx, 408, timeout, network     → RetryableConnectorError('provider_unavailable')
 *   a 2xx body that is not JSON    → RetryableConnectorError('bad_response')
 *
 * Other 4xx statuses are handed back to the caller, which knows what they mean for its source
 * (Esplora answers 400 for an address it cannot parse, 404 for an unknown transaction).
 */
import type { Clock } from '../lib/clock.js';
import { RetryableConnectorError } from './connector.js';

export interface HttpJsonOptions {
  /** Per-request timeout in milliseconds (connection, headers and body). */
  timeoutMs: number;
  /** Aborts the request (shutdown); combined with the timeout. */
  signal?: AbortSignal;
  /** Names the source in error messages, e.g. `TORTIE_RPC_ETHEREUM`. Never a URL (it may hold an API key). */
  source: string;
  /** For Retry-After given as an HTTP date. */
  clock: Clock;
}

export interface HttpJsonRequest {
  method?: 'GET' | 'POST';
  /** Serialized as JSON when present. */
  body?: unknown;
}

/** A 4xx answer other than 429, for the caller to interpret. */
export interface HttpClientErrorReply {
  status: number;
  text: string;
}

/** Milliseconds of a `Retry-After` header (delta seconds or an HTTP date), or undefined. */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const s = Number(value);
  if (Number.isFinite(s) && s >= 0) return Math.max(1, Math.round(s * 1000));
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(1, at - nowMs);
}

/**
 * Fetches `url` and parses its JSON body. Resolves `{ ok: true, json }` on 2xx and
 * `{ ok: false, reply }` on a 4xx other than 429; throws a RetryableConnectorError otherwise.
 */
export async function requestJson(
  url: string,
  req: HttpJsonRequest,
  o: HttpJsonOptions,
): Promise<{ ok: true; json: unknown } | { ok: false; reply: HttpClientErrorReply }> {
  const timeout = AbortSignal.timeout(o.timeoutMs);
  const signal = o.signal ? AbortSignal.any([timeout, o.signal]) : timeout;
  let status: number;
  let text: string;
  let retryAfter: string | null;
  try {
    const res = await fetch(url, {
      method: req.method ?? 'GET',
      headers: req.body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      body: req.body === undefined ? undefined : JSON.stringify(req.body),
      signal,
    });
    status = res.status;
    retryAfter = res.headers.get('retry-after');
    text = await res.text();
  } catch (e) {
    if (timeout.aborted) throw new RetryableConnectorError(`${o.source}: no answer within ${o.timeoutMs} ms`, 'provider_unavailable');
    if (o.signal?.aborted) throw new RetryableConnectorError(`${o.source}: request aborted`, 'provider_unavailable');
    throw new RetryableConnectorError(`${o.source}: network error (${(e as Error).message})`, 'provider_unavailable');
  }
  if (status === 429) {
    throw new RetryableConnectorError(`${o.source}: rate limited (HTTP 429)`, 'rate_limited', parseRetryAfter(retryAfter, o.clock.now()));
  }
  if (status >= 500 || status === 408) throw new RetryableConnectorError(`${o.source}: HTTP ${status}`, 'provider_unavailable');
  if (status >= 400) return { ok: false, reply: { status, text } };
  if (status < 200 || status >= 300) throw new RetryableConnectorError(`${o.source}: unexpected HTTP ${status}`, 'bad_response');
  try {
    return { ok: true, json: JSON.parse(text) as unknown };
  } catch {
    throw new RetryableConnectorError(`${o.source}: the answer is not valid JSON (${text.length} bytes)`, 'bad_response');
  }
}

/** `requestJson` for callers with no use for a 4xx: it becomes provider_unavailable. */
export async function requestJsonOk(url: string, req: HttpJsonRequest, o: HttpJsonOptions): Promise<unknown> {
  const r = await requestJson(url, req, o);
  if (!r.ok) throw new RetryableConnectorError(`${o.source}: HTTP ${r.reply.status}`, 'provider_unavailable');
  return r.json;
}

/** A response that does not have the documented shape. */
export function badShape(source: string, what: string): RetryableConnectorError {
  return new RetryableConnectorError(`${source}: unexpected answer shape (${what})`, 'bad_response');
}
