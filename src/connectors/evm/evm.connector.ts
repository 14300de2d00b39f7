/**
 * The EVM connector: one implementation configured per chain (ethereum, polygon, arbitrum,
 * optimism, base, bnb, avalanche). A wallet account is one or more addresses; every transaction
 * is reported once, netted across all of them.
 *
 * Balances always come from the node (`TORTIE_RPC_<ID>`): the native balance and `balanceOf` of
 * the chain's built-in major tokens, any configured extra tokens, and every token that ever sent
 * the wallet a `Transfer` (discovered from the explorer's `tokentx` when one is configured, else
 * from `eth_getLogs` over the whole chain in chunks).
 *
 * History comes from an Etherscan-compatible explorer (`TORTIE_EXPLORER_<ID>`) when configured,
 * otherwise from the node by scanning blocks: every block of the page's range is read with its
 * transactions (one `eth_getBlockByNumber` per block — cheap on a local or self-hosted node,
 * prohibitive on a metered public RPC from genesis, which is what the explorer mode is for),
 * ERC-20 `Transfer` logs from or to the wallet are found with chunked `eth_getLogs`, and each
 * relevant transaction's receipt gives its status, gas and logs. Native value moved by internal
 * calls (a contract sending ETH) needs traces and is not seen by either mode; NFTs are not counted.
 *
 * Cursor: `{ next_block }`, the first block not yet returned; each page covers a bounded block
 * range (node mode) or a bounded number of explorer rows, so long histories show progress.
 */
import { erc20Abi, erc20Abi_bytes32, getAddress, hexToString, parseAbiItem, type PublicClient } from 'viem';
import type { PositionRecord } from '../../domain/records.js';
import {
  PermanentConnectorError,
  RetryableConnectorError,
  isConnectorError,
  type Connection,
  type Connector,
  type ConnectorContext,
  type ConnectorCursor,
  type ConnectorDescription,
  type SourceTransaction,
  type TransactionsPage,
} from '../connector.js';
import { EtherscanClient, EvmRpc, toConnectorError } from './evm.client.js';
import { factsFromExplorer, fallbackSymbol, mapEvmTransaction, nativePosition, tokenPosition, transfersFromLogs } from './evm.mapper.js';
import type { EtherscanTokenTxRow, EtherscanTxRow, EvmChainConfig, EvmCursor, EvmTxFacts, TokenMeta } from './evm.types.js';
import { EVM_CONNECTOR_VERSION, describeEvm } from './evm.description.js';

export { EVM_CONNECTOR_VERSION };

const TRANSFER_EVENT = parseAbiItem('event Transfer(address indexed from, address indexed to, uint256 value)');

export interface EvmConnectorOptions {
  chain: EvmChainConfig;
  /** `TORTIE_RPC_<ID>`; null when not configured (every network call then fails, naming the variable). */
  rpcUrl: string | null;
  /** `TORTIE_EXPLORER_<ID>`; when set, history comes from the explorer. */
  explorerUrl?: string | null;
  /** Per-request timeout in ms (default 20 000). */
  timeoutMs?: number;
  /** Node mode: blocks per history page (default 2 000). */
  blocksPerPage?: number;
  /** Block range of one `eth_getLogs` (default 10 000; lower it for nodes that cap ranges). */
  logChunkBlocks?: number;
  /** Explorer mode: rows per `txlist`/`tokentx` request (default 1 000; Etherscan allows 10 000). */
  explorerPageSize?: number;
  /** Extra ERC-20 contracts whose balance is read, beyond the chain's built-in list. */
  tokens?: readonly string[];
  /** Node requests in flight at once while scanning (default 4). */
  concurrency?: number;
}

const ADDRESS_RE = /^0x[0-9a-fA-F]{40}$/;

/**
 * Lowercase form of an EVM address, or null when it is malformed or its mixed case fails the
 * EIP-55 checksum (all-lowercase and all-uppercase carry no checksum and are accepted).
 */
