import { field, type ExchangeQuirks } from './quirks.js';

/*
 * Raw sample (GET /v5/user/query-api, Bybit docs "Get API Key Information"):
 *   { "retCode": 0, "retMsg": "", "result": { "id": "13770661", "readOnly": 1,
 *     "permissions": { "ContractTrade": [], "Spot": [], "Wallet": ["AccountTransfer"], … },
 *     "unified": 0, "uta": 1, … } }
 */
function readBybitPermissions(raw: unknown) {
  const wallet = field(raw, 'result', 'permissions', 'Wallet');
  return {
    canTrade: Number(field(raw, 'result', 'readOnly')) !== 1,
    canWithdraw: Array.isArray(wallet) && wallet.includes('Withdraw'),
  };
}

/**
 * Bybit: the unified trading account and the funding account are separate balances. Executions
 * are served in 7-day spans (two years back), so history is not declared complete.
 */
export const bybit: ExchangeQuirks = {
  id: 'bybit',
  wallets: [
    { name: 'unified', params: {} },
    { name: 'funding', params: { type: 'funding' } },
  ],
  streams: [
    { kind: 'deposits', paging: { mode: 'since' } },
    { kind: 'withdrawals', paging: { mode: 'since' } },
    { kind: 'ledger', paging: { mode: 'since' } },
    { kind: 'trades', paging: { mode: 'since' }, params: { type: 'spot' } },
  ],
  completeHistory: false,
  limit: 50,
  permissions: { method: 'privateGetV5UserQueryApi', read: readBybitPermissions },
};
