/**
 * What the Solana connector declares, without loading it (@scure/base): the provider
 * catalogue reads this at start-up, and the connector's describe() returns the same.
 */
import { findProvider } from '../../domain/providers.js';
import type { ConnectorDescription } from '../connector.js';

/** Recorded as provenance on every record (bump when the mapping changes). */
export const SOLANA_CONNECTOR_VERSION = 'solana-rpc/1.0.0';

export function describeSolana(): ConnectorDescription {
  return {
    provider_id: 'solana',
    version: SOLANA_CONNECTOR_VERSION,
    connection_types: ['wallet'],
    credential_fields: findProvider('solana')?.credential_fields ?? [],
    // transfers into token accounts that never name the owner are not seen (see solana.connector.ts)
    capabilities: { balances: true, transactions: true, as_of: false },
  };
}
