/**
 * Factories of the exchange connectors (one per supported exchange), registered in
 * ../registry.ts. Nothing here imports ccxt: it is loaded on the first network call.
 */
import type { ConnectorEndpoints, ConnectorFactory } from '../connector.js';
import { ExchangeConnector, type ExchangeConnectorOptions } from './exchange.connector.js';
import { EXCHANGE_QUIRKS } from './quirks/index.js';
import { EXCHANGE_PROVIDER_IDS } from './exchange.description.js';

export { EXCHANGE_PROVIDER_IDS };

/**
 * The factory for one exchange: its base URL comes from `endpoints.exchange[providerId]`
 * (`TORTIE_EXCHANGE_URL_<ID>`), replacing the host of every ccxt API URL.
 */
export function exchangeConnectorFactory(providerId: string, extra: Omit<ExchangeConnectorOptions, 'quirks' | 'baseUrl'> = {}): ConnectorFactory {
  const quirks = EXCHANGE_QUIRKS[providerId];
  if (!quirks) throw new Error(`no exchange connector for ${providerId}`);
  return (endpoints: ConnectorEndpoints) => new ExchangeConnector({ ...extra, quirks, baseUrl: endpoints.exchange[providerId] });
}

/** Every exchange factory by provider id. */
export const EXCHANGE_FACTORIES: Record<string, ConnectorFactory> = Object.fromEntries(
  EXCHANGE_PROVIDER_IDS.map((id) => [id, exchangeConnectorFactory(id)]),
);

export { ExchangeConnector, EXCHANGE_CONNECTOR_VERSION, type ExchangeConnectorOptions } from './exchange.connector.js';
