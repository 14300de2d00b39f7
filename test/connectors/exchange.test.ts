/**
 * The shared connector contract for the eight ccxt exchanges: the real ccxt code (URL building,
 * signing, parsing) over HTTP against a local server answering recorded and hand-written
 * responses, with fault injection (429 + Retry-After, 500, truncated JSON, a hang).
 */
import { runConnectorContract } from './contract.js';
import { exchangeFixture } from './exchange-setups.js';

const EXCHANGES = ['coinbase', 'kraken', 'binance', 'bitstamp', 'gemini', 'kucoin', 'okx', 'bybit'] as const;

for (const id of EXCHANGES) {
  runConnectorContract({
    name: id,
    maxPages: 200,
    setup: async () => {
      const f = await exchangeFixture(id);
      return {
        connector: f.connector,
        connection: f.connection,
        badConnection: f.badConnection,
        faults: f.server.faults,
        teardown: () => f.server.close(),
      };
    },
  });
}
