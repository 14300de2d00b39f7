import { field, type ExchangeQuirks } from './quirks.js';

/*
 * Raw sample (GET /api/v5/account/config, OKX docs "Get account configuration"):
 *   { "code": "0", "msg": "", "data": [{ "uid": "44705892343619584", "acctLv": "2",
 *     "perm": "read_only,trade", "posMode": "long_short_mode", … }] }
 */
function readOkxPermissions(raw: unknown) {
  const perm = String(field(raw, 'data', 0, 'perm') ?? '').split(',');
  return { canTrade: perm.includes('trade'), canWithdraw: perm.includes('withdraw') };
}

/**
 * OKX: the trading account and the funding account are separate balances, merged per asset.
 * fills-history and bills serve the last three months, so history is not declared complete.
 */
export const okx: ExchangeQuirks = {
  id: 'okx',
  wallets: [
    { name: 'trading', params: {} },
    { name: 'funding', params: { type: 'funding' } },
  ],
  streams: [
    { kind: 'deposits', paging: { mode: 'since' } },
    { kind: 'withdrawals', paging: { mode: 'since' } },
    { kind: 'ledger', paging: { mode: 'since' } },
    { kind: 'trades', paging: { mode: 'since' }, params: { type: 'spot' } },
  ],
  completeHistory: false,
  limit: 100,
  permissions: { method: 'privateGetAccountConfig', read: readOkxPermissions },
};
