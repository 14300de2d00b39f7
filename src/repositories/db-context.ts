/**
 * What every repository receives: the Kysely instance (or an open transaction), the dialect (to
 * pick exact decimal SQL) and the decimal helpers for it.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import type { DialectName } from '../db/migrations/index.js';
import { sqlDecimal, type SqlDecimal } from '../db/sql-decimal.js';

export type Executor = Kysely<Database> | Transaction<Database>;

export interface DbContext {
  db: Kysely<Database>;
  dialect: DialectName;
  dec: SqlDecimal;
  /**
   * A token that changes whenever data may have changed (`DbHandle.dataChanges`), or null while
   * that cannot be known: what lets a version read be skipped (see known-versions.ts).
   */
  changes: () => string | null;
}

export function dbContext(db: Kysely<Database>, dialect: DialectName, changes: () => string | null = () => null): DbContext {
  return { db, dialect, dec: sqlDecimal(dialect), changes };
}

/** Largest number of rows in one multi-row INSERT (keeps bound parameters under both databases' limits). */
export const INSERT_CHUNK = 400;

export function chunks<T>(items: readonly T[], size = INSERT_CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Integer 0/1 column to boolean. */
export const bool = (v: number | boolean | null | undefined): boolean => v === 1 || v === true;
