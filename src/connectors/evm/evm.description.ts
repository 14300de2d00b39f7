/**
 * What the EVM connectors declare, without loading them (or viem): the provider catalogue reads
 * this at start-up, and EvmConnector.describe() returns the same.
 */
import { findProvider } from '../../domain/providers.js';
import type { ConnectorDescription } from '../connector.js';

/** Recorded as provenance on every record (bump when the mapping changes). */
export const EVM_CONNECTOR_VERSION = 'evm-viem/1.0.0';

/** The description of one chain's connector (`providerId` as in evm.chains.ts). */
export function describeEvm(providerId: string): ConnectorDescription {
  return {
    provider_id: providerId,
    version: EVM_CONNECTOR_VERSION,
    connection_types: ['wallet'],
    credential_fields: findProvider(providerId)?.credential_fields ?? [{ name: 'address', label: 'Wallet address', secret: false, required: true }],
    // internal (trace-level) native transfers are not seen, so history cannot promise past holdings
    capabilities: { balances: true, transactions: true, as_of: false },
  };
}
