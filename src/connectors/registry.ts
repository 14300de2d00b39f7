/**
 * Provider id → connector factory: the only list of concrete connectors. Exchange connectors load
 * ccxt lazily (inside their factory's first use), so nothing heavy is imported at API start-up.
 */
import type { ConnectorEndpoints, Connector, ConnectorFactory } from './connector.js';
import { sandboxCustodian, sandboxExchange, sandboxWallet } from './sandbox/index.js';
import { EXCHANGE_FACTORIES } from './exchange/index.js';
import { csvConnectorFactory } from './file-import/index.js';
import { EVM_FACTORIES } from './evm/index.js';
import { bitcoinConnectorFactory } from './bitcoin/index.js';
import { solanaConnectorFactory } from './solana/index.js';

const FACTORIES: Record<string, ConnectorFactory> = {
  'sandbox-exchange': sandboxExchange,
  'sandbox-custodian': sandboxCustodian,
  'sandbox-wallet': sandboxWallet,
  ...EXCHANGE_FACTORIES,
  csv: csvConnectorFactory,
  ...EVM_FACTORIES,
  bitcoin: bitcoinConnectorFactory(),
  solana: solanaConnectorFactory(),
};

export function connectorFor(providerId: string, endpoints: ConnectorEndpoints): Connector | undefined {
  const f = FACTORIES[providerId];
  return f ? f(endpoints) : undefined;
}

export function connectorProviderIds(): string[] {
  return Object.keys(FACTORIES);
}
