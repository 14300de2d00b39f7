/**
 * Per-exchange local servers for the contract suite: which recorded (ccxt static fixtures) or
 * hand-written (test/fixtures/exchange) response answers which request ccxt makes, and how each
 * exchange refuses an unknown API key (its documented error body).
 */
import type { Connection } from '../../src/connectors/connector.js';
import { ExchangeConnector } from '../../src/connectors/exchange/index.js';
import { EXCHANGE_QUIRKS } from '../../src/connectors/exchange/quirks/index.js';
import { Reply, handWritten, marketsOf, recorded, startExchangeServer, type ExchangeServer, type Route, type ServedRequest } from './exchange-server.js';

const q = (r: ServedRequest, k: string) => r.query.get(k) ?? new URLSearchParams(r.body).get(k);
const inWindow = (r: ServedRequest, t: number) => {
  const start = Number(q(r, 'startTime') ?? 0);
  const end = Number(q(r, 'endTime') ?? Number.MAX_SAFE_INTEGER);
  return t >= start && t <= end;
};

export const EXCHANGE_ROUTES: Record<string, { routes: Route[]; authError: Reply; passphrase?: boolean; apiKey?: string }> = {
  binance: {
    authError: new Reply(401, { code: -2015, msg: 'Invalid API-key, IP, or permissions for action.' }),
    routes: [
      { path: '/api/v3/account', respond: () => recorded('binance', 'fetchBalance', 0) },
      { path: '/sapi/v1/asset/get-funding-asset', respond: () => handWritten('binance', 'fetchBalance') },
      { path: '/sapi/v1/account/apiRestrictions', respond: () => handWritten('binance', 'apiRestrictions', 'read-only key') },
      {
        path: '/sapi/v1/capital/deposit/hisrec',
        respond: (r) => {
          const all = [
            ...(recorded('binance', 'fetchDeposits') as { insertTime: string }[]),
            ...(handWritten('binance', 'fetchDeposits', 'deposit 2019 (an older window, beyond several empty windows)') as { insertTime: string }[]),
            ...(handWritten('binance', 'fetchDeposits', 'a window with two pages\' worth kept short: second deposit of 2019') as { insertTime: string }[]),
          ];
          return all.filter((d) => inWindow(r, Number(d.insertTime)));
        },
      },
      {
        path: '/sapi/v1/capital/withdraw/history',
        respond: (r) => (recorded('binance', 'fetchWithdrawals') as { applyTime: string }[]).filter((w) => inWindow(r, Date.parse(`${w.applyTime.replace(' ', 'T')}Z`))),
      },
      { path: '/api/v3/myTrades', respond: (r) => (q(r, 'symbol') === 'LTCUSDT' ? recorded('binance', 'fetchMyTrades', 0) : []) },
    ],
  },
  kraken: {
    authError: new Reply(200, { error: ['EAPI:Invalid key'] }),
    routes: [
      { path: '/0/private/BalanceEx', respond: () => handWritten('kraken', 'fetchBalance') },
      { path: '/0/private/DepositStatus', respond: () => recorded('kraken', 'fetchDeposits') },
      { path: '/0/private/WithdrawStatus', respond: () => recorded('kraken', 'fetchWithdrawals') },
      { path: '/0/private/Ledgers', respond: () => handWritten('kraken', 'fetchLedger') },
      { path: '/0/private/TradesHistory', respond: () => handWritten('kraken', 'fetchMyTrades') },
    ],
  },
  coinbase: {
    authError: new Reply(401, { error: 'authentication_error', message: 'invalid api key' }),
    routes: [
      {
        path: '/v2/accounts',
        respond: () => {
          // the recorded page plus a hand-written USDT wallet (the recorded transactions' account), as one last page
          const page = recorded('coinbase', 'fetchBalance', 1) as { data: unknown[]; pagination: Record<string, unknown> };
          return { data: [...page.data, handWritten('coinbase', 'fetchBalance')], pagination: { ...page.pagination, next_starting_after: null, next_uri: null } };
        },
      },
      { path: '/api/v3/brokerage/accounts', respond: () => handWritten('coinbase', 'fetchAccounts') },
      {
        path: /^\/v2\/accounts\/[^/]+\/transactions$/,
        respond: (r) => (r.path.includes('952ea6fb-7422-5097-841f-23749355aca5') ? recorded('coinbase', 'fetchDepositsWithdrawals') : handWritten('coinbase', 'fetchDepositsWithdrawals')),
      },
      { path: '/api/v3/brokerage/orders/historical/fills', respond: () => recorded('coinbase', 'fetchMyTrades', 0) },
      { path: '/api/v3/brokerage/key_permissions', respond: () => handWritten('coinbase', 'keyPermissions') },
    ],
  },
  bitstamp: {
    authError: new Reply(403, { status: 'error', reason: 'Invalid signature', code: 'API0005' }),
    routes: [
      { path: '/api/v2/account_balances/', respond: () => handWritten('bitstamp', 'fetchBalance') },
      { path: '/api/v2/user_transactions/', respond: () => handWritten('bitstamp', 'userTransactions') },
    ],
  },
  gemini: {
    apiKey: 'account-tortie',
    authError: new Reply(400, { result: 'error', reason: 'InvalidSignature', message: 'InvalidSignature' }),
    routes: [
      { path: '/v1/balances', respond: () => handWritten('gemini', 'fetchBalance') },
      { path: '/v1/roles', respond: () => handWritten('gemini', 'roles') },
      { path: '/v1/transfers', respond: () => handWritten('gemini', 'fetchDepositsWithdrawals') },
      { path: '/v1/mytrades', respond: (r) => (JSON.stringify(r.headers).includes('btcusd') || r.body.includes('btcusd') ? handWritten('gemini', 'fetchMyTrades') : []) },
    ],
  },
  kucoin: {
    passphrase: true,
    authError: new Reply(401, { code: '400003', msg: 'KC-API-KEY not exists' }),
    routes: [
      { path: '/api/ua/v1/account/mode', respond: () => handWritten('kucoin', 'accountMode') },
      {
        path: '/api/v1/accounts',
        respond: (r) => {
          const body = recorded('kucoin', 'fetchBalance', 0) as { data: { type: string }[] };
          const type = q(r, 'type');
          return { ...body, data: body.data.filter((a) => !type || a.type === type) };
        },
      },
      { path: '/api/v1/user/api-key', respond: () => handWritten('kucoin', 'apiKey') },
      { path: '/api/v1/deposits', respond: () => handWritten('kucoin', 'fetchDeposits') },
      { path: '/api/v1/withdrawals', respond: () => handWritten('kucoin', 'fetchWithdrawals') },
      { path: /^\/api\/v1\/(hf\/)?accounts\/ledgers$/, respond: () => recorded('kucoin', 'fetchLedger') },
      { path: /^\/api\/v1\/(hf\/)?fills$/, respond: () => recorded('kucoin', 'fetchMyTrades') },
    ],
  },
  okx: {
    passphrase: true,
    authError: new Reply(401, { code: '50111', msg: 'Invalid OK-ACCESS-KEY' }),
    routes: [
      { path: '/api/v5/account/balance', respond: () => recorded('okx', 'fetchBalance', 3) },
      { path: '/api/v5/asset/balances', respond: () => recorded('okx', 'fetchBalance', 0) },
      { path: '/api/v5/account/config', respond: () => handWritten('okx', 'accountConfig') },
      { path: '/api/v5/asset/deposit-history', respond: () => handWritten('okx', 'fetchDeposits') },
      { path: '/api/v5/asset/withdrawal-history', respond: () => handWritten('okx', 'fetchWithdrawals') },
      { path: /^\/api\/v5\/account\/bills(-archive)?$/, respond: () => recorded('okx', 'fetchLedger') },
      { path: /^\/api\/v5\/trade\/fills(-history)?$/, respond: () => recorded('okx', 'fetchMyTrades') },
    ],
  },
  bybit: {
    authError: new Reply(401, { retCode: 10003, retMsg: 'API key is invalid.', result: {}, retExtInfo: {}, time: 1672194949928 }),
    routes: [
      { path: '/v5/user/query-api', respond: () => handWritten('bybit', 'queryApi') },
      { path: '/v5/account/info', respond: () => handWritten('bybit', 'accountInfo') },
      { path: '/v5/account/wallet-balance', respond: () => recorded('bybit', 'fetchBalance') },
      { path: '/v5/asset/transfer/query-account-coins-balance', respond: () => handWritten('bybit', 'fundBalance') },
      { path: '/v5/asset/deposit/query-record', respond: () => handWritten('bybit', 'fetchDeposits') },
      { path: '/v5/asset/withdraw/query-record', respond: () => handWritten('bybit', 'fetchWithdrawals') },
      { path: /^\/v5\/account\/(transaction-log|contract-transaction-log)$/, respond: () => recorded('bybit', 'fetchLedger') },
      { path: '/v5/execution/list', respond: () => recorded('bybit', 'fetchMyTrades', 2) },
    ],
  },
};

export interface ExchangeFixture {
  server: ExchangeServer;
  connector: ExchangeConnector;
  connection: Connection;
  badConnection: Connection;
}

/** A connector for `id` pointed at a fresh local server answering the fixtures. */
export async function exchangeFixture(id: string, timeoutMs = 400): Promise<ExchangeFixture> {
  const setup = EXCHANGE_ROUTES[id]!;
  const server = await startExchangeServer({ routes: setup.routes, authError: setup.authError });
  const connector = new ExchangeConnector({ quirks: EXCHANGE_QUIRKS[id]!, baseUrl: server.url, timeoutMs, ...marketsOf(id) });
  const key = setup.apiKey ?? 'tortie-key';
  const connection: Connection = { type: 'api_key', api_key: key, secret_key: 'c2VjcmV0c2VjcmV0', ...(setup.passphrase ? { passphrase: 'pass' } : {}) };
  const badConnection: Connection = { ...connection, api_key: setup.apiKey ? 'account-bad-key' : 'bad-key' };
  return { server, connector, connection, badConnection };
}
