import type { ExchangeQuirks } from './quirks.js';

/**
 * Bitstamp: one balance call; user_transactions serves both trades and deposits/withdrawals
 * (ccxt splits them); Bitstamp does not report a key's permissions.
 */
export const bitstamp: ExchangeQuirks = {
  id: 'bitstamp',
  wallets: [{ name: 'spot', params: {} }],
  streams: [
    { kind: 'transfers', paging: { mode: 'since' } },
    { kind: 'trades', paging: { mode: 'since' } },
  ],
  completeHistory: true,
  limit: 1000,
};
