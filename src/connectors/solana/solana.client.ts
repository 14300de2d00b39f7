/**
 * The Solana JSON-RPC client (`TORTIE_RPC_SOLANA`), with the connector port's error mapping
 * (../http-json.ts). A JSON-RPC error object from the node is retryable `provider_unavailable`
 * (-32005 "node is behind", 429-like limits of public RPCs answered in-band become `rate_limited`).
 */
import type { Clock } from '../../lib/clock.js';
import { RetryableConnectorError } from '../connector.js';
import { badShape, requestJsonOk } from '../http-json.js';
import type { ParsedTokenAccount, ParsedTransaction, RpcContextResult, SignatureInfo } from './solana.types.js';

export const TOKEN_PROGRAM_ID = 'TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA';
export const TOKEN_2022_PROGRAM_ID = 'TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb';

export interface SolanaClientOptions {
  url: string;
  timeoutMs: number;
  clock: Clock;
  signal?: AbortSignal;
}

const SOURCE = 'TORTIE_RPC_SOLANA';
let nextId = 1;

export class SolanaRpc {
  constructor(private readonly o: SolanaClientOptions) {}

  async call(method: string, params: unknown[]): Promise<unknown> {
    const json = await requestJsonOk(this.o.url, { method: 'POST', body: { jsonrpc: '2.0', id: nextId++, method, params } }, { ...this.o, source: SOURCE });
    if (!json || typeof json !== 'object' || Array.isArray(json)) throw badShape(SOURCE, `${method}: not a JSON-RPC object`);
    const r = json as { result?: unknown; error?: { code?: number; message?: string } };
    if (r.error) {
      const msg = `${SOURCE}: ${method} failed: ${String(r.error.message)} (${String(r.error.code)})`;
      if (r.error.code === 429 || /rate limit|too many requests/i.test(String(r.error.message))) throw new RetryableConnectorError(msg, 'rate_limited', 1000);
      throw new RetryableConnectorError(msg, 'provider_unavailable');
    }
    if (!('result' in r)) throw badShape(SOURCE, `${method}: no result`);
    return r.result;
  }

  /** Lamports of an account. */
  async getBalance(address: string): Promise<bigint> {
    const r = (await this.call('getBalance', [address, { commitment: 'finalized' }])) as RpcContextResult<number> | null;
    if (!r || typeof r.value !== 'number' || !Number.isSafeInteger(r.value)) throw badShape(SOURCE, 'getBalance: no value');
    return BigInt(r.value);
  }

  /** The owner's token accounts under one token program, parsed. */
  async getTokenAccountsByOwner(owner: string, programId: string): Promise<ParsedTokenAccount[]> {
    const r = (await this.call('getTokenAccountsByOwner', [owner, { programId }, { encoding: 'jsonParsed', commitment: 'finalized' }])) as RpcContextResult<ParsedTokenAccount[]> | null;
    if (!r || !Array.isArray(r.value)) throw badShape(SOURCE, 'getTokenAccountsByOwner: no value');
    for (const a of r.value) if (!a?.account?.data?.parsed?.info?.tokenAmount) throw badShape(SOURCE, 'getTokenAccountsByOwner: not jsonParsed');
    return r.value;
  }

  /** Up to `limit` signatures, newest first, strictly older than `before` and newer than `until`. */
  async getSignaturesForAddress(address: string, o: { limit: number; before: string | null; until: string | null }): Promise<SignatureInfo[]> {
    const cfg: Record<string, unknown> = { limit: o.limit, commitment: 'finalized' };
    if (o.before) cfg.before = o.before;
    if (o.until) cfg.until = o.until;
    const r = await this.call('getSignaturesForAddress', [address, cfg]);
    if (!Array.isArray(r)) throw badShape(SOURCE, 'getSignaturesForAddress: not a list');
    return r as SignatureInfo[];
  }

  /** A finalized transaction, parsed; null when the node does not have it. */
  async getTransaction(signature: string): Promise<ParsedTransaction | null> {
    const r = await this.call('getTransaction', [signature, { encoding: 'jsonParsed', maxSupportedTransactionVersion: 0, commitment: 'finalized' }]);
    if (r === null) return null;
    const t = r as ParsedTransaction;
    if (!t || typeof t !== 'object' || !t.transaction?.message?.accountKeys || !('meta' in t)) throw badShape(SOURCE, 'getTransaction: not jsonParsed');
    return t;
  }
}
