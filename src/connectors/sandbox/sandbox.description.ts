/**
 * What the sandbox connectors declare (SPEC §10), without loading them: the provider catalogue
 * reads this at start-up, and SandboxConnector.describe() returns the same.
 */
import { findProvider } from '../../domain/providers.js';
import type { SandboxProviderId } from '../../sandbox/sandbox-assets.js';
import type { ConnectorDescription } from '../connector.js';

export const SANDBOX_VERSION = 'sandbox/1';

export function describeSandbox(providerId: SandboxProviderId): ConnectorDescription {
  const p = findProvider(providerId)!;
  return {
    provider_id: providerId,
    version: SANDBOX_VERSION,
    connection_types: p.connection_types,
    credential_fields: p.credential_fields,
    capabilities: { balances: true, transactions: true, as_of: true },
  };
}
