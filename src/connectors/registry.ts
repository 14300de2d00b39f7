/**
 * Provider id → connector: the only list of concrete connectors. Each entry names the connector's
 * light description module (imported here) and its implementation (imported on first use, see
 * lazy-connector.ts), so building the container or answering the provider catalogue loads no
 * connector library — viem, ccxt, @scure/* — and a process that only serves the API never does.
 */
import type { ConnectorEndpoints, Connector } from './connector.js';
import { lazyConnector, type LazyConnectorSource } from './lazy-connector.js';
import { describeSandbox } from './sandbox/sandbox.description.js';
import { EXCHANGE_PROVIDER_IDS, describeExchange } from './exchange/exchange.description.js';
import { EXCHANGE_QUIRKS } from './exchange/quirks/index.js';
import { describeCsv } from './file-import/csv.description.js';
import { EVM_CHAINS } from './evm/evm.chains.js';
import { describeEvm } from './evm/evm.description.js';
import { describeBitcoin } from './bitcoin/bitcoin.description.js';
import { describeSolana } from './solana/solana.description.js';

const SOURCES: Record<string, LazyConnectorSource> = {
  'sandbox-exchange': { describe: () => describeSandbox('sandbox-exchange'), load: async () => (await import('./sandbox/index.js')).sandboxExchange },
  'sandbox-custodian': { describe: () => describeSandbox('sandbox-custodian'), load: async () => (await import('./sandbox/index.js')).sandboxCustodian },
  'sandbox-wallet': { describe: () => describeSandbox('sandbox-wallet'), load: async () => (await import('./sandbox/index.js')).sandboxWallet },
  ...Object.fromEntries(
    EXCHANGE_PROVIDER_IDS.map((id): [string, LazyConnectorSource] => [
      id,
      { describe: () => describeExchange(EXCHANGE_QUIRKS[id]!), load: async () => (await import('./exchange/index.js')).EXCHANGE_FACTORIES[id]! },
    ]),
  ),
  csv: { describe: describeCsv, load: async () => (await import('./file-import/index.js')).csvConnectorFactory },
  ...Object.fromEntries(
    Object.keys(EVM_CHAINS).map((id): [string, LazyConnectorSource] => [
      id,
      { describe: () => describeEvm(id), load: async () => (await import('./evm/index.js')).EVM_FACTORIES[id]! },
    ]),
  ),
  bitcoin: { describe: describeBitcoin, load: async () => (await import('./bitcoin/index.js')).bitcoinConnectorFactory() },
  solana: { describe: describeSolana, load: async () => (await import('./solana/index.js')).solanaConnectorFactory() },
};

/** The provider's connector with this deployment's endpoints; its implementation loads on first use. */
export function connectorFor(providerId: string, endpoints: ConnectorEndpoints): Connector | undefined {
  const source = SOURCES[providerId];
  return source ? lazyConnector(source, endpoints) : undefined;
}

export function connectorProviderIds(): string[] {
  return Object.keys(SOURCES);
}