export function parseEvmAddress(a: string): string | null {
  const s = a.trim();
  if (!ADDRESS_RE.test(s)) return null;
  const body = s.slice(2);
  if (body === body.toLowerCase() || body === body.toUpperCase()) return `0x${body.toLowerCase()}`;
  return getAddress(s.toLowerCase()) === s ? s.toLowerCase() : null;
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

/** A reverted or code-less contract call (as opposed to a transport failure). */
function isContractFailure(e: unknown): boolean {
  for (let cur: unknown = e, d = 0; cur && d < 12; d++) {
    if (isConnectorError(cur)) return false;
    cur = (cur as { cause?: unknown }).cause;
  }
  const name = (e as { name?: string }).name ?? '';
  const msg = String((e as { message?: string }).message ?? '');
  return /ContractFunction|AbiDecoding|ZeroData/.test(name) || /revert|returned no data/i.test(msg);
}

/** An EVM chain connector (see the file comment). */
export class EvmConnector implements Connector {
  private readonly metaCache = new Map<string, TokenMeta>();
  private readonly o: Required<Omit<EvmConnectorOptions, 'rpcUrl' | 'explorerUrl'>> & Pick<EvmConnectorOptions, 'rpcUrl' | 'explorerUrl'>;

  constructor(o: EvmConnectorOptions) {
    this.o = { timeoutMs: 20_000, blocksPerPage: 2_000, logChunkBlocks: 10_000, explorerPageSize: 1_000, tokens: [], concurrency: 4, ...o };
  }

  private get envId(): string {
    return this.o.chain.providerId.toUpperCase();
  }

  describe(): ConnectorDescription {
    return describeEvm(this.o.chain.providerId);
  }

  /** Checks the addresses only (EIP-55): no network call, so an account can be added before the node is reachable. */
  async validate(connection: Connection): Promise<void> {
    this.wallet(connection);
  }

  async fetchBalances(connection: Connection, ctx: ConnectorContext): Promise<PositionRecord[]> {
    const wallet = this.wallet(connection);
    const rpc = this.rpc(ctx);
    const client = rpc.viem();
    try {
      let wei = 0n;
      for (const a of wallet) wei += await client.getBalance({ address: a as `0x${string}` });
      const positions: PositionRecord[] = [nativePosition(this.o.chain, wei, { addresses: wallet, wei: wei.toString() }, EVM_CONNECTOR_VERSION)];
      const tokens = new Set<string>([...this.o.chain.tokens, ...this.o.tokens.map((t) => t.toLowerCase())]);
      for (const t of await this.discoverTokens(wallet, client, ctx)) tokens.add(t);
      for (const token of [...tokens].sort()) {
        let units = 0n;
        let readable = true;
        for (const a of wallet) {
          try {
            units += await client.readContract({ address: token as `0x${string}`, abi: erc20Abi, functionName: 'balanceOf', args: [a as `0x${string}`] });
          } catch (e) {
            if (!isContractFailure(e)) throw e;
            readable = false; // no contract at that address on this node, or not an ERC-20
            break;
          }
        }
        if (!readable || units === 0n) continue;
        const meta = await this.tokenMeta(client, token, undefined);
        positions.push(tokenPosition(this.o.chain, meta, units, { token, addresses: wallet, units: units.toString() }, EVM_CONNECTOR_VERSION));
      }
      return positions;
    } catch (e) {
      throw toConnectorError(e, this.rpcSource);
    }
  }

  async fetchTransactions(connection: Connection, cursor: ConnectorCursor | null, ctx: ConnectorContext): Promise<TransactionsPage> {
    const wallet = this.wallet(connection);
    const c = cursor as EvmCursor | null;
    const next = typeof c?.next_block === 'number' && Number.isSafeInteger(c.next_block) && c.next_block >= 0 ? c.next_block : 0;
    if (this.o.explorerUrl) return this.explorerPage(wallet, next, ctx);
    try {
      return await this.nodePage(wallet, next, ctx);
    } catch (e) {
      throw toConnectorError(e, this.rpcSource);
    }
  }

  // ---------------------------------------------------------------- node mode

  private async nodePage(wallet: string[], next: number, ctx: ConnectorContext): Promise<TransactionsPage> {
    const client = this.rpc(ctx).viem();
    const tip = Number(await client.getBlockNumber({ cacheTime: 0 }));
    if (next > tip) return { records: [], cursor: { next_block: next }, done: true };
    const end = Math.min(next + this.o.blocksPerPage - 1, tip);
    const mine = new Set(wallet);

    // every block of the range, with its transactions: native transfers from or to the wallet
    const numbers = Array.from({ length: end - next + 1 }, (_, i) => BigInt(next + i));
    const blocks = await mapLimit(numbers, this.o.concurrency, (n) => client.getBlock({ blockNumber: n, includeTransactions: true }));
    const txs = new Map<`0x${string}`, { tx: (typeof blocks)[number]['transactions'][number]; timestamp: number; index: number }>();
    const relevant = new Set<`0x${string}`>();
    for (const b of blocks) {
      for (const tx of b.transactions) {
        txs.set(tx.hash, { tx, timestamp: Number(b.timestamp), index: tx.transactionIndex ?? 0 });
        if (mine.has(tx.from.toLowerCase()) || (tx.to && mine.has(tx.to.toLowerCase()))) relevant.add(tx.hash);
      }
    }
    // token transfers from or to the wallet (the transaction's own ends may be neither)
    for (let from = next; from <= end; from += this.o.logChunkBlocks) {
      const to = Math.min(from + this.o.logChunkBlocks - 1, end);
      const addrs = wallet as `0x${string}`[];
      for (const args of [{ from: addrs }, { to: addrs }]) {
        const logs = await client.getLogs({ event: TRANSFER_EVENT, args, fromBlock: BigInt(from), toBlock: BigInt(to), strict: false });
        for (const l of logs) if (l.transactionHash) relevant.add(l.transactionHash);
      }
    }

    const hashes = [...relevant].filter((h) => txs.has(h));
    const facts = await mapLimit(hashes, this.o.concurrency, async (hash): Promise<EvmTxFacts & { index: number }> => {
      const { tx, timestamp, index } = txs.get(hash)!;
      const r = await client.getTransactionReceipt({ hash });
      const l1 = (r as { l1Fee?: unknown }).l1Fee;
      return {
        hash: hash.toLowerCase(),
        blockNumber: Number(r.blockNumber),
        timestamp,
        from: tx.from.toLowerCase(),
        to: tx.to ? tx.to.toLowerCase() : null,
        value: tx.value,
        success: r.status === 'success',
        gasUsed: r.gasUsed,
        effectiveGasPrice: r.effectiveGasPrice,
        l1Fee: typeof l1 === 'bigint' ? l1 : typeof l1 === 'string' && l1 !== '' ? BigInt(l1) : 0n,
        transfers: transfersFromLogs(r.logs),
        index,
      };
    });
    facts.sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index);
    const metas = new Map<string, TokenMeta>();
    for (const f of facts) {
      for (const t of f.transfers) {
        if ((mine.has(t.from) || mine.has(t.to)) && !metas.has(t.token)) metas.set(t.token, await this.tokenMeta(client, t.token, undefined));
      }
    }
    const records = facts.map(({ index: _index, ...f }) => mapEvmTransaction(this.o.chain, f, mine, metas)).filter((r): r is SourceTransaction => r !== null);
    ctx.log?.('evm node page', { provider_id: this.o.chain.providerId, from_block: next, to_block: end, tip, records: records.length });
    return { records, cursor: { next_block: end + 1 }, done: end >= tip };
  }

  // ---------------------------------------------------------------- explorer mode

  private async explorerPage(wallet: string[], next: number, ctx: ConnectorContext): Promise<TransactionsPage> {
    const ex = new EtherscanClient({ url: this.o.explorerUrl!, source: `TORTIE_EXPLORER_${this.envId}`, timeoutMs: this.o.timeoutMs, clock: ctx.clock, signal: ctx.signal });
    const size = this.o.explorerPageSize;
    const txRows: EtherscanTxRow[] = [];
    const tokenRows: EtherscanTokenTxRow[] = [];
    // the highest block every list has been read through completely (null: all of them are exhausted)
    let complete: number | null = null;
    let maxSeen = -1;
    const note = (rows: readonly { blockNumber: string }[]) => {
      for (const r of rows) maxSeen = Math.max(maxSeen, Number(r.blockNumber));
      if (rows.length < size) return;
      const last = Number(rows[rows.length - 1]!.blockNumber);
      // the last block of a full page may continue on the next page: stop before it
      const through = last - 1 >= next ? last - 1 : last;
      complete = complete === null ? through : Math.min(complete, through);
    };
    for (const a of wallet) {
      const t = await ex.list('txlist', a, next, null, 1, size);
      note(t);
      txRows.push(...t);
      const k = await ex.list('tokentx', a, next, null, 1, size);
      note(k);
      tokenRows.push(...k);
    }
    const limit: number = complete ?? Number.MAX_SAFE_INTEGER;
    const byHash = new Map<string, { tx?: EtherscanTxRow; tokens: Map<string, EtherscanTokenTxRow> }>();
    const entry = (hash: string) => {
      const h = hash.toLowerCase();
      let e = byHash.get(h);
      if (!e) byHash.set(h, (e = { tokens: new Map() }));
      return e;
    };
    for (const r of txRows) if (Number(r.blockNumber) <= limit) entry(r.hash).tx ??= r;
    for (const r of tokenRows) {
      if (Number(r.blockNumber) > limit) continue;
      // a transfer between two of the wallet's addresses is listed for both: keep it once
      const key = r.logIndex ? `log:${r.logIndex}` : `${r.contractAddress}:${r.from}:${r.to}:${r.value}`.toLowerCase();
      entry(r.hash).tokens.set(key, r);
    }
    const mine = new Set(wallet);
    const facts = [...byHash.values()].map((e) => factsFromExplorer(e.tx, [...e.tokens.values()]));
    facts.sort((x, y) => x.blockNumber - y.blockNumber || (x.hash < y.hash ? -1 : 1));
    const records = facts.map((f) => mapEvmTransaction(this.o.chain, f, mine, new Map())).filter((r): r is SourceTransaction => r !== null);
    const done = complete === null;
    const nextBlock = done ? Math.max(next, maxSeen + 1) : complete! + 1;
    ctx.log?.('evm explorer page', { provider_id: this.o.chain.providerId, from_block: next, through_block: done ? maxSeen : complete, records: records.length });
    return { records, cursor: { next_block: nextBlock }, done };
  }

  // ---------------------------------------------------------------- helpers

  private get rpcSource(): string {
    return `TORTIE_RPC_${this.envId}`;
  }

  private rpc(ctx: ConnectorContext): EvmRpc {
    if (!this.o.rpcUrl) {
      throw new RetryableConnectorError(`No node is configured for ${this.o.chain.providerId}: set ${this.rpcSource} to a JSON-RPC URL`, 'provider_unavailable');
    }
    return new EvmRpc({ url: this.o.rpcUrl, source: this.rpcSource, timeoutMs: this.o.timeoutMs, clock: ctx.clock, signal: ctx.signal });
  }

  /** The connection's addresses, lowercase and deduplicated; invalid ones are a permanent error. */
  private wallet(connection: Connection): string[] {
    const list = connection.addresses ?? [];
    if (list.length === 0) throw new PermanentConnectorError(`A ${this.o.chain.providerId} wallet needs at least one address`, 'invalid_credentials');
    const out = new Set<string>();
    for (const a of list) {
      const p = parseEvmAddress(a);
      if (!p) throw new PermanentConnectorError(`Not a valid ${this.o.chain.providerId} address (0x and 40 hex digits, EIP-55 checksum when mixed case): ${a}`, 'invalid_credentials');
      out.add(p);
    }
    return [...out];
  }

  /** Every token that ever sent the wallet a `Transfer`. */
  private async discoverTokens(wallet: string[], client: PublicClient, ctx: ConnectorContext): Promise<Set<string>> {
    const found = new Set<string>();
    if (this.o.explorerUrl) {
      const ex = new EtherscanClient({ url: this.o.explorerUrl, source: `TORTIE_EXPLORER_${this.envId}`, timeoutMs: this.o.timeoutMs, clock: ctx.clock, signal: ctx.signal });
      for (const a of wallet) {
        for (let start = 0; ; ) {
          const rows = await ex.list('tokentx', a, start, null, 1, this.o.explorerPageSize);
          for (const r of rows) if (r.to.toLowerCase() === a) found.add(r.contractAddress.toLowerCase());
          if (rows.length < this.o.explorerPageSize) break;
          const last = Number(rows[rows.length - 1]!.blockNumber);
          start = last > start ? last : start + 1;
        }
      }
      return found;
    }
    const tip = Number(await client.getBlockNumber({ cacheTime: 0 }));
    for (let from = 0; from <= tip; from += this.o.logChunkBlocks) {
      const logs = await client.getLogs({
        event: TRANSFER_EVENT,
        args: { to: wallet as `0x${string}`[] },
        fromBlock: BigInt(from),
        toBlock: BigInt(Math.min(from + this.o.logChunkBlocks - 1, tip)),
        strict: false,
      });
      for (const l of logs) if (l.topics.length === 3) found.add(l.address.toLowerCase());
    }
    return found;
  }

  /** `symbol()`, `decimals()`, `name()` of a token (a bytes32 `symbol()` is decoded too), cached. */
  private async tokenMeta(client: PublicClient, token: string, fallback: { symbol: string; name: string | null; decimals: number } | undefined): Promise<TokenMeta> {
    const cached = this.metaCache.get(token);
    if (cached) return cached;
    const address = token as `0x${string}`;
    const attempt = async <T>(fn: () => Promise<T>): Promise<T | null> => {
      try {
        return await fn();
      } catch (e) {
        if (isContractFailure(e)) return null;
        throw e;
      }
    };
    const decimals = await attempt(() => client.readContract({ address, abi: erc20Abi, functionName: 'decimals' }));
    let symbol = await attempt(() => client.readContract({ address, abi: erc20Abi, functionName: 'symbol' }));
    if (symbol === null) {
      const b = await attempt(() => client.readContract({ address, abi: erc20Abi_bytes32, functionName: 'symbol' }));
      symbol = b === null ? null : hexToString(b, { size: 32 }).replace(/\0+$/, '');
    }
    const name = await attempt(() => client.readContract({ address, abi: erc20Abi, functionName: 'name' }));
    const meta: TokenMeta = {
      address: token,
      symbol: symbol && symbol.trim() !== '' ? symbol : (fallback?.symbol ?? fallbackSymbol(token)),
      name: name ?? fallback?.name ?? null,
      decimals: decimals ?? fallback?.decimals ?? 0,
    };
    this.metaCache.set(token, meta);
    return meta;
  }
}
