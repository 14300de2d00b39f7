import { DAY_MS, field, type ExchangeQuirks } from './quirks.js';

/*
 * Raw sample (GET /sapi/v1/account/apiRestrictions, Binance docs "Get API Key Permission"):
 *   { "ipRestrict": false, "createTime": 1698645219000, "enableReading": true,
 *     "enableWithdrawals": false, "enableInternalTransfer": false, "enableMargin": false,
 *     "enableFutures": false, "permitsUniversalTransfer": false, "enableVanillaOptions": false,
 *     "enableFixApiTrade": false, "enableFixReadOnly": true, "enableSpotAndMarginTrading": false,
 *     "enablePortfolioMarginTrading": false }
 */
function readBinancePermissions(raw: unknown) {
  const on = (k: string) => field(raw, k) === true;
  return {
    canTrade: on('enableSpotAndMarginTrading') || on('enableMargin') || on('enableFutures') || on('enableVanillaOptions') || on('enablePortfolioMarginTrading') || on('enableFixApiTrade'),
    canWithdraw: on('enableWithdrawals') || on('enableInternalTransfer') || on('permitsUniversalTransfer'),
  };
}

/**
 * Binance: spot trades need a symbol (walked per symbol by trade id from the oldest); deposit and
 * withdrawal history answers at most 90 days per request, so it is walked back in 90-day windows
 * to Binance's launch (July 2017) on the first sync; the funding wallet is a separate balance.
 * fetchLedger covers contract wallets only, so spot has no ledger stream.
 */
export const binance: ExchangeQuirks = {
  id: 'binance',
  wallets: [
    { name: 'spot', params: {} },
    { name: 'funding', params: { type: 'funding' } },
  ],
  streams: [
    { kind: 'deposits', paging: { mode: 'window', windowMs: 90 * DAY_MS, historyStartMs: Date.UTC(2017, 6, 1) } },
    { kind: 'withdrawals', paging: { mode: 'window', windowMs: 90 * DAY_MS, historyStartMs: Date.UTC(2017, 6, 1) } },
    { kind: 'trades', per: 'symbol', paging: { mode: 'fromId' } },
  ],
  completeHistory: true,
  limit: 1000,
  permissions: { method: 'sapiGetAccountApiRestrictions', read: readBinancePermissions },
};
