/** Factory of the CSV file-import connector (provider `csv`), registered in ../registry.ts. */
import type { ConnectorFactory } from '../connector.js';
import { CsvConnector } from './csv.connector.js';

export const csvConnectorFactory: ConnectorFactory = () => new CsvConnector();
export { CsvConnector, CSV_CONNECTOR_VERSION, importCsv } from './csv.connector.js';
export type { CsvImportReport, RejectedRow, CsvFormat } from './csv.types.js';
export { CSV_FORMATS } from './csv.types.js';
