import { field, type ExchangeQuirks } from './quirks.js';

/*
 * Raw sample (POST /v1/roles, Gemini docs "Roles"):
 *   { "counterparty_id": "…", "isAuditor": true, "isFundManager": false, "isTrader": false }
 */
function readGeminiPermissions(raw: unknown) {
  return { canTrade: field(raw, 'isTrader') === true, canWithdraw: field(raw, 'isFundManager') === true };
}

/** Gemini: trades need a symbol (walked per symbol); transfers come from one combined endpoint. */
export const gemini: ExchangeQuirks = {
  id: 'gemini',
  wallets: [{ name: 'spot', params: {} }],
  streams: [
    { kind: 'transfers', paging: { mode: 'since' } },
    { kind: 'trades', per: 'symbol', paging: { mode: 'since' } },
  ],
  completeHistory: true,
  limit: 500,
  permissions: { method: 'privatePostV1Roles', read: readGeminiPermissions },
};
