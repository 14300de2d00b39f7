/**
 * Reconciliation (SPEC §9): the balance implied by an account's history (outputs − inputs − fees of
 * its confirmed, non-removed transactions) against the balance the source reports. Any difference
 * is a gap, stored on the account and shown as `status_cause: reconciliation_gap`.
 */
import { DecimalSum, cmp, neg, sub } from '../lib/decimal.js';

export interface AssetGap {
  asset_id: string;
  reported: string;
  implied: string;
  /** reported − implied */
  gap: string;
}

export interface Reconciliation {
  checked_at: string;
  /** True when every asset matches exactly. */
  balanced: boolean;
  gaps: AssetGap[];
}

/** `implied`: asset → net quantity from history; `reported`: asset → quantity from the source. */
export function reconcile(implied: Map<string, string>, reported: Map<string, string>, checkedAt: string): Reconciliation {
  const assets = new Set([...implied.keys(), ...reported.keys()]);
  const gaps: AssetGap[] = [];
  for (const asset_id of [...assets].sort()) {
    const i = implied.get(asset_id) ?? '0';
    const r = reported.get(asset_id) ?? '0';
    if (cmp(i, r) !== 0) gaps.push({ asset_id, reported: r, implied: i, gap: sub(r, i) });
  }
  return { checked_at: checkedAt, balanced: gaps.length === 0, gaps };
}

/** Net quantities per asset from movement rows (side in = left the account, out = came in, fee = left). */
export function impliedBalances(rows: Iterable<{ asset_id: string; side: string; quantity: string }>): Map<string, string> {
  const sums = new Map<string, DecimalSum>();
  for (const r of rows) {
    let s = sums.get(r.asset_id);
    if (!s) sums.set(r.asset_id, (s = new DecimalSum()));
    s.add(r.side === 'out' ? r.quantity : neg(r.quantity));
  }
  return new Map([...sums].map(([k, v]) => [k, v.value()]));
}
