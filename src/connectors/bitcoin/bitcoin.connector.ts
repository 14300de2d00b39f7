/**
 * The Bitcoin connector over an Esplora-compatible REST API (`TORTIE_ESPLORA_BITCOIN`). A wallet
 * is single addresses, an xpub/ypub/zpub, or both. For an extended key, receive (`0/i`) and
 * change (`1/i`) addresses are derived until 20 consecutive ones have never been used (gap limit
 * 20, BIP44): one `GET /address/:a` per derived address, which also gives the balances.
 *
 * History is each used address's confirmed transactions, newest first, one Esplora page (25
 * transactions) per connector page. A transaction touching several of the wallet's addresses is
 * reported once — by the first of them it touches (inputs, then outputs) — with its net effect across all of them
 * (bitcoin.mapper.ts). Unconfirmed transactions are not reported until they confirm.
 *
 * Cursor (bitcoin.types.ts `BitcoinCursor`): per address, the height through which its history
 * was final at the last complete walk (the newest transaction's height, but no higher than the tip
 * less 6 blocks, so a reorganized block is read again); a later walk stops there.
 */
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
import { ESPLORA_PAGE_SIZE, EsploraClient } from './bitcoin.client.js';
import { deriveAddress, parseBitcoinAddress, parseExtendedKey, type ExtendedKey } from './bitcoin.keys.js';
import { addressesOf, bitcoinPosition, confirmedSats, mapBitcoinTx } from './bitcoin.mapper.js';
import type { BitcoinCursor, EsploraAddress } from './bitcoin.types.js';
import { BITCOIN_CONNECTOR_VERSION, describeBitcoin } from './bitcoin.description.js';

export { BITCOIN_CONNECTOR_VERSION };

/** BIP44's gap limit: derivation stops after this many consecutive unused addresses. */
export const GAP_LIMIT = 20;
/** Blocks below the tip that may still be reorganized: read again on the next walk. */
const REORG_MARGIN = 6;

export interface BitcoinConnectorOptions {
  /** `TORTIE_ESPLORA_BITCOIN`; null when not configured. */
  esploraUrl: string | null;
  /** Per-request timeout in ms (default 20 000). */
  timeoutMs?: number;
  gapLimit?: number;
}

/** The wallet's addresses: `walk` are the used ones (history is read from them), `all` also the unused gap. */
interface Wallet {
  walk: string[];
  all: Set<string>;
  stats: Map<string, EsploraAddress>;
}

export class BitcoinConnector implements Connector {
  private readonly timeoutMs: number;
  private readonly gapLimit: number;
  private readonly wallets = new Map<string, Promise<Wallet>>();

  constructor(private readonly o: BitcoinConnectorOptions) {
    this.timeoutMs = o.timeoutMs ?? 20_000;
    this.gapLimit = o.gapLimit ?? GAP_LIMIT;
  }

  describe(): ConnectorDescription {
    return describeBitcoin();
  }

  /** Checks address checksums and the extended key's form (no network call). */
  async validate(connection: Connection): Promise<void> {
    this.parse(connection);
  }

  async fetchBalances(connection: Connection, ctx: ConnectorContext): Promise<PositionRecord[]> {
    const client = this.client(ctx);
    // always a fresh derivation and fresh totals; the history pages of the same sync reuse the address set
    const w = await this.wallet(connection, client, true);
    let sats = 0n;
    const per: Record<string, string> = {};
    for (const a of w.walk) {
      const s = w.stats.get(a) ?? (await client.address(a));
      const v = confirmedSats(s);
      per[a] = v.toString();
      sats += v;
    }
    return [bitcoinPosition(sats, { addresses: per }, BITCOIN_CONNECTOR_VERSION)];
  }

