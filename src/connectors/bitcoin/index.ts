/** The Bitcoin connector factory (Esplora at `TORTIE_ESPLORA_BITCOIN`), registered in ../registry.ts. */
import type { ConnectorFactory } from '../connector.js';
import { BitcoinConnector, type BitcoinConnectorOptions } from './bitcoin.connector.js';

/** A factory; `overrides` tune the timeout and gap limit (tests use a short timeout). */
export function bitcoinConnectorFactory(overrides: Partial<Omit<BitcoinConnectorOptions, 'esploraUrl'>> = {}): ConnectorFactory {
  return (endpoints) => new BitcoinConnector({ esploraUrl: endpoints.esplora, ...overrides });
}
