/**
 * The CSV formats the file-import connector reads, and the import report it produces. These types
 * stay inside the folder, except the report, which the sync engine and the CLI print.
 */
import type { SourceTransaction } from '../connector.js';

export const CSV_FORMATS = ['coinbase', 'kraken-ledgers', 'binance', 'binance-autoinvest', 'binance-eth-staking', 'generic'] as const;
export type CsvFormat = (typeof CSV_FORMATS)[number];

/** One rejected row: its 1-based line in the file and why. */
export interface RejectedRow {
  row: number;
  reason: string;
}

/** What an import made of a file: `{ imported, rejected: [{ row, reason }] }` plus the records. */
export interface CsvImportReport {
  format: CsvFormat;
  /** Number of transactions the file yielded. */
  imported: number;
  rejected: RejectedRow[];
  /** Rows read that are deliberately not transactions (moves between the user's own sub-wallets). */
  skipped: number;
  /** sha256 of the file's bytes. */
  sha256: string;
}

export interface CsvImport {
  report: CsvImportReport;
  records: SourceTransaction[];
}

/** A data row by header name (trimmed), with its line. */
export interface CsvRow {
  line: number;
  get(column: string): string;
  /** The row's values in column order (for content fingerprints). */
  values: string[];
}

/** Result of mapping rows: transactions, rejected rows, rows skipped on purpose. */
export interface MapOutcome {
  records: SourceTransaction[];
  rejected: RejectedRow[];
  skipped: number;
}
