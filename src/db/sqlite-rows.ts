/**
 * Row objects for better-sqlite3 statements, built in JavaScript from raw (array) rows.
 *
 * Why: under Node 20 (module ABI < 127) better-sqlite3 makes each row object in C++ one property at
 * a time, internalizing the column's name again for every cell. Measured on the bench machine: a
 * page of 101 users (7 columns) took ~370 µs that way and ~200 µs as raw arrays; 101 transactions
 * (22 columns) ~1,900 µs against ~720 µs. Here a statement runs in raw mode and each row becomes an
 * object through one function per statement whose object literal names the columns, so every row
 * of a statement has the same shape. The objects are the ones better-sqlite3 would have made: the
 * same own properties in the same order, values untouched, a later column of the same name
 * replacing an earlier one.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteStatement } from 'kysely';

/** What the statement cache hands to Kysely's driver. */
export interface RowStatement extends SqliteStatement {
  /** True while an iterator over the statement is open (it cannot run again meanwhile). */
  readonly busy: boolean;
}

/** Column names an object literal can carry as plain keys (a `__proto__` key would set the prototype). */
const PLAIN_KEYS = (names: readonly string[]): boolean => !names.includes('__proto__');

export function objectRows(stmt: BetterSqlite3.Statement): RowStatement {
  if (!stmt.reader) return stmt;
  const names = stmt.columns().map((c) => c.name);
  if (!PLAIN_KEYS(names)) return stmt;
  // `{"a": r[0], "b": r[1]}`: the body names columns only, each quoted by JSON.stringify; a repeated
  // name keeps its last value, as better-sqlite3 does
  const toObject = new Function('r', `return {${names.map((n, i) => `${JSON.stringify(n)}: r[${i}]`).join(', ')}};`) as (r: unknown[]) => Record<string, unknown>;
  stmt.raw(true);
  return {
    reader: true,
    get busy() {
      return stmt.busy;
    },
    all(parameters: readonly unknown[]): unknown[] {
      const rows = stmt.all(parameters) as unknown[][];
      const out = new Array<unknown>(rows.length);
      for (let i = 0; i < rows.length; i++) out[i] = toObject(rows[i]!);
      return out;
    },
    run(parameters: readonly unknown[]) {
      return stmt.run(parameters);
    },
    iterate(parameters: readonly unknown[]): IterableIterator<unknown> {
      // started at once, as better-sqlite3's own iterate (the statement is busy from here on)
      const rows = stmt.iterate(parameters) as IterableIterator<unknown[]>;
      const mapped: IterableIterator<unknown> = {
        next: () => {
          const r = rows.next();
          return r.done ? r : { done: false, value: toObject(r.value) };
        },
        return: (value?: unknown) => {
          rows.return?.();
          return { done: true, value };
        },
        [Symbol.iterator]: () => mapped,
      };
      return mapped;
    },
  };
}
