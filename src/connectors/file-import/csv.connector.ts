/**
 * The CSV file-import connector (provider `csv`, connection type `file`): Coinbase, Kraken
 * (ledgers) and Binance exports and Tortie's generic CSV (docs/csv-format.md). The format is the
 * one declared with the file, or detected from the header. Rows are validated one by one: a bad
 * row is reported (`{ row, reason }`) and the rest imported. Fingerprints are the export's own id
 * column, or a content hash of the row, so importing the same file twice changes nothing.
 */
import { createHash } from 'node:crypto';
import type { PositionRecord } from '../../domain/records.js';
import {
  PermanentConnectorError,
  type Connection,
  type Connector,
  type ConnectorContext,
  type ConnectorCursor,
  type ConnectorDescription,
  type TransactionsPage,
} from '../connector.js';
import { parseCsv, type CsvRecord } from './csv.client.js';
import { dedupe, detectFormat, impliedBalances, mapRows } from './csv.mapper.js';
import { CSV_FORMATS, type CsvFormat, type CsvImport, type CsvRow } from './csv.types.js';
import { CSV_CONNECTOR_VERSION, describeCsv } from './csv.description.js';

export { CSV_CONNECTOR_VERSION };

/** Rows before the header that an export may carry (Coinbase's "Transactions / User, …" preamble). */
const MAX_PREAMBLE = 10;

/** Reads a file into records and its import report; never throws for a bad row. */
export function importCsv(file: { format: string; content: Buffer }): CsvImport {
  const sha256 = createHash('sha256').update(file.content).digest('hex');
  let parsed: CsvRecord[];
  try {
    parsed = parseCsv(file.content);
  } catch (e) {
    throw new PermanentConnectorError(`the file is not valid CSV: ${(e as Error).message}`, 'invalid_credentials');
  }
  const declared = file.format && file.format !== 'auto' ? file.format : null;
  if (declared && !(CSV_FORMATS as readonly string[]).includes(declared)) {
    throw new PermanentConnectorError(`unknown CSV format ${JSON.stringify(declared)}; known: ${CSV_FORMATS.join(', ')} (or auto)`, 'not_supported');
  }
  let headerAt = -1;
  let format: CsvFormat | null = null;
  for (let i = 0; i < Math.min(parsed.length, MAX_PREAMBLE); i++) {
    const f = detectFormat(parsed[i]!.fields);
    if (f && (!declared || f === declared || declared === 'generic')) {
      headerAt = i;
      format = (declared as CsvFormat | null) ?? f;
      break;
    }
  }
  if (headerAt < 0 || !format) {
    throw new PermanentConnectorError(
      declared ? `the file's header does not match the ${declared} format` : 'the file is not a known export (Coinbase, Kraken ledgers, Binance, generic CSV)',
      'invalid_credentials',
    );
  }
  const header = parsed[headerAt]!.fields.map((h) => h.trim());
  const index = new Map(header.map((h, i) => [h, i]));
  const rejected: { row: number; reason: string }[] = [];
  const rows: CsvRow[] = [];
  for (const rec of parsed.slice(headerAt + 1)) {
    if (rec.fields.length !== header.length) {
      rejected.push({ row: rec.line, reason: `has ${rec.fields.length} fields, the header has ${header.length}` });
      continue;
    }
    rows.push({ line: rec.line, values: rec.fields, get: (c) => rec.fields[index.get(c) ?? -1] ?? '' });
  }
  const mapped = mapRows(format, rows);
  const lines = new Map<unknown, number>();
  rows.forEach((r) => lines.set(r.values, r.line));
  const lineOf = (t: { raw: unknown }) => lines.get(t.raw) ?? lines.get((t.raw as unknown[])[0]) ?? 0;
  const unique = dedupe(mapped.records, lineOf);
  const allRejected = [...rejected, ...mapped.rejected, ...unique.rejected].sort((a, b) => a.row - b.row);
  return {
    records: unique.records,
    report: { format, imported: unique.records.length, rejected: allRejected, skipped: mapped.skipped, sha256 },
  };
}

/** The `csv` provider's connector. */
export class CsvConnector implements Connector {
  describe(): ConnectorDescription {
    return describeCsv();
  }

  /** The import report of a connection's file (`{ format, imported, rejected, skipped, sha256 }`). */
  report(connection: Connection) {
    return importCsv(this.file(connection)).report;
  }

  /** Refuses a file that is not CSV, not a known export, or has no importable row. */
  async validate(connection: Connection, _ctx: ConnectorContext): Promise<void> {
    const { report } = importCsv(this.file(connection));
    if (report.imported === 0 && report.skipped === 0) {
      const first = report.rejected[0];
      throw new PermanentConnectorError(`no row of the file could be imported${first ? ` (row ${first.row}: ${first.reason})` : ''}`, 'invalid_credentials');
    }
  }

  /** The balances the file implies (outputs − inputs − fees per asset; positive sums only). */
  async fetchBalances(connection: Connection, _ctx: ConnectorContext): Promise<PositionRecord[]> {
    const { records } = importCsv(this.file(connection));
    return impliedBalances(records).map((p) => ({ ...p, connector_version: CSV_CONNECTOR_VERSION }));
  }

  /**
   * The whole file in one page, every time (a file is a full snapshot: returning all of it keeps
   * the upserts idempotent); the cursor records the file's hash and its import report.
   */
  async fetchTransactions(connection: Connection, _cursor: ConnectorCursor | null, _ctx: ConnectorContext): Promise<TransactionsPage> {
    const { records, report } = importCsv(this.file(connection));
    return { records, cursor: { sha256: report.sha256, report }, done: true };
  }

  private file(connection: Connection): { format: string; content: Buffer } {
    if (!connection.file) throw new PermanentConnectorError('a CSV import needs a file', 'invalid_credentials');
    return connection.file;
  }
}
