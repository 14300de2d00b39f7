/**
 * What the CSV file-import connector declares, without loading it (its parser and mappers): the provider
 * catalogue reads this at start-up, and the connector's describe() returns the same.
 */
import { findProvider } from '../../domain/providers.js';
import type { ConnectorDescription } from '../connector.js';

/** Recorded as provenance on every record. */
export const CSV_CONNECTOR_VERSION = 'csv-import/1.0.0';

export function describeCsv(): ConnectorDescription {
  return {
    provider_id: 'csv',
    version: CSV_CONNECTOR_VERSION,
    connection_types: ['file'],
    credential_fields: findProvider('csv')?.credential_fields ?? [],
    capabilities: { balances: true, transactions: true, as_of: true },
  };
}
