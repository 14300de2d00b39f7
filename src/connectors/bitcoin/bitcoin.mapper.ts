/**
 * Pure mappers of the Bitcoin connector: Esplora payloads → positions and SPEC §8 transactions,
 * computing each transaction's net effect across every address of the wallet.
 */
import type { PositionRecord } from '../../domain/records.js';
import { isoOf } from '../../lib/clock.js';
import { fromBaseUnits } from '../../lib/decimal.js';
import type { SourceMovement, SourceTransaction } from '../connector.js';
import type { EsploraAddress, EsploraTx } from './bitcoin.types.js';

const BTC = { asset_id: 'bitcoin', asset_symbol: 'BTC' } as const;

function btc(sats: bigint): SourceMovement {
  return { ...BTC, quantity: fromBaseUnits(sats, 8) };
}

/**
 * Confirmed balance in satoshi of one address: funded − spent of `chain_stats` (unconfirmed
 * mempool amounts are left out, as the history is confirmed-only).
 *
 * Raw sample (`GET /address/bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu`):
 *   { "address": "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu",
 *     "chain_stats": { "funded_txo_count": 1, "funded_txo_sum": 100000, "spent_txo_count": 1, "spent_txo_sum": 100000, "tx_count": 2 },
 *     "mempool_stats": { "funded_txo_count": 0, "funded_txo_sum": 0, "spent_txo_count": 0, "spent_txo_sum": 0, "tx_count": 0 } }
 */
export function confirmedSats(a: EsploraAddress): bigint {
  return BigInt(a.chain_stats.funded_txo_sum) - BigInt(a.chain_stats.spent_txo_sum);
}

/** The wallet's BTC position (satoshi summed over its addresses). */
export function bitcoinPosition(sats: bigint, raw: unknown, version: string): PositionRecord {
  return { ...BTC, asset_name: 'Bitcoin', network: 'bitcoin', quantity: fromBaseUnits(sats, 8), raw, connector_version: version };
}

/** Every address a transaction touches (prevouts of its inputs, then its outputs), in order. */
export function addressesOf(tx: EsploraTx): string[] {
  const out: string[] = [];
  for (const i of tx.vin) if (i.prevout?.scriptpubkey_address) out.push(i.prevout.scriptpubkey_address);
  for (const o of tx.vout) if (o.scriptpubkey_address) out.push(o.scriptpubkey_address);
  return out;
}

/**
 * One confirmed transaction's net effect on the wallet (all its addresses):
 *
 * - `received` = outputs paying the wallet, `spent` = inputs the wallet funded;
 * - all inputs the wallet's: it paid the miner fee (a fee item) and sent `spent − received − fee`
 *   to others → `send`; nothing went to others (a payment to oneself, a consolidation, change
 *   moving between the wallet's addresses) → a `fee` transaction whose only input is the miner
 *   fee — a payment to oneself is never income;
 * - only some inputs the wallet's (a coinjoin, a payjoin): its share of the fee cannot be known,
 *   so the net (received − spent) is reported as a `send` or `receive` without a fee item;
 * - no input the wallet's → `receive` (`mining` for a coinbase).
 *
 * Raw sample (`GET /address/:a/txs/chain` element, Esplora's documented format):
 *   { "txid": "9b1f…", "version": 2, "locktime": 0, "size": 222, "weight": 561, "fee": 1410,
 *     "vin": [{ "txid": "41c9…", "vout": 0, "is_coinbase": false, "sequence": 4294967293, "scriptsig": "", "witness": ["3044…01", "0330…"],
 *               "prevout": { "scriptpubkey": "0014c0cebcd6…", "scriptpubkey_type": "v0_p2wpkh",
 *                            "scriptpubkey_address": "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu", "value": 100000 } }],
 *     "vout": [{ "scriptpubkey": "0014…", "scriptpubkey_type": "v0_p2wpkh", "scriptpubkey_address": "bc1q…", "value": 98590 }],
 *     "status": { "confirmed": true, "block_height": 800123, "block_hash": "0000…", "block_time": 1690168629 } }
 */
export function mapBitcoinTx(tx: EsploraTx, wallet: ReadonlySet<string>): SourceTransaction | null {
  if (!tx.status.confirmed || tx.status.block_time === undefined) return null;
  let received = 0n;
  let spent = 0n;
  let ownInputs = 0;
  let fromAddr: string | null = null;
  let ownOut: string | null = null;
  let otherOut: string | null = null;
  for (const i of tx.vin) {
    const a = i.prevout?.scriptpubkey_address;
    fromAddr ??= a ?? null;
    if (a && wallet.has(a)) {
      spent += BigInt(i.prevout!.value);
      ownInputs++;
    }
  }
  for (const o of tx.vout) {
    const a = o.scriptpubkey_address;
    if (a && wallet.has(a)) {
      received += BigInt(o.value);
      ownOut ??= a;
    } else if (a) otherOut ??= a;
  }
  const coinbase = tx.vin.some((i) => i.is_coinbase);
  const allOwn = ownInputs > 0 && ownInputs === tx.vin.length;
  const fee = BigInt(tx.fee);
  const base = {
    fingerprint: tx.txid,
    timestamp: isoOf(tx.status.block_time * 1000),
    status: 'confirmed' as const,
    network: 'bitcoin',
    tx_hash: tx.txid,
    provider_transaction_id: tx.txid,
    raw: tx,
  };
  if (allOwn) {
    const toOthers = spent - received - fee;
    if (toOthers > 0n) {
      return { ...base, type: 'send', inputs: [btc(toOthers)], outputs: [], fees: fee > 0n ? [btc(fee)] : [], from_address: fromAddr, to_address: otherOut, description: null };
    }
    if (fee <= 0n) return null;
    return {
      ...base,
      type: 'fee',
      inputs: [btc(fee)],
      outputs: [],
      fees: [],
      from_address: fromAddr,
      to_address: ownOut,
      description: "Payment to the wallet's own addresses: only the miner fee left the wallet",
    };
  }
  const net = received - spent;
  if (net > 0n) {
    return { ...base, type: coinbase ? 'mining' : 'receive', inputs: [], outputs: [btc(net)], fees: [], from_address: fromAddr, to_address: ownOut, description: ownInputs > 0 ? 'Shared transaction (the wallet funded some inputs): net amount' : null };
  }
  if (net < 0n) {
    return { ...base, type: 'send', inputs: [btc(-net)], outputs: [], fees: [], from_address: fromAddr, to_address: otherOut, description: 'Shared transaction (the wallet funded some inputs): net amount, miner fee included' };
  }
  return null;
}
