/**
 * Internal transfers (SPEC §9): a send from one of a user's accounts matched to a receive in
 * another — by the same transaction hash, or by the same asset and amount (the receive may be the
 * send net of a fee) within a time window — is marked on both sides. Pure: the caller loads
 * candidates and stores the pairs.
 */
import { cmp, isZero, sub } from '../lib/decimal.js';

export interface TransferCandidate {
  transaction_id: string;
  account_id: string;
  type: 'send' | 'receive';
  timestamp: string;
  tx_hash: string | null;
  asset_id: string;
  quantity: string;
  /** Fee paid by the sender in the same asset ("0" when none). */
  fee_same_asset: string;
}

export interface TransferPair {
  send: TransferCandidate;
  receive: TransferCandidate;
}

export const MATCH_WINDOW_MS = 6 * 3_600_000;

export function matchInternalTransfers(candidates: readonly TransferCandidate[], windowMs = MATCH_WINDOW_MS): TransferPair[] {
  const sends = candidates.filter((c) => c.type === 'send').sort((a, b) => a.timestamp.localeCompare(b.timestamp) || a.transaction_id.localeCompare(b.transaction_id));
  const receives = candidates.filter((c) => c.type === 'receive').sort((a, b) => a.timestamp.localeCompare(b.timestamp) || a.transaction_id.localeCompare(b.transaction_id));
  const used = new Set<string>();
  const pairs: TransferPair[] = [];
  // 1. same transaction hash (on-chain transfers between own wallets, exchange withdrawals with txid)
  for (const s of sends) {
    if (!s.tx_hash) continue;
    const r = receives.find((x) => !used.has(x.transaction_id) && x.account_id !== s.account_id && x.tx_hash && x.tx_hash.toLowerCase() === s.tx_hash!.toLowerCase() && x.asset_id === s.asset_id);
    if (r) {
      used.add(r.transaction_id).add(s.transaction_id);
      pairs.push({ send: s, receive: r });
    }
  }
  // 2. same asset and amount (exactly, or net of the sender's fee), receive after send within the window
  for (const s of sends) {
    if (used.has(s.transaction_id)) continue;
    const t0 = Date.parse(s.timestamp);
    const r = receives.find((x) => {
      if (used.has(x.transaction_id) || x.account_id === s.account_id || x.asset_id !== s.asset_id) return false;
      const dt = Date.parse(x.timestamp) - t0;
      if (dt < 0 || dt > windowMs) return false;
      return cmp(x.quantity, s.quantity) === 0 || (!isZero(s.fee_same_asset) && cmp(x.quantity, sub(s.quantity, s.fee_same_asset)) === 0);
    });
    if (r) {
      used.add(r.transaction_id).add(s.transaction_id);
      pairs.push({ send: s, receive: r });
    }
  }
  return pairs;
}
