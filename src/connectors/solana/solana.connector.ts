/**
 * The Solana connector over JSON-RPC (`TORTIE_RPC_SOLANA`). A wallet is one or more base58
 * addresses (32-byte public keys). Balances: `getBalance` (SOL) and `getTokenAccountsByOwner`
 * (jsonParsed, SPL Token and Token-2022) per address. History: `getSignaturesForAddress` pages,
 * newest first, continued with `before`; each signature's `getTransaction` (jsonParsed,
 * `maxSupportedTransactionVersion: 0`) gives the net movements (solana.mapper.ts). Incremental
 * runs pass the newest signature of the last complete walk as `until`.
 *
 * Token accounts are separate accounts owned by the wallet: a token transfer lists the token
 * account, not the owner, so history from the owner's signatures alone misses a transfer into a
 * token account that does not mention the owner. Wallet apps' transfers create or name the owner
 * (associated token accounts), which covers the common case; walking each token account's own
 * signatures would cover the rest and is not done.
 */
import { base58 } from '@scure/base';
import type { PositionRecord } from '../../domain/records.js';
import {
  PermanentConnectorError,
  RetryableConnectorError,
  type Connection,
  type Connector,
  type ConnectorContext,
  type ConnectorCursor,
  type ConnectorDescription,
  type SourceTransaction,
  type TransactionsPage,
} from '../connector.js';
import { SolanaRpc, TOKEN_2022_PROGRAM_ID, TOKEN_PROGRAM_ID } from './solana.client.js';
import { mapSolanaTransaction, solPosition, splPositions } from './solana.mapper.js';
import type { ParsedTokenAccount, SolanaCursor } from './solana.types.js';
import { SOLANA_CONNECTOR_VERSION, describeSolana } from './solana.description.js';

export { SOLANA_CONNECTOR_VERSION };

export interface SolanaConnectorOptions {
  /** `TORTIE_RPC_SOLANA`; null when not configured. */
  rpcUrl: string | null;
  /** Per-request timeout in ms (default 20 000). */
  timeoutMs?: number;
  /** Signatures per history page (default 100; each costs one getTransaction). */
  pageSize?: number;
  /** getTransaction calls in flight at once (default 4). */
  concurrency?: number;
}

/** True for a base58 string that decodes to a 32-byte public key. */
export function isSolanaAddress(a: string): boolean {
  if (!/^[1-9A-HJ-NP-Za-km-z]{32,44}$/.test(a)) return false;
  try {
    return base58.decode(a).length === 32;
  } catch {
    return false;
  }
}

export class SolanaConnector implements Connector {
  private readonly timeoutMs: number;
  private readonly pageSize: number;
  private readonly concurrency: number;

  constructor(private readonly o: SolanaConnectorOptions) {
    this.timeoutMs = o.timeoutMs ?? 20_000;
    this.pageSize = o.pageSize ?? 100;
    this.concurrency = o.concurrency ?? 4;
  }

  describe(): ConnectorDescription {
    return describeSolana();
  }

  /** Checks the addresses' form (base58, 32 bytes); no network call. */
  async validate(connection: Connection): Promise<void> {
    this.wallet(connection);
  }

  async fetchBalances(connection: Connection, ctx: ConnectorContext): Promise<PositionRecord[]> {
    const wallet = this.wallet(connection);
    const rpc = this.rpc(ctx);
    let lamports = 0n;
    const accounts: ParsedTokenAccount[] = [];
    for (const a of wallet) {
      lamports += await rpc.getBalance(a);
      for (const program of [TOKEN_PROGRAM_ID, TOKEN_2022_PROGRAM_ID]) accounts.push(...(await rpc.getTokenAccountsByOwner(a, program)));
    }
    return [solPosition(lamports, { addresses: wallet, lamports: lamports.toString() }, SOLANA_CONNECTOR_VERSION), ...splPositions(accounts, SOLANA_CONNECTOR_VERSION)];
  }

  async fetchTransactions(connection: Connection, cursor: ConnectorCursor | null, ctx: ConnectorContext): Promise<TransactionsPage> {
    const wallet = this.wallet(connection);
    const rpc = this.rpc(ctx);
    const prev = cursor as Partial<SolanaCursor> | null;
    const c: SolanaCursor = { until: { ...(prev?.until ?? {}) }, walk: prev?.walk ? { ...prev.walk } : { index: 0, before: null, top: null } };
    const walk = c.walk!;
    const a = wallet[walk.index];
    if (a === undefined) return { records: [], cursor: { until: c.until, walk: null }, done: true };

    const sigs = await rpc.getSignaturesForAddress(a, { limit: this.pageSize, before: walk.before, until: c.until[a] ?? null });
    const set = new Set(wallet);
    const txs = await mapLimit(sigs, this.concurrency, async (s) => {
      const t = await rpc.getTransaction(s.signature);
      if (!t) throw new RetryableConnectorError(`TORTIE_RPC_SOLANA: the node does not have transaction ${s.signature} it listed`, 'provider_unavailable');
      return t;
    });
    const records: SourceTransaction[] = [];
    sigs.forEach((s, i) => {
      const t = txs[i]!;
      // reported by the first of the wallet's addresses among its account keys, so it comes once per walk
      const owner = t.transaction.message.accountKeys.map((k) => k.pubkey).find((k) => set.has(k));
      if (owner !== undefined && owner !== a) return;
      const r = mapSolanaTransaction(s.signature, t, set);
      if (r) records.push(r);
    });
    const top = walk.top ?? sigs[0]?.signature ?? null;
    if (sigs.length < this.pageSize) {
      if (top) c.until[a] = top;
      walk.index++;
      walk.before = null;
      walk.top = null;
    } else {
      walk.before = sigs[sigs.length - 1]!.signature;
      walk.top = top;
    }
    const done = walk.index >= wallet.length;
    ctx.log?.('solana page', { address_index: walk.index, records: records.length, done });
    return { records, cursor: done ? { until: c.until, walk: null } : c, done };
  }

  private rpc(ctx: ConnectorContext): SolanaRpc {
    if (!this.o.rpcUrl) throw new RetryableConnectorError('No node is configured for solana: set TORTIE_RPC_SOLANA to a JSON-RPC URL', 'provider_unavailable');
    return new SolanaRpc({ url: this.o.rpcUrl, timeoutMs: this.timeoutMs, clock: ctx.clock, signal: ctx.signal });
  }

  private wallet(connection: Connection): string[] {
    const list = [...new Set((connection.addresses ?? []).map((a) => a.trim()))];
    if (list.length === 0) throw new PermanentConnectorError('A Solana wallet needs at least one address', 'invalid_credentials');
    for (const a of list) if (!isSolanaAddress(a)) throw new PermanentConnectorError(`Not a valid Solana address (base58 of a 32-byte public key): ${a}`, 'invalid_credentials');
    return list;
  }
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
