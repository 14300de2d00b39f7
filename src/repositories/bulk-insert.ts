/**
 * Multi-row INSERT statements for bulk writes (the ledger, price series), written without the
 * query builder: building and compiling a 400-row insert through Kysely's operation tree costs more
 * than SQLite takes to execute it. The SQL text depends only on the table, the columns, the row
 * count and the conflict clause, so it is built once and reused; values are always bound
 * parameters. Column names and clauses come from code, never from input.
 */
import { CompiledQuery } from 'kysely';
import type { DialectName } from '../db/migrations/index.js';
import type { Executor } from './db-context.js';

const sqlCache = new Map<string, string>();

function insertSql(dialect: DialectName, table: string, columns: readonly string[], rowCount: number, suffix: string): string {
  const key = `${dialect}\u0000${table}\u0000${columns.join(',')}\u0000${rowCount}\u0000${suffix}`;
  let text = sqlCache.get(key);
  if (text === undefined) {
    const tuples: string[] = [];
    let n = 0;
    for (let r = 0; r < rowCount; r++) {
      const ph: string[] = [];
      for (let c = 0; c < columns.length; c++) ph.push(dialect === 'postgres' ? `$${++n}` : '?');
      tuples.push(`(${ph.join(', ')})`);
    }
    text = `insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) values ${tuples.join(', ')}${suffix ? ` ${suffix}` : ''}`;
    if (sqlCache.size > 200) sqlCache.clear();
    sqlCache.set(key, text);
  }
  return text;
}

/**
 * Inserts `rows` (each a value per column, in `columns` order) in one statement and returns the rows
 * of its `returning` clause, if `suffix` has one. The caller keeps the statement within both
 * databases' parameter limits (rows × columns ≤ 30,000).
 */
export async function bulkInsert<R = never>(
  ex: Executor,
  dialect: DialectName,
  table: string,
  columns: readonly string[],
  rows: readonly (readonly unknown[])[],
  suffix = '',
): Promise<R[]> {
  if (!rows.length) return [];
  const params: unknown[] = [];
  for (const row of rows) {
    if (row.length !== columns.length) throw new Error(`bulkInsert: a row of ${table} has ${row.length} values for ${columns.length} columns`);
    for (const v of row) params.push(v);
  }
  const result = await ex.executeQuery<R>(CompiledQuery.raw(insertSql(dialect, table, columns, rows.length, suffix), params));
  return [...result.rows];
}

/** The values of `row` in `columns` order (absent keys become null). */
export function valuesOf<T extends object>(row: T, columns: readonly (keyof T & string)[]): unknown[] {
  return columns.map((c) => row[c] ?? null);
}