  async fetchTransactions(connection: Connection, cursor: ConnectorCursor | null, ctx: ConnectorContext): Promise<TransactionsPage> {
    const client = this.client(ctx);
    const w = await this.wallet(connection, client);
    const prev = cursor as Partial<BitcoinCursor> | null;
    const c: BitcoinCursor = { seen: { ...(prev?.seen ?? {}) }, walk: prev?.walk ? { ...prev.walk } : null };
    let final = Number.MAX_SAFE_INTEGER;
    if (!c.walk) {
      c.walk = { index: 0, last_seen: null, top_height: null };
      final = (await client.tipHeight()) - REORG_MARGIN;
      c.final_height = final;
    } else if (typeof prev?.final_height === 'number') final = prev.final_height;
    c.final_height = final;
    const walk = c.walk;
    const a = w.walk[walk.index];
    if (a === undefined) return { records: [], cursor: { seen: c.seen, walk: null }, done: true };

    const txs = await client.chainTxs(a, walk.last_seen);
    const stopAt = c.seen[a] ?? -1;
    const records: SourceTransaction[] = [];
    let reachedKnown = false;
    for (const tx of txs) {
      const h = tx.status.block_height ?? Number.MAX_SAFE_INTEGER;
      if (h <= stopAt) {
        reachedKnown = true;
        break;
      }
      // reported by the first of the wallet's addresses it touches, so it comes once per walk
      const owner = addressesOf(tx).find((x) => w.all.has(x) && w.walk.includes(x));
      if (owner !== a) continue;
      const r = mapBitcoinTx(tx, w.all);
      if (r) records.push(r);
    }
    const top = walk.top_height ?? txs[0]?.status.block_height ?? null;
    if (reachedKnown || txs.length < ESPLORA_PAGE_SIZE) {
      if (top !== null) c.seen[a] = Math.max(stopAt, Math.min(top, final));
      walk.index++;
      walk.last_seen = null;
      walk.top_height = null;
    } else {
      walk.last_seen = txs[txs.length - 1]!.txid;
      walk.top_height = top;
    }
    const done = walk.index >= w.walk.length;
    ctx.log?.('bitcoin page', { address_index: walk.index, records: records.length, done });
    return { records, cursor: done ? { seen: c.seen, walk: null } : c, done };
  }

  private client(ctx: ConnectorContext): EsploraClient {
    if (!this.o.esploraUrl) {
      throw new RetryableConnectorError('No Esplora API is configured for bitcoin: set TORTIE_ESPLORA_BITCOIN to its base URL', 'provider_unavailable');
    }
    return new EsploraClient({ baseUrl: this.o.esploraUrl, timeoutMs: this.timeoutMs, clock: ctx.clock, signal: ctx.signal });
  }

  private parse(connection: Connection): { addresses: string[]; xpub: ExtendedKey | null } {
    const addresses: string[] = [];
    for (const a of connection.addresses ?? []) {
      const p = parseBitcoinAddress(a);
      if (!p) throw new PermanentConnectorError(`Not a valid Bitcoin mainnet address (checksum or form): ${a}`, 'invalid_credentials');
      if (!addresses.includes(p)) addresses.push(p);
    }
    let xpub: ExtendedKey | null = null;
    if (connection.xpub) {
      xpub = parseExtendedKey(connection.xpub);
      if (!xpub) throw new PermanentConnectorError('Not a valid mainnet extended public key (xpub, ypub or zpub)', 'invalid_credentials');
    }
    if (addresses.length === 0 && !xpub) throw new PermanentConnectorError('A Bitcoin wallet needs an address or an extended public key', 'invalid_credentials');
    return { addresses, xpub };
  }

  /**
   * The wallet's addresses (derived with the gap limit for an extended key) and, for derived ones,
   * their totals. Kept for the connector instance's later history pages (one instance serves one
   * sync); `fresh` derives again.
   */
  private wallet(connection: Connection, client: EsploraClient, fresh = false): Promise<Wallet> {
    const key = JSON.stringify([connection.addresses ?? [], connection.xpub ?? null]);
    let w = fresh ? undefined : this.wallets.get(key);
    if (!w) {
      w = this.resolve(connection, client);
      this.wallets.set(key, w);
      w.catch(() => this.wallets.delete(key));
    }
    return w;
  }

  private async resolve(connection: Connection, client: EsploraClient): Promise<Wallet> {
    const { addresses, xpub } = this.parse(connection);
    const w: Wallet = { walk: [...addresses], all: new Set(addresses), stats: new Map() };
    if (!xpub) return w;
    for (const chain of [0, 1] as const) {
      for (let i = 0, unused = 0; unused < this.gapLimit; i++) {
        const a = deriveAddress(xpub, chain, i);
        const s = await client.address(a);
        w.stats.set(a, s);
        w.all.add(a);
        if (s.chain_stats.tx_count + s.mempool_stats.tx_count > 0) {
          unused = 0;
          if (!w.walk.includes(a)) w.walk.push(a);
        } else unused++;
      }
    }
    return w;
  }
}
