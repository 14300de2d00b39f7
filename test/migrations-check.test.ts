/**
 * The migration check every `serve` start makes (DbHandle.migrate / pendingMigrations): an
 * up-to-date database answers from one read of Kysely's bookkeeping table; anything else goes to
 * Kysely's Migrator as before — a new database is migrated, a missing migration is pending, an
 * unknown one is refused, and on PostgreSQL another schema's bookkeeping found through the
 * search_path is not taken for this schema's.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { sql } from 'kysely';
import { createDb, type DbHandle } from '../src/db/create-db.js';
import { MIGRATION_NAMES } from '../src/db/migrations/index.js';
import { DIALECTS, PG_URL } from './support/harness.js';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function pgAdmin(q: string): Promise<void> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    await c.query(q);
  } finally {
    await c.end();
  }
}

/** A new empty database of the dialect (a SQLite file, or a PostgreSQL schema). */
async function emptyDb(dialect: (typeof DIALECTS)[number]): Promise<DbHandle> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'tortie-migrations-'));
    const dbh = createDb(`sqlite:${join(dir, 'm.db')}`);
    cleanups.push(async () => {
      await dbh.destroy();
      rmSync(dir, { recursive: true, force: true });
    });
    return dbh;
  }
  const schema = `t_mig_${randomBytes(5).toString('hex')}`;
  const dbh = createDb(PG_URL, { schema, poolSize: 2 });
  cleanups.push(async () => {
    await dbh.destroy();
    await pgAdmin(`drop schema if exists ${schema} cascade`);
  });
  return dbh;
}

describe.each(DIALECTS)('migration check (%s)', (dialect) => {
  it('migrates a new database once, then finds nothing to do', async () => {
    const dbh = await emptyDb(dialect);
    expect(await dbh.pendingMigrations()).toEqual(MIGRATION_NAMES);
    expect(await dbh.migrate()).toEqual(MIGRATION_NAMES);
    expect(await dbh.migrate()).toEqual([]);
    expect(await dbh.pendingMigrations()).toEqual([]);
  });

  it('reports a migration missing from the bookkeeping as pending, and refuses an unknown one', async () => {
    const dbh = await emptyDb(dialect);
    await dbh.migrate();
    const last = MIGRATION_NAMES[MIGRATION_NAMES.length - 1]!;
    const row = (await sql<{ name: string; timestamp: string }>`select name, timestamp from kysely_migration where name = ${last}`.execute(dbh.db)).rows[0]!;
    await sql`delete from kysely_migration where name = ${last}`.execute(dbh.db);
    expect(await dbh.pendingMigrations()).toEqual([last]);
    await sql`insert into kysely_migration (name, timestamp) values (${last}, ${row.timestamp}), ('9999-from-a-newer-version', ${row.timestamp})`.execute(dbh.db);
    await expect(dbh.migrate()).rejects.toThrow(/9999-from-a-newer-version/);
  });

  if (dialect === 'postgres') {
    it('does not take another schema’s bookkeeping, found through search_path, for its own', async () => {
      const migrated = await emptyDb('postgres');
      await migrated.migrate();
      const otherSchema = (await sql<{ s: string }>`select current_schema() as s`.execute(migrated.db)).rows[0]!.s;
      const schema = `t_mig_${randomBytes(5).toString('hex')}`;
      await pgAdmin(`create schema ${schema}`);
      const url = new URL(PG_URL);
      url.searchParams.set('options', `-c search_path=${schema},${otherSchema}`);
      const dbh = createDb(url.toString(), { poolSize: 2 });
      try {
        expect(await dbh.pendingMigrations()).toEqual(MIGRATION_NAMES);
      } finally {
        await dbh.destroy();
        await pgAdmin(`drop schema if exists ${schema} cascade`);
      }
    });
  }
});
