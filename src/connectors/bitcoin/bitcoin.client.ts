/**
 * The Esplora REST client (`TORTIE_ESPLORA_BITCOIN`): address totals, confirmed history pages
 * (25 transactions each, newest first, continued with `/txs/chain/:last_seen_txid`) and the tip
 * height. Transport failures map onto the connector port through ../http-json.ts.
 */
import type { Clock } from '../../lib/clock.js';
import { badShape, requestJsonOk } from '../http-json.js';
import type { EsploraAddress, EsploraTx } from './bitcoin.types.js';

/** Esplora's page size for `/address/:a/txs/chain`. */
export const ESPLORA_PAGE_SIZE = 25;

export interface EsploraClientOptions {
  baseUrl: string;
  timeoutMs: number;
  clock: Clock;
  signal?: AbortSignal;
}

const SOURCE = 'TORTIE_ESPLORA_BITCOIN';

export class EsploraClient {
  constructor(private readonly o: EsploraClientOptions) {}

  private get(path: string): Promise<unknown> {
    return requestJsonOk(`${this.o.baseUrl.replace(/\/+$/, '')}${path}`, { method: 'GET' }, { ...this.o, source: SOURCE });
  }

  /** `GET /address/:address`. */
  async address(a: string): Promise<EsploraAddress> {
    const j = (await this.get(`/address/${encodeURIComponent(a)}`)) as EsploraAddress | null;
    if (!j || typeof j !== 'object' || typeof j.chain_stats?.funded_txo_sum !== 'number' || typeof j.chain_stats.spent_txo_sum !== 'number') {
      throw badShape(SOURCE, '/address: no chain_stats');
    }
    return j;
  }

  /** `GET /address/:address/txs/chain[/:last_seen_txid]`: one page of confirmed transactions, newest first. */
  async chainTxs(a: string, lastSeen: string | null): Promise<EsploraTx[]> {
    const path = `/address/${encodeURIComponent(a)}/txs/chain${lastSeen ? `/${encodeURIComponent(lastSeen)}` : ''}`;
    const j = await this.get(path);
    if (!Array.isArray(j)) throw badShape(SOURCE, '/txs/chain: not a list');
    for (const t of j as EsploraTx[]) {
      if (!t || typeof t.txid !== 'string' || !Array.isArray(t.vin) || !Array.isArray(t.vout) || typeof t.status !== 'object') throw badShape(SOURCE, '/txs/chain: not a transaction');
    }
    return j as EsploraTx[];
  }

  /** `GET /blocks/tip/height`. */
  async tipHeight(): Promise<number> {
    const j = await this.get('/blocks/tip/height');
    if (typeof j !== 'number' || !Number.isSafeInteger(j)) throw badShape(SOURCE, '/blocks/tip/height: not an integer');
    return j;
  }
}
