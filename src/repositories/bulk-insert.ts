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

/** Keeps a statement text built for `key` (the cache is emptied past 200 texts). */
function remember(key: string, text: string): void {
  if (sqlCache.size > 200) sqlCache.clear();
  sqlCache.set(key, text);
}

/** Refuses a row whose number of values is not `width` (a bug in the caller, never input). */
function checkWidths(table: string, rows: readonly (readonly unknown[])[], width: number): void {
  for (const row of rows) if (row.length !== width) throw new Error(`bulkInsert: a row of ${table} has ${row.length} values for ${width} columns`);
}

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
    remember(key, text);
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
  checkWidths(table, rows, columns.length);
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
    text = `insert into "${table}" (${quoted(columns)}) ${unnestSelect(table, columns, types, 1)}${suffix ? ` ${suffix}` : ''}`;
    remember(key, text);
  }
  return text;
}

const quoted = (columns: readonly string[], prefix = '') => columns.map((c) => `${prefix}"${c}"`).join(', ');

/**
 * `select "u"."a", … from unnest($first::type[], …) as "u"("a", …)`: the columns named, not `*`,
 * so the text may be sent as a named prepared statement (create-db.ts never names a `select *`,
 * whose result could change with a table's definition).
 */
function unnestSelect(table: string, columns: readonly string[], types: Map<string, string>, first: number, typeOf: (c: string) => string | undefined = (c) => types.get(c)): string {
  const arrays = columns.map((c, i) => {
    const type = typeOf(c);
    if (!type) throw new Error(`bulkInsert: ${table} has no column ${c}`);
    return `$${first + i}::${type}[]`;
  });
  return `select ${quoted(columns, '"u".')} from unnest(${arrays.join(', ')}) as "u"(${quoted(columns)})`;
}

/** Rows of a child table written with their parent rows by `bulkInsertWithChildren`. */
export interface ChildRows {
  table: string;
  /** The child's column holding the parent's generated key. */
  link: string;
  /** The child's other columns. */
  columns: readonly string[];
  /** Each row: the values of the parent's `keys` columns identifying its parent, then a value per column. */
  rows: readonly (readonly unknown[])[];
}

/**
 * As `bulkInsert` with a `returning` suffix, and the rows of a child table inserted by the same
 * statement on PostgreSQL (one round trip instead of two): each child row names its parent by the
 * parent's `keys` columns, and gets the parent's generated `link` value (`parentKey`, which the
 * suffix must return with the keys). `suffix` is the parent's clause up to and including
 * `returning`; the statement returns the parent's rows like it. On SQLite: the two inserts in turn.
 * `encoded`: on PostgreSQL, the array literal of each parent column then each child column (as
 * `pgArrayLiteral` writes them) of exactly these rows, bound instead of arrays built from `rows`.
 */
