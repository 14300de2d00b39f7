/**
 * `tortie prices import FILE.csv`: fills the local price store from a CSV with the columns
 * `date,asset_id,currency,price` (SPEC §10). `date` is `YYYY-MM-DD` (00:00 UTC) or an ISO 8601
 * timestamp with a zone; `price` an exact decimal. A header row is optional. Each bad row is
 * reported with its number and reason; the good rows are imported; re-importing changes nothing.
 */
import { isDecimalString, isNegative, normalize } from '../lib/decimal.js';
import { isFiatCurrency } from '../domain/assets.js';
import type { PriceRow } from '../repositories/prices.repository.js';

export interface PriceImportReport {
  rows: PriceRow[];
  rejected: { row: number; reason: string }[];
}

/** Splits one CSV line, honouring double-quoted fields. */
function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((f) => f.trim());
}

export function parsePriceCsv(text: string, source: string): PriceImportReport {
  const rows: PriceRow[] = [];
  const rejected: { row: number; reason: string }[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((line, i) => {
    const rowNo = i + 1;
    if (line.trim() === '') return;
    const f = splitCsvLine(line);
    if (rowNo === 1 && f[0]?.toLowerCase() === 'date') return; // header
    if (f.length !== 4) return void rejected.push({ row: rowNo, reason: `expected 4 columns (date,asset_id,currency,price), got ${f.length}` });
    const [date, assetId, currencyRaw, price] = f as [string, string, string, string];
    let ts: string;
    if (/^\d{4}-\d{2}-\d{2}$/.test(date)) ts = `${date}T00:00:00.000Z`;
    else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(date)) ts = date;
    else return void rejected.push({ row: rowNo, reason: `date "${date.slice(0, 40)}" is not YYYY-MM-DD or an ISO 8601 timestamp with a zone` });
    const ms = Date.parse(ts);
    if (!Number.isFinite(ms)) return void rejected.push({ row: rowNo, reason: `date "${date}" is not a real date` });
    if (new Date(ms).toISOString().slice(0, 10) !== ts.slice(0, 10) && ts.endsWith('T00:00:00.000Z')) return void rejected.push({ row: rowNo, reason: `date "${date}" is not a real date` });
    if (!/^[a-z0-9][a-z0-9:._-]{0,127}$/i.test(assetId)) return void rejected.push({ row: rowNo, reason: `asset_id "${assetId.slice(0, 40)}" is not a valid asset id` });
    const currency = currencyRaw.toUpperCase();
    if (!isFiatCurrency(currency)) return void rejected.push({ row: rowNo, reason: `currency "${currencyRaw.slice(0, 10)}" is not a supported ISO 4217 currency` });
    if (!isDecimalString(price) || isNegative(price)) return void rejected.push({ row: rowNo, reason: `price "${price.slice(0, 40)}" is not a non-negative decimal` });
    rows.push({ asset_id: assetId, currency, ts: new Date(ms).toISOString(), price: normalize(price), source });
  });
  return { rows, rejected };
}
