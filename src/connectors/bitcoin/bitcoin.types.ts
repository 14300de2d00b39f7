/**
 * Raw payload types of the Bitcoin connector: Esplora's REST API as documented in
 * https://github.com/Blockstream/esplora/blob/master/API.md. They never leave this folder.
 */

/** `GET /address/:address` — funded/spent totals in satoshi, confirmed (`chain_stats`) and unconfirmed. */
export interface EsploraAddress {
  address: string;
  chain_stats: EsploraAddressStats;
  mempool_stats: EsploraAddressStats;
}

export interface EsploraAddressStats {
  funded_txo_count: number;
  funded_txo_sum: number;
  spent_txo_count: number;
  spent_txo_sum: number;
  tx_count: number;
}

/** An output as Esplora serializes it (`vout[n]`, and `vin[n].prevout`). `value` is satoshi. */
export interface EsploraOutput {
  scriptpubkey: string;
  scriptpubkey_asm?: string;
  scriptpubkey_type: string;
  /** Absent for outputs without an address (OP_RETURN, bare multisig). */
  scriptpubkey_address?: string;
  value: number;
}

export interface EsploraInput {
  txid: string;
  vout: number;
  /** Null for a coinbase input. */
  prevout: EsploraOutput | null;
  scriptsig: string;
  scriptsig_asm?: string;
  witness?: string[];
  is_coinbase: boolean;
  sequence: number;
}

/** `GET /tx/:txid` and every element of `/address/:address/txs…` (newest first). */
export interface EsploraTx {
  txid: string;
  version: number;
  locktime: number;
  vin: EsploraInput[];
  vout: EsploraOutput[];
  size: number;
  weight: number;
  /** Miner fee in satoshi. */
  fee: number;
  status: { confirmed: boolean; block_height?: number; block_hash?: string; block_time?: number };
}

/** Address kinds derived from an extended public key (by its version prefix). */
export type ScriptKind = 'p2pkh' | 'p2sh-p2wpkh' | 'p2wpkh';

/**
 * The Bitcoin connector's cursor. Each address's confirmed history is walked newest first, 25
 * transactions per Esplora page; `seen[address]` is the block height of the newest transaction of
 * the address's last complete walk (a later walk stops there, less a reorg margin), and `walk` is
 * the walk in progress.
 */
export interface BitcoinCursor {
  seen: Record<string, number>;
  walk: { index: number; last_seen: string | null; top_height: number | null } | null;
  [k: string]: unknown;
}
