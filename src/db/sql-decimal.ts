/**
 * Exact decimal SQL on both databases: PostgreSQL's `numeric` is exact natively; on SQLite the
 * decimals are TEXT and these expressions call the JS functions registered in create-db.ts
 * (`dec_sum`, `dec_mul`, `dec_cmp`). Results come back as strings to normalize.
 */
import { sql, type RawBuilder } from 'kysely';
import type { DialectName } from './migrations/index.js';

export interface SqlDecimal {
  /** Exact sum aggregate; NULL when no non-null input. */
  sum(expr: RawBuilder<unknown>): RawBuilder<string | null>;
  mul(a: RawBuilder<unknown>, b: RawBuilder<unknown>): RawBuilder<string | null>;
  /** Exact comparison `a > 0`. */
  isPositive(expr: RawBuilder<unknown>): RawBuilder<boolean>;
  /** Exact comparison `a >= b`. */
  gte(a: RawBuilder<unknown>, b: RawBuilder<unknown>): RawBuilder<boolean>;
  /** A decimal literal from a string. */
  lit(value: string): RawBuilder<string>;
}

export function sqlDecimal(dialect: DialectName): SqlDecimal {
  if (dialect === 'postgres') {
    return {
      sum: (e) => sql<string | null>`sum(${e})::text`,
      mul: (a, b) => sql<string | null>`(${a} * ${b})`,
      isPositive: (e) => sql<boolean>`(${e} > 0)`,
      gte: (a, b) => sql<boolean>`(${a} >= ${b})`,
      lit: (v) => sql<string>`${v}::numeric`,
    };
  }
  return {
    sum: (e) => sql<string | null>`dec_sum(${e})`,
    mul: (a, b) => sql<string | null>`dec_mul(${a}, ${b})`,
    isPositive: (e) => sql<boolean>`(dec_cmp(${e}, '0') > 0)`,
    gte: (a, b) => sql<boolean>`(dec_cmp(${a}, ${b}) >= 0)`,
    lit: (v) => sql<string>`${v}`,
  };
}
