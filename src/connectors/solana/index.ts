/** The Solana connector factory (JSON-RPC at `TORTIE_RPC_SOLANA`), registered in ../registry.ts. */
import type { ConnectorFactory } from '../connector.js';
import { SolanaConnector, type SolanaConnectorOptions } from './solana.connector.js';

/** A factory; `overrides` tune the timeout and page size (tests use small ones). */
export function solanaConnectorFactory(overrides: Partial<Omit<SolanaConnectorOptions, 'rpcUrl'>> = {}): ConnectorFactory {
  return (endpoints) => new SolanaConnector({ rpcUrl: endpoints.rpc.solana ?? null, ...overrides });
}
