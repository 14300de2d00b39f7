import { field, type ExchangeQuirks } from './quirks.js';

/*
 * Raw sample (GET /api/v1/user/api-key, KuCoin docs "Get API Key Info"):
 *   { "code": "200000", "data": { "remark": "read", "apiKey": "…", "apiVersion": 3,
 *     "permission": "General", "ipWhitelist": "", "createdAt": 1729000000000, "uid": 1, "isMaster": true } }
 */
function readKucoinPermissions(raw: unknown) {
  const perms = String(field(raw, 'data', 'permission') ?? '').split(',').map((p) => p.trim().toLowerCase());
  return {
    canTrade: perms.some((p) => ['spot', 'margin', 'futures', 'leveragedtoken', 'trade'].includes(p)),
    canWithdraw: perms.some((p) => ['withdrawal', 'transfer', 'innertransfer'].includes(p)),
  };
}

/**
 * KuCoin: the main (funding) and trade accounts are separate balances, merged per asset. Fills,
 * deposits and the ledger answer a recent span by default (7 days to a year per request), so
 * without a window walk the history is not declared complete.
 */
export const kucoin: ExchangeQuirks = {
  id: 'kucoin',
  wallets: [
    { name: 'trade', params: { type: 'spot' } },
    { name: 'main', params: { type: 'main' } },
  ],
  streams: [
    { kind: 'deposits', paging: { mode: 'since' } },
    { kind: 'withdrawals', paging: { mode: 'since' } },
    { kind: 'ledger', paging: { mode: 'since' } },
    { kind: 'trades', paging: { mode: 'since' } },
  ],
  completeHistory: false,
  limit: 50,
  permissions: { method: 'privateGetUserApiKey', read: readKucoinPermissions },
};
