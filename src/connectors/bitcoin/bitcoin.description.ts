/**
 * What the Bitcoin connector declares, without loading it (@scure/bip32 and @scure/btc-signer): the provider
 * catalogue reads this at start-up, and the connector's describe() returns the same.
 */
import { findProvider } from '../../domain/providers.js';
import type { ConnectorDescription } from '../connector.js';

/** Recorded as provenance on every record (bump when the mapping changes). */
export const BITCOIN_CONNECTOR_VERSION = 'bitcoin-esplora/1.0.0';

export function describeBitcoin(): ConnectorDescription {
  return {
    provider_id: 'bitcoin',
    version: BITCOIN_CONNECTOR_VERSION,
    connection_types: ['wallet'],
    credential_fields: findProvider('bitcoin')?.credential_fields ?? [],
    capabilities: { balances: true, transactions: true, as_of: true },
  };
}
