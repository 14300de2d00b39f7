import type { ExchangeQuirks } from './quirks.js';

/** Kraken's wallet suffixes: `.S` staked, `.M` opt-in rewards, `.F` auto-earn, `.B` bonded, `.P` parachain. */
const WALLET_SUFFIX = /\.(S|M|F|B|P)$/;

/** `DOT.S` → `DOT`, `ETH2.S` / `ETH2` → `ETH` (staked ether is ether). */
export function krakenBalanceCode(code: string): string {
  const base = code.replace(WALLET_SUFFIX, '');
  return base === 'ETH2' ? 'ETH' : base;
}

/**
 * Kraken: one balance call (BalanceEx) whose staking/earn assets carry a suffix and are merged
 * into their asset; trades and the ledger page newest-first by offset, 50 rows at a time; the
 * ledger contributes only rewards (its trade, deposit and withdrawal rows duplicate the other
 * streams). Kraken has no endpoint that reports a key's permissions.
 */
export const kraken: ExchangeQuirks = {
  id: 'kraken',
  wallets: [{ name: 'spot', params: {} }],
  balanceCode: krakenBalanceCode,
  streams: [
    { kind: 'deposits', paging: { mode: 'since' } },
    { kind: 'withdrawals', paging: { mode: 'since' } },
    { kind: 'ledger', paging: { mode: 'offset', pageSize: 50 } },
    { kind: 'trades', paging: { mode: 'offset', pageSize: 50 } },
  ],
  completeHistory: true,
  limit: 50,
};