export async function bulkInsertWithChildren<R extends Record<string, unknown>>(
  ex: Executor,
  dialect: DialectName,
  parent: { table: string; columns: readonly string[]; rows: readonly (readonly unknown[])[]; suffix: string; keys: readonly string[]; parentKey: string },
  child: ChildRows,
  encoded?: { parent: readonly string[]; child: readonly string[] },
): Promise<R[]> {
  if (dialect !== 'postgres' || !parent.rows.length || !child.rows.length) {
    const returned = await bulkInsert<R>(ex, dialect, parent.table, parent.columns, parent.rows, parent.suffix);
    if (!child.rows.length) return returned;
    const keyOf = (values: readonly unknown[]) => values.map(String).join('\u0000');
    const linkOf = new Map(returned.map((r) => [keyOf(parent.keys.map((k) => r[k])), r[parent.parentKey]]));
    const rows = child.rows.map((row) => {
      const link = linkOf.get(keyOf(row.slice(0, parent.keys.length)));
      if (link === undefined) throw new Error(`bulkInsertWithChildren: a ${child.table} row names no inserted ${parent.table} row`);
      return [link, ...row.slice(parent.keys.length)];
    });
    for (let at = 0; at < rows.length; at += CHILD_PIECE) await bulkInsert(ex, dialect, child.table, [child.link, ...child.columns], rows.slice(at, at + CHILD_PIECE));
    return returned;
  }
  checkWidths(parent.table, parent.rows, parent.columns.length);
  const width = parent.keys.length + child.columns.length;
  checkWidths(child.table, child.rows, width);
  const parentTypes = await columnTypes(ex, parent.table);
  const childTypes = await columnTypes(ex, child.table);
  const key = `with\u0000${parent.table}\u0000${parent.columns.join(',')}\u0000${parent.suffix}\u0000${child.table}\u0000${child.link}\u0000${child.columns.join(',')}\u0000${parent.keys.join(',')}`;
  let text = sqlCache.get(key);
  if (text === undefined) {
    const returning = [...new Set([parent.parentKey, ...parent.keys])];
    const keyNames = parent.keys.map((k) => `parent_${k}`);
    const childValues = unnestSelect(child.table, [...keyNames, ...child.columns], childTypes, parent.columns.length + 1, (c) =>
      c.startsWith('parent_') && keyNames.includes(c) ? parentTypes.get(c.slice('parent_'.length)) : childTypes.get(c),
    );
    text =
      `with "p" as (insert into "${parent.table}" (${quoted(parent.columns)}) ${unnestSelect(parent.table, parent.columns, parentTypes, 1)} ${parent.suffix}), ` +
      `"c" as (insert into "${child.table}" ("${child.link}", ${quoted(child.columns)}) select "p"."${parent.parentKey}", ${quoted(child.columns, '"v".')} ` +
      `from (${childValues}) as "v" join "p" on ${parent.keys.map((k) => `"p"."${k}" = "v"."parent_${k}"`).join(' and ')}) ` +
      `select ${quoted(returning, '"p".')} from "p"`;
    remember(key, text);
  }
  if (encoded && (encoded.parent.length !== parent.columns.length || encoded.child.length !== width)) throw new Error('bulkInsertWithChildren: an encoded column is missing');
  const params = encoded
    ? [...encoded.parent, ...encoded.child]
    : [...parent.columns.map((_, c) => parent.rows.map((row) => row[c] ?? null)), ...Array.from({ length: width }, (_, c) => child.rows.map((row) => row[c] ?? null))];
  const result = await ex.executeQuery<R>(CompiledQuery.raw(text, params));
  return [...result.rows];
}

/**
 * Several inserts (each as `bulkInsert`, with no `returning`), run in the order given: in one
 * statement on PostgreSQL (one round trip), and in turn on SQLite. On PostgreSQL all but the last
 * are data-modifying `with` clauses, which the last one reads (a count) before it inserts a row:
 * PostgreSQL would otherwise run them in an unspecified order, and concurrent writers must take
 * their row locks table after table in one order.
 */
export async function bulkInsertEach(
  ex: Executor,
  dialect: DialectName,
  inserts: readonly { table: string; columns: readonly string[]; rows: readonly (readonly unknown[])[]; suffix?: string }[],
): Promise<void> {
  const some = inserts.filter((i) => i.rows.length);
  if (dialect !== 'postgres' || some.length < 2) {
    for (const i of some) await bulkInsert(ex, dialect, i.table, i.columns, i.rows, i.suffix);
    return;
  }
  const key = `each\u0000${some.map((i) => `${i.table}\u0000${i.columns.join(',')}\u0000${i.suffix ?? ''}`).join('\u0001')}`;
  let text = sqlCache.get(key);
  if (text === undefined) {
    let first = 1;
    const selects: string[] = [];
    for (const i of some) {
      selects.push(unnestSelect(i.table, i.columns, await columnTypes(ex, i.table), first));
      first += i.columns.length;
    }
    const insert = (n: number, where: string, returning: string) =>
      `insert into "${some[n]!.table}" (${quoted(some[n]!.columns)}) ${selects[n]}${where}${some[n]!.suffix ? ` ${some[n]!.suffix}` : ''}${returning}`;
    const earlier = some.slice(0, -1).map((_, n) => `"i${n}" as (${insert(n, '', ' returning 1')})`);
    const done = ` where ${some.slice(0, -1).map((_, n) => `(select count(*) from "i${n}")`).join(' + ')} >= 0`;
    text = `with ${earlier.join(', ')} ${insert(some.length - 1, done, '')}`;
    remember(key, text);
  }
  const params = some.flatMap((i) => {
    checkWidths(i.table, i.rows, i.columns.length);
    return i.columns.map((_, c) => i.rows.map((row) => row[c] ?? null));
  });
  await ex.executeQuery(CompiledQuery.raw(text, params));
}

/** Child rows per SQLite statement (a movement row has ten columns: within the parameter limit). */
const CHILD_PIECE = 1_000;

/** The values of `row` in `columns` order (absent keys become null). */
export function valuesOf<T extends object>(row: T, columns: readonly (keyof T & string)[]): unknown[] {
  return columns.map((c) => row[c] ?? null);
}
