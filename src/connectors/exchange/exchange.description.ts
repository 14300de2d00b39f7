/**
 * What the exchange connectors declare, from each exchange's quirks alone: the provider catalogue
 * reads this without loading the connector (or ccxt), and ExchangeConnector.describe() returns the
 * same.
 */
import { findProvider } from '../../domain/providers.js';
import type { ConnectorDescription } from '../connector.js';
import { EXCHANGE_QUIRKS, type ExchangeQuirks } from './quirks/index.js';

/** Recorded as provenance on every record (bump when the mapping changes). */
export const EXCHANGE_CONNECTOR_VERSION = 'exchange-ccxt/1.0.0';

/** The provider ids served by the ccxt exchange connector. */
export const EXCHANGE_PROVIDER_IDS = Object.keys(EXCHANGE_QUIRKS);

export function describeExchange(q: ExchangeQuirks): ConnectorDescription {
  return {
    provider_id: q.id,
    version: EXCHANGE_CONNECTOR_VERSION,
    connection_types: ['api_key'],
    credential_fields: findProvider(q.id)?.credential_fields ?? [],
    capabilities: { balances: true, transactions: true, as_of: q.completeHistory, detects_key_permissions: Boolean(q.permissions) },
  };
}
