/**
 * Wire clients of the EVM connector:
 *
 * - `EvmRpc`: JSON-RPC over HTTP to the node at `TORTIE_RPC_<ID>`, with our timeout and error
 *   mapping (../http-json.ts), exposed to viem as a `custom` transport (no viem retries, `cacheTime`
 *   0 so `eth_blockNumber` is never stale). viem does the ABI work: balances, ERC-20 metadata,
 *   `Transfer` log filters and decoding, block and receipt formatting.
 * - `EtherscanClient`: the `txlist` / `tokentx` account endpoints of an Etherscan-compatible explorer
 *   at `TORTIE_EXPLORER_<ID>` (its URL may carry `apikey` and `chainid` query parameters; they are kept).
 */
import { BaseError, createPublicClient, custom, type PublicClient } from 'viem';
import type { Clock } from '../../lib/clock.js';
import { isConnectorError, RetryableConnectorError, type ConnectorError } from '../connector.js';
import { badShape, requestJsonOk } from '../http-json.js';
import type { EtherscanEnvelope, EtherscanTokenTxRow, EtherscanTxRow } from './evm.types.js';

export interface EvmClientOptions {
  url: string;
  /** Names the endpoint in errors (`TORTIE_RPC_ETHEREUM`); the URL itself may hold an API key. */
  source: string;
  timeoutMs: number;
  clock: Clock;
  signal?: AbortSignal;
}

/** A JSON-RPC error object as the node sent it; viem maps it by `code`. */
interface RpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

let nextId = 1;

/** JSON-RPC 2.0 over HTTP with the connector port's error mapping. */
export class EvmRpc {
  constructor(private readonly o: EvmClientOptions) {}

  /** Sends one call; a JSON-RPC error is thrown as its error object (viem turns it into its RpcError). */
  async request(method: string, params: unknown): Promise<unknown> {
    const json = await requestJsonOk(this.o.url, { method: 'POST', body: { jsonrpc: '2.0', id: nextId++, method, params: params ?? [] } }, this.o);
    if (!json || typeof json !== 'object' || Array.isArray(json)) throw badShape(this.o.source, `${method}: not a JSON-RPC object`);
    const r = json as { result?: unknown; error?: RpcErrorObject };
    if (r.error) {
      const err = Object.assign(new Error(`${this.o.source}: ${method} failed: ${String(r.error.message)}`), { code: r.error.code, data: r.error.data });
      throw err;
    }
    if (!('result' in r)) throw badShape(this.o.source, `${method}: no result`);
    return r.result;
  }

  /** A viem public client over this RPC. */
  viem(): PublicClient {
    return createPublicClient({
      transport: custom({ request: ({ method, params }: { method: string; params?: unknown }) => this.request(method, params) }, { retryCount: 0 }),
      cacheTime: 0,
      batch: { multicall: false },
    });
  }
}

/**
 * Finds the connector error inside whatever viem wrapped it in; a JSON-RPC error from the node
 * becomes provider_unavailable, anything else (a response viem could not format) bad_response.
 */
export function toConnectorError(e: unknown, source: string): ConnectorError {
  let cur: unknown = e;
  let rpcMessage: string | null = null;
  for (let depth = 0; cur && depth < 12; depth++) {
    if (isConnectorError(cur)) return cur;
    const c = cur as { code?: unknown; shortMessage?: unknown; message?: unknown; cause?: unknown };
    if (rpcMessage === null && typeof c.code === 'number') rpcMessage = String(c.shortMessage ?? c.message);
    cur = c.cause;
  }
  if (rpcMessage !== null) return new RetryableConnectorError(`${source}: the node answered an error: ${rpcMessage}`, 'provider_unavailable');
  const msg = e instanceof BaseError ? e.shortMessage : e instanceof Error ? e.message : String(e);
  return new RetryableConnectorError(`${source}: unexpected answer (${msg})`, 'bad_response');
}

/** `module=account` list actions of an Etherscan-compatible explorer. */
export class EtherscanClient {
  constructor(private readonly o: EvmClientOptions) {}

  /** One page of `txlist` or `tokentx` for `address`, ascending by block, within [startBlock, endBlock]. */
  async list(action: 'txlist', address: string, startBlock: number, endBlock: number | null, page: number, offset: number): Promise<EtherscanTxRow[]>;
  async list(action: 'tokentx', address: string, startBlock: number, endBlock: number | null, page: number, offset: number): Promise<EtherscanTokenTxRow[]>;
  async list(action: 'txlist' | 'tokentx', address: string, startBlock: number, endBlock: number | null, page: number, offset: number): Promise<unknown[]> {
    const url = new URL(this.o.url);
    const q = url.searchParams;
    q.set('module', 'account');
    q.set('action', action);
    q.set('address', address);
    q.set('startblock', String(startBlock));
    q.set('endblock', endBlock === null ? '99999999999' : String(endBlock));
    q.set('page', String(page));
    q.set('offset', String(offset));
    q.set('sort', 'asc');
    const json = await requestJsonOk(url.toString(), { method: 'GET' }, this.o);
    if (!json || typeof json !== 'object') throw badShape(this.o.source, `${action}: not an object`);
    const env = json as EtherscanEnvelope<unknown>;
    if (Array.isArray(env.result)) {
      if (env.status === '1' || env.result.length === 0) return env.result;
      throw badShape(this.o.source, `${action}: status ${String(env.status)} with rows`);
    }
    const text = `${String(env.message)}: ${String(env.result)}`;
    // Etherscan answers HTTP 200 with status "0" for its rate limit ("Max rate limit reached").
    if (/rate limit/i.test(text)) throw new RetryableConnectorError(`${this.o.source}: ${text}`, 'rate_limited', 1000);
    if (/no (transactions|records) found/i.test(text)) return [];
    throw new RetryableConnectorError(`${this.o.source}: ${text}`, 'provider_unavailable');
  }
}
