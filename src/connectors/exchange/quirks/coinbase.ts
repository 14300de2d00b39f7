import { field, type ExchangeQuirks } from './quirks.js';

/*
 * Raw sample (GET /api/v3/brokerage/key_permissions, Coinbase Advanced Trade docs "Get API Key Permissions"):
 *   { "can_view": true, "can_trade": false, "can_transfer": false,
 *     "portfolio_uuid": "8ee9a9a8-…", "portfolio_type": "DEFAULT" }
 */
function readCoinbasePermissions(raw: unknown) {
  return { canTrade: field(raw, 'can_trade') === true, canWithdraw: field(raw, 'can_transfer') === true };
}

/**
 * Coinbase: every currency is its own v2 account, so deposits and withdrawals are walked per
 * currency held (fetchDepositsWithdrawals needs one); fills come from the v3 brokerage API for
 * all products at once.
 */
export const coinbase: ExchangeQuirks = {
  id: 'coinbase',
  wallets: [{ name: 'wallets', params: {} }],
  streams: [
    { kind: 'transfers', per: 'currency', paging: { mode: 'since' } },
    { kind: 'trades', paging: { mode: 'since' } },
  ],
  completeHistory: true,
  limit: 100,
  permissions: { method: 'v3PrivateGetBrokerageKeyPermissions', read: readCoinbasePermissions },
};
