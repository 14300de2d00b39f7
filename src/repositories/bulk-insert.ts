/**
 * Multi-row INSERT statements for bulk writes (the ledger, price series), written without the
 * query builder: building and compiling a 400-row insert through Kysely's operation tree costs more
 * than the database takes to execute it. Values are always bound parameters; column names and
 * clauses come from code, never from input.
 *
 * SQLite: one `values (?, …), (?, …)` statement per row count, its text built once and reused (the
 * compiled statement is cached by the driver wrapper).
 * PostgreSQL: one array parameter per column, `select * from unnest($1::text[], …)`: the statement
 * text is the same for any number of rows, so the server parses and plans a short statement instead
 * of a thousand-parameter one per batch (measured: most of a bulk load's time on the server).
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
 * of its `returning` clause, if `suffix` has one. On SQLite the caller keeps the statement within the
 * parameter limit (rows × columns ≤ 30,000).
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
  for (const row of rows) {
    if (row.length !== columns.length) throw new Error(`bulkInsert: a row of ${table} has ${row.length} values for ${columns.length} columns`);
  }
  if (dialect === 'postgres') {
    const types = await columnTypes(ex, table);
    const arrays = columns.map((_, c) => rows.map((row) => row[c] ?? null));
    const result = await ex.executeQuery<R>(CompiledQuery.raw(unnestSql(table, columns, types, suffix), arrays));
    return [...result.rows];
  }
  // SQLite compiles each statement text once (the driver wrapper keeps compiled statements), and a
  // text is per row count: rows go in pieces of a few fixed sizes, so a load's texts are a handful
  // instead of one per batch size (a 500-row insert compiles into a program of ~15,000 operations,
  // which cost more to build than to run)
  const out: R[] = [];
  let at = 0;
  while (at < rows.length) {
    const n = pieceSize(rows.length - at);
    const params: unknown[] = [];
    for (let r = at; r < at + n; r++) for (const v of rows[r]!) params.push(v);
    const result = await ex.executeQuery<R>(CompiledQuery.raw(insertSql(dialect, table, columns, n, suffix), params));
    for (const row of result.rows) out.push(row);
    at += n;
  }
  return out;
}

/** Row counts of SQLite insert statements: the largest of 1, 2, 4, …, 512 or 1,000 not above `left`. */
function pieceSize(left: number): number {
  if (left >= 1000) return 1000;
  let n = 512;
  while (n > left) n >>= 1;
  return n;
}

/** PostgreSQL: the column types of the tables bulk-inserted into (same for every schema: one migration history). */
const typesCache = new Map<string, Promise<Map<string, string>>>();

function columnTypes(ex: Executor, table: string): Promise<Map<string, string>> {
  let p = typesCache.get(table);
  if (!p) {
    p = ex
      .executeQuery<{ name: string; type: string }>(
        CompiledQuery.raw(
          'select attname as name, format_type(atttypid, atttypmod) as type from pg_attribute where attrelid = to_regclass($1) and attnum > 0 and not attisdropped',
          [`"${table}"`],
        ),
      )
      .then((r) => new Map(r.rows.map((row) => [row.name, row.type])));
    p.catch(() => typesCache.delete(table));
    typesCache.set(table, p);
  }
  return p;
}

function unnestSql(table: string, columns: readonly string[], types: Map<string, string>, suffix: string): string {
  const key = `unnest\u0000${table}\u0000${columns.join(',')}\u0000${suffix}`;
  let text = sqlCache.get(key);
  if (text === undefined) {
    const arrays = columns.map((c, i) => {
      const type = types.get(c);
      if (!type) throw new Error(`bulkInsert: ${table} has no column ${c}`);
      return `$${i + 1}::${type}[]`;
    });
    text = `insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) select * from unnest(${arrays.join(', ')})${suffix ? ` ${suffix}` : ''}`;
    if (sqlCache.size > 200) sqlCache.clear();
    sqlCache.set(key, text);
  }
  return text;
}

/** The values of `row` in `columns` order (absent keys become null). */
export function valuesOf<T extends object>(row: T, columns: readonly (keyof T & string)[]): unknown[] {
  return columns.map((c) => row[c] ?? null);
}
