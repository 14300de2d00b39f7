/**
 * createDb(url): one Kysely instance over SQLite (better-sqlite3; WAL, foreign keys, busy timeout,
 * IMMEDIATE write transactions, exact decimal functions) or PostgreSQL (pg; int8 as numbers,
 * numeric as strings). Nothing outside db/ and repositories/ knows which one it is.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { totalmem } from 'node:os';
import BetterSqlite3 from 'better-sqlite3';
import type { CustomTypesConfig, Pool as PgPool } from 'pg';
import {
  CompiledQuery,
  Kysely,
  Migrator,
  PostgresDialect,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type DatabaseMetadata,
  type DatabaseMetadataOptions,
  type SchemaMetadata,
  type TableMetadata,
  type Driver,
  type SqliteDatabase,
  type Transaction,
  sql,
} from 'kysely';
import type { Database } from './schema.js';
import { MIGRATION_NAMES, TortieMigrationProvider, type DialectName } from './migrations/index.js';
import { DecimalSum, add, cmp, mul, normalize } from '../lib/decimal.js';
import { objectRows, type RowStatement } from './sqlite-rows.js';

export interface DbHandle {
  db: Kysely<Database>;
  dialect: DialectName;
  /** Applies pending migrations; returns the names applied. */
  migrate(): Promise<string[]>;
  /** Names of migrations not yet applied. */
  pendingMigrations(): Promise<string[]>;
  destroy(): Promise<void>;
  /**
   * Runs `fn`, a bulk load of many write transactions. On SQLite, automatic WAL checkpoints (each
   * copying pages back and syncing the file) are made rare (every ~256 MB of WAL instead of every
   * 4 MB), plus one at the end, and planner statistics are sampled at the end. On PostgreSQL the
   * loaded tables are analyzed afterwards: until autovacuum gets to them the planner's statistics
   * describe the tables before the load, and keyset pages over them are then planned as a bitmap
   * scan plus a sort of every row before the cursor (measured by `npm run bench` at 300,000
   * transactions: 262 ms a page instead of 1 ms).
   *
   * A load that starts on an empty `transactions` table builds the indexes written in random order
   * (`DEFERRED_INDEXES`) once at its end, from sorted keys, instead of row by row; `migrate`
   * re-creates them should a load have been interrupted.
   */
  bulkLoad<T>(fn: (transact: BulkTransact) => Promise<T>): Promise<T>;
  /**
   * A token that changes whenever data may have changed, or null while that cannot be known. This
   * process's writes change it at once (every writing statement, counted as it runs). Other
   * processes' writes: on SQLite at once (`PRAGMA data_version` changes with every commit of
   * another connection); on PostgreSQL when their notification arrives (migration 0090's triggers
   * notify `tortie_versions` when a users or transactions version changes; a connection LISTENs,
   * opened on the first call — null until it listens, and again while it is lost).
   */
  dataChanges(): string | null;
  /**
   * Planner statistics brought up to date where they are missing or stale: on SQLite, sampled
   * `PRAGMA optimize` over all tables (a database grown by syncs alone has none — the planner then
   * sent an account's reads through the enterprise-wide time index, issue #5); on PostgreSQL, where
   * autovacuum is off, an ANALYZE of the tables changed past autovacuum's analyze threshold (where
   * it is on, autovacuum does that). `serve` runs it a minute after start and every six hours.
   */
  optimize(): Promise<void>;
}

/**
 * Runs `work` in one write transaction of a bulk load. On PostgreSQL its commit does not wait for
 * the WAL flush (`synchronous_commit = off` for that transaction alone: a crash may lose the last
 * batches, never corrupt what is stored); the load's final statement (ANALYZE) commits durably,
 * which flushes every earlier commit, so a finished load is as durable as any other write.
 */
export type BulkTransact = <U>(work: (trx: Transaction<Database>) => Promise<U>) => Promise<U>;

export interface CreateDbOptions {
  /** PostgreSQL only: put every table in this schema (created if missing). Used by tests. */
  schema?: string;
  /** PostgreSQL pool size. */
  poolSize?: number;
}

/** `sqlite:PATH`, `sqlite://PATH`, `postgres://…`, `postgresql://…`. */
export function parseDatabaseUrl(url: string): { dialect: DialectName; path: string } {
  if (url.startsWith('sqlite://')) return { dialect: 'sqlite', path: url.slice('sqlite://'.length) };
  if (url.startsWith('sqlite:')) return { dialect: 'sqlite', path: url.slice('sqlite:'.length) };
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return { dialect: 'postgres', path: url };
  throw new Error(`DATABASE_URL must start with sqlite: or postgres:// (got ${url.split(':')[0]}:…)`);
}

/** Kysely's SQLite driver begins DEFERRED transactions; writers need IMMEDIATE to honour busy_timeout. */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  constructor(private readonly cfg: ConstructorParameters<typeof SqliteDialect>[0]) {
    super(cfg);
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.cfg);
  }
}

/**
 * PostgreSQL introspection of the connection's current schema only, read from pg_catalog without
 * privilege functions. Kysely's own introspector (which its Migrator uses to find its tables)
 * scans every schema and calls `has_schema_privilege` on each: a schema dropped meanwhile (another
 * Tortie database, a test finishing beside this one) makes that query fail.
 */
class CurrentSchemaIntrospector implements DatabaseIntrospector {
  constructor(private readonly db: Kysely<any>) {}

  async getSchemas(): Promise<SchemaMetadata[]> {
    const r = await sql<{ name: string | null }>`select current_schema() as name`.execute(this.db);
    return r.rows.flatMap((row) => (row.name ? [{ name: row.name }] : []));
  }

  async getTables(options: DatabaseMetadataOptions = { withInternalKyselyTables: false }): Promise<TableMetadata[]> {
    const r = await sql<{ schema: string; table: string; kind: string; column: string | null; type: string | null; nullable: boolean | null; has_default: boolean | null; serial: boolean | null }>`
      select n.nspname as schema, c.relname as table, c.relkind as kind, a.attname as column,
             format_type(a.atttypid, a.atttypmod) as type, not a.attnotnull as nullable, a.atthasdef as has_default,
             coalesce(pg_get_expr(d.adbin, d.adrelid) like 'nextval(%', false) or a.attidentity <> '' as serial
        from pg_catalog.pg_class c
        join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        left join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
        left join pg_catalog.pg_attrdef d on d.adrelid = c.oid and d.adnum = a.attnum
       where n.nspname = current_schema() and c.relkind in ('r', 'v', 'p')
       order by c.relname, a.attnum`.execute(this.db);
    const tables = new Map<string, TableMetadata & { columns: TableMetadata['columns'][number][] }>();
    for (const row of r.rows) {
      if (!options.withInternalKyselyTables && row.table.startsWith('kysely_migration')) continue;
      let t = tables.get(row.table);
      if (!t) {
        t = { name: row.table, schema: row.schema, isView: row.kind === 'v', columns: [] };
        tables.set(row.table, t);
      }
      if (row.column) {
        t.columns.push({ name: row.column, dataType: row.type ?? '', isNullable: row.nullable ?? true, hasDefaultValue: row.has_default ?? false, isAutoIncrementing: row.serial ?? false });
      }
    }
    return [...tables.values()];
  }

  async getMetadata(options?: DatabaseMetadataOptions): Promise<DatabaseMetadata> {
    return { tables: await this.getTables(options) };
  }
}

class CurrentSchemaPostgresDialect extends PostgresDialect {
  override createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new CurrentSchemaIntrospector(db);
  }
}

function registerDecimalFunctions(sqlite: BetterSqlite3.Database): void {
  const dec = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
  sqlite.aggregate('dec_sum', {
    start: () => null as DecimalSum | null,
    step: (acc: DecimalSum | null, v: unknown) => {
      const s = dec(v);
      if (s === null) return acc;
      return (acc ?? new DecimalSum()).add(s);
    },
    result: (acc: DecimalSum | null) => (acc === null ? null : acc.value()),
  });
  sqlite.function('dec_add', { deterministic: true }, (a: unknown, b: unknown) => {
    const x = dec(a);
    const y = dec(b);
    return x === null || y === null ? null : add(x, y);
  });
  sqlite.function('dec_mul', { deterministic: true }, (a: unknown, b: unknown) => {
    const x = dec(a);
    const y = dec(b);
    return x === null || y === null ? null : mul(x, y);
  });
  sqlite.function('dec_cmp', { deterministic: true }, (a: unknown, b: unknown) => {
    const x = dec(a);
    const y = dec(b);
    return x === null || y === null ? null : cmp(x, y);
  });
  sqlite.function('dec_norm', { deterministic: true }, (a: unknown) => {
    const x = dec(a);
    return x === null ? null : normalize(x);
  });
}

/**
 * better-sqlite3 compiles SQL on every `prepare`, and Kysely's driver prepares every query anew.
 * Queries repeat their text (each query shape, and the bulk writes' multi-row INSERTs, whose
 * compilation costs more than their execution), so compiled statements are kept in a small LRU
 * keyed by the SQL text. A statement still being iterated (a stream) is never handed out twice.
 * Reading statements make their row objects in JavaScript (see sqlite-rows.ts).
 */
function cachingStatements(sqlite: BetterSqlite3.Database, wrote: () => void, size = 256): SqliteDatabase {
  const cache = new Map<string, RowStatement>();
  return {
    close: () => sqlite.close(),
    prepare(sqlText: string) {
      const cached = cache.get(sqlText);
      cache.delete(sqlText);
      const stmt = cached && !cached.busy ? cached : counting(sqlite.prepare(sqlText), wrote);
      cache.set(sqlText, stmt);
      if (cache.size > size) cache.delete(cache.keys().next().value as string);
      return stmt;
    },
  };
}

/**
 * The statement (see sqlite-rows.ts), calling `wrote` after each run of it if it writes (better-
 * sqlite3's `readonly` is false: INSERT, UPDATE, DELETE, DDL), whether it succeeds or not: the
 * count behind `DbHandle.dataChanges` for this connection's own writes, which `data_version`
 * does not see.
 */
function counting(raw: BetterSqlite3.Statement, wrote: () => void): RowStatement {
  const stmt = objectRows(raw);
  if (raw.readonly) return stmt;
  return {
    reader: stmt.reader,
    get busy() {
      return stmt.busy;
    },
    all(parameters: readonly unknown[]) {
      try {
        return stmt.all(parameters);
      } finally {
        wrote();
      }
    },
    run(parameters: readonly unknown[]) {
      try {
        return stmt.run(parameters);
      } finally {
        wrote();
      }
    },
    iterate(parameters: readonly unknown[]) {
      wrote();
      return stmt.iterate(parameters);
    },
  };
}

/**
 * The PostgreSQL pool, created on the first query. pg is imported here rather than at the top so
 * a SQLite deployment never loads it: on Node 20 importing pg also loads undici (pg probes for
 * Cloudflare's runtime by constructing a `Response`), tens of milliseconds of start-up (issue #5).
 */
async function createPgPool(connectionString: string, options: CreateDbOptions, wrote: () => void): Promise<PgPool> {
  const { default: pg } = await import('pg');
  const types = {
    getTypeParser: (oid: number, format?: 'text' | 'binary') => {
      if (oid === 20) return (v: string) => Number(v); // int8: ids and counts fit in 2^53
      // every other type, numeric (1700) included, keeps pg's default (numeric stays a string)
      return pg.types.getTypeParser(oid, format ?? 'text');
    },
  };
  const pool = new pg.Pool({
    connectionString,
    max: options.poolSize ?? 10,
    types: types as CustomTypesConfig,
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
  });
  const connect = pool.connect.bind(pool) as () => Promise<PgPoolClient>;
  (pool as unknown as { connect: () => Promise<PgPoolClient> }).connect = async () => preparing(await connect(), wrote);
  return pool;
}

/** Reads, by their text: everything else (writes, DDL, COMMIT, ROLLBACK) counts as a write. */
const READ_TEXT = /^\s*select\b/i;

/**
 * PostgreSQL: the LISTEN side of `DbHandle.dataChanges`. `token()` is null until the connection
 * listens (it is opened on the first call) and while it is lost (re-opened on a call after
 * 5 seconds); each (re)connection starts a new epoch, as notifications may have been missed.
 */
class VersionNotifications {
  private client: import('pg').Client | null = null;
  private listening = false;
  private connecting = false;
  private closed = false;
  private retryAt = 0;
  private epoch = 0;
  private received = 0;

  constructor(
    private readonly connectionString: string,
    private readonly options: CreateDbOptions,
    private readonly own: () => number,
  ) {}

  token(): string | null {
    if (!this.listening) {
      this.listen();
      return null;
    }
    return `${this.epoch}:${this.received}:${this.own()}`;
  }

  private listen(): void {
    if (this.connecting || this.closed || Date.now() < this.retryAt) return;
    this.connecting = true;
    void (async () => {
      const { default: pg } = await import('pg');
      const client = new pg.Client({ connectionString: this.connectionString, ...(this.options.schema ? { options: `-c search_path=${this.options.schema}` } : {}) });
      const lost = () => {
        this.listening = false;
        if (this.client === client) this.client = null;
        this.retryAt = Date.now() + 5_000;
        client.end().catch(() => undefined);
      };
      client.on('error', lost);
      client.on('end', lost);
      let schema: string | null = null;
      // only this database's notifications (the payload is the schema of the changed table)
      client.on('notification', (n) => {
        if (n.payload === schema) this.received++;
      });
      try {
        await client.connect();
        schema = (await client.query<{ s: string }>('select current_schema() as s')).rows[0]?.s ?? null;
        await client.query('listen tortie_versions');
        if (this.closed) {
          await client.end();
          return;
        }
        this.client = client;
        this.epoch++;
        this.listening = true;
      } catch {
        lost();
      }
    })()
      .catch(() => {
        // pg could not be loaded or the client not made: versions are read per request, as before
        this.retryAt = Date.now() + 5_000;
      })
      .finally(() => {
        this.connecting = false;
      });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listening = false;
    const c = this.client;
    this.client = null;
    await c?.end().catch(() => undefined);
  }
}

type PgPoolClient = import('pg').PoolClient;

/**
 * Statement texts given a name (a server-side prepared statement), process-wide: text → name.
 * Capped, so query shapes that vary with a list's length cannot grow it without bound; texts past
 * the cap run unnamed as before.
 */
const statementNames = new Map<string, string>();
const STATEMENT_NAMES_MAX = 2_000;
/** Texts whose result columns follow a table's definition: a named plan of them fails after DDL. */
const STAR_RESULT = /(select|returning)\s+(\w+\.)?\*/i;

/**
 * Kysely sends every query unnamed, so PostgreSQL parses and plans its text on every execution —
 * measured as the largest part of the server's work in a bulk load (a multi-row insert with thirty
 * array parameters, the same text for every batch), and a share of every API read. A text seen
 * again is sent as a named statement instead: each connection parses it once (pg keeps which names
 * it has prepared), and later executions only bind and run it.
 */
function preparing(client: PgPoolClient, wrote: () => void): PgPoolClient {
  const marked = client as PgPoolClient & { tortiePreparing?: true };
  if (marked.tortiePreparing) return client;
  marked.tortiePreparing = true;
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  const seen = new Set<string>();
  const send = (text: string, values: unknown[]): unknown => {
    let name = statementNames.get(text);
    if (name === undefined) {
      if (!seen.has(text) || statementNames.size >= STATEMENT_NAMES_MAX || STAR_RESULT.test(text)) {
        if (seen.size < STATEMENT_NAMES_MAX) seen.add(text);
        return query(text, values);
      }
      name = `tortie_${statementNames.size + 1}`;
      statementNames.set(text, name);
    }
    return query({ name, text, values });
  };
  (client as unknown as { query: (...args: unknown[]) => unknown }).query = (text: unknown, values?: unknown, ...rest: unknown[]) => {
    if (typeof text !== 'string' || !Array.isArray(values) || rest.length) {
      wrote(); // not a text Kysely sends (pg's own, a callback form): counted as a write
      return query(text, values, ...rest);
    }
    if (READ_TEXT.test(text)) return send(text, values);
    // a write is counted when sent and again when done: a version read between the two (before
    // the commit shows) is taken under a token the next read will not find
    wrote();
    const result = send(text, values);
    if (result instanceof Promise) result.then(wrote, wrote);
    return result;
  };
  return client;
}

/**
 * Indexes whose keys a bulk load writes in random order, built once at the end of a load into an
 * empty `transactions` table (see `bulkLoad`). By time across an enterprise's users, each row of a
 * load lands on another page of `transactions_enterprise_time`: at ten million transactions that
 * index outgrows the page cache, and every commit rewrote a page of it per row (the WAL on SQLite,
 * full-page images on PostgreSQL) — measured at 13% of the load's time at 200,000 transactions,
 * and more as it grows. Built from sorted keys at the end, it costs one pass (seconds per million
 * rows). The definitions are migration 0001's: `migrate` re-creates a missing one with the same.
 */
export const DEFERRED_INDEXES = [{ name: 'transactions_enterprise_time', table: 'transactions', columns: ['enterprise_id', 'timestamp', 'seq'] }] as const;
const createIndexSql = (i: (typeof DEFERRED_INDEXES)[number]) => `create index if not exists "${i.name}" on "${i.table}" (${i.columns.map((c) => `"${c}"`).join(', ')})`;

/** WAL pages between automatic checkpoints during a SQLite bulk load (see `bulkLoad`). */
const BULK_LOAD_CHECKPOINT_PAGES = 65_536;
/**
 * SQLite page cache during a bulk load, KiB (the connection's previous size is restored after):
 * an eighth of the machine's memory, from 128 MiB to 1 GiB. At ten million transactions the
 * indexes written in random order (by time across users; the trade aggregates) outgrow 128 MiB,
 * and every miss was a read of the page back from the file (a third of the load's time in the
 * kernel, measured with perf at 4.5M).
 */
/** PostgreSQL's sort memory for building a deferred index: a sixteenth of memory, 64 MiB to 1 GiB. */
const PG_INDEX_BUILD_MEMORY_MB = Math.max(64, Math.min(1024, Math.floor(totalmem() / 1_048_576 / 16)));
const BULK_LOAD_CACHE_KIB = Math.max(131_072, Math.min(1_048_576, Math.floor(totalmem() / 1024 / 8)));

export function createDb(url: string, options: CreateDbOptions = {}): DbHandle {
  const { dialect, path } = parseDatabaseUrl(url);
  let db!: Kysely<Database>;
  const transact: BulkTransact = (work) => db.transaction().execute(work);
  let bulkLoad = <T>(fn: (transact: BulkTransact) => Promise<T>): Promise<T> => fn(transact);
  /** Re-creates a deferred index (`DEFERRED_INDEXES`) that an interrupted bulk load left missing. */
  let ensureIndexes = async (): Promise<void> => undefined;
  // this process's writing statements, counted (see `DbHandle.dataChanges`)
  let ownWrites = 0;
  const wrote = () => {
    ownWrites++;
  };
  let dataChanges = (): string | null => null;
  let optimize = async (): Promise<void> => undefined;
  let notifications: VersionNotifications | null = null;
  if (dialect === 'sqlite') {
    if (path !== ':memory:' && path !== '') mkdirSync(dirname(path), { recursive: true });
    const sqlite = new BetterSqlite3(path === '' ? ':memory:' : path);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 10000');
    sqlite.pragma('synchronous = NORMAL');
    registerDecimalFunctions(sqlite);
    db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: cachingStatements(sqlite, wrote) }) });
    optimize = async () => {
      sqlite.pragma('analysis_limit = 1000');
      // never analyzed (PRAGMA optimize leaves small tables without statistics): all of it, sampled
      const analyzed =
        sqlite.prepare(`select 1 from sqlite_master where name = 'sqlite_stat1'`).get() !== undefined &&
        sqlite.prepare(`select 1 from sqlite_stat1 where tbl = 'transactions'`).get() !== undefined;
      if (!analyzed) sqlite.exec('analyze');
      // 0x10002: ANALYZE the tables that may benefit, all of them (not only those this connection used)
      else sqlite.pragma('optimize = 0x10002');
    };
    const dataVersion = sqlite.prepare('pragma data_version').pluck();
    dataChanges = () => (sqlite.open ? `${dataVersion.get() as number}:${ownWrites}` : null);
    let loads = 0;
    let deferred = false;
    let cacheBefore = -2000;
    ensureIndexes = async () => {
      for (const i of DEFERRED_INDEXES) {
        if (sqlite.prepare(`select 1 from sqlite_master where type = 'index' and name = ?`).get(i.name) === undefined) sqlite.exec(createIndexSql(i));
      }
    };
    bulkLoad = async <T>(fn: (transact: BulkTransact) => Promise<T>): Promise<T> => {
      // Checkpoints are rare, not off: the WAL keeps every version of every page written since the
      // last checkpoint (about 4× the data loaded, measured), so an unbounded one would need several
      // times the database's size in free disk at 10M transactions. 65,536 pages ≈ 256 MB of WAL.
      if (loads++ === 0) {
        deferred = sqlite.prepare('select 1 from "transactions" limit 1').get() === undefined;
        if (deferred) for (const i of DEFERRED_INDEXES) sqlite.exec(`drop index if exists "${i.name}"`);
        sqlite.pragma(`wal_autocheckpoint = ${BULK_LOAD_CHECKPOINT_PAGES}`);
        // Statement journals (every multi-row insert with a unique key keeps one, to undo a failing
        // statement alone) in memory instead of a temporary file: ~10% of a load's time was their
        // writes. And a page cache that holds the indexes' upper levels and a batch's dirty pages
        // (the default 2 MB made every commit spill and every index descent read pages back).
        sqlite.pragma('temp_store = MEMORY');
        cacheBefore = sqlite.pragma('cache_size', { simple: true }) as number;
        sqlite.pragma(`cache_size = -${BULK_LOAD_CACHE_KIB}`);
      }
      try {
        return await fn(transact);
      } finally {
        if (--loads === 0) {
          // built while the load's page cache is in place (the sort's memory); whatever happened to the load
          if (deferred) for (const i of DEFERRED_INDEXES) sqlite.exec(createIndexSql(i));
          sqlite.pragma('wal_autocheckpoint = 1000');
          sqlite.pragma('temp_store = DEFAULT');
          sqlite.pragma(`cache_size = ${cacheBefore}`);
          // planner statistics, sampled (a few seconds at 10M transactions): without them SQLite
          // treats every index's leading equality alike, and an account's sync reads
          // ("enterprise_id = ? and account_id = ?") walked the enterprise-wide time index — all
          // 10M rows, minutes per sync — instead of the account's index (found by the bench)
          try {
            sqlite.pragma('analysis_limit = 1000');
            sqlite.exec('analyze');
          } catch {
            /* statistics are an optimization; the next bulk load retries */
          }
          // a checkpoint at the end of the load; PASSIVE never waits for readers, and if it cannot run
          // now (another transaction of this connection is open) the next commit's checkpoint does it
          try {
            sqlite.pragma('wal_checkpoint(PASSIVE)');
          } catch {
            /* deferred to the next automatic checkpoint, see above */
          }
        }
      }
    };
  } else {
    db = new Kysely<Database>({ dialect: new CurrentSchemaPostgresDialect({ pool: () => createPgPool(path, options, wrote) }) });
    const pgDb = db;
    const listener = (notifications = new VersionNotifications(path, options, () => ownWrites));
    dataChanges = () => listener.token();
    // planner statistics of the tables a load grows, refreshed after its 2nd, 4th, 8th… batch: a
    // named statement's generic plan, chosen while the tables were nearly empty (a sequential scan
    // of `users`), was otherwise kept as they grew — nothing invalidates it but an ANALYZE, and
    // autovacuum may be off or behind — and cost 26 ms a batch at 8M rows, climbing (measured
    // with pg_stat_statements)
    const analyzeLoaded = () => sql`analyze users, accounts, transactions, transaction_movements, asset_positions, stats_trade_hours, stats_trade_traders`.execute(pgDb);
    optimize = async () => {
      // autovacuum analyzes where it is on; where it is off (as on the machines the benchmarks ran
      // on), the tables of this schema changed past autovacuum's own threshold since their last
      // ANALYZE (a table never analyzed counts every row) are analyzed here: otherwise the generic
      // plans of named statements keep the plans of a smaller database (see analyzeLoaded)
      const stale = await sql<{ name: string }>`
        select relname as name from pg_stat_user_tables
        where schemaname = current_schema() and current_setting('autovacuum') = 'off'
          and n_mod_since_analyze > current_setting('autovacuum_analyze_threshold')::float8
            + current_setting('autovacuum_analyze_scale_factor')::float8 * greatest(n_live_tup, 0)
        order by relname`.execute(pgDb);
      for (const { name } of stale.rows) await sql`analyze ${sql.id(name)}`.execute(pgDb);
    };
    let batches = 0;
    const relaxed: BulkTransact = async (work) => {
      const r = await pgDb.transaction().execute(async (trx) => {
        await sql`set local synchronous_commit = off`.execute(trx);
        return work(trx);
      });
      batches++;
      if ((batches & (batches - 1)) === 0 && batches > 1) await analyzeLoaded();
      return r;
    };
    const createIndexes = async (indexes: readonly (typeof DEFERRED_INDEXES)[number][]) => {
      for (const i of indexes) {
        await pgDb.transaction().execute(async (trx) => {
          // the sort in memory rather than in temporary files (the default is 64 MB)
          await sql.raw(`set local maintenance_work_mem = '${PG_INDEX_BUILD_MEMORY_MB}MB'`).execute(trx);
          await sql.raw(createIndexSql(i)).execute(trx);
        });
      }
    };
    ensureIndexes = async () => {
      const r = await sql<{ name: string }>`select indexname as name from pg_indexes where schemaname = current_schema() and indexname = any(${DEFERRED_INDEXES.map((i) => i.name)})`.execute(pgDb);
      const present = new Set(r.rows.map((row) => row.name));
      await createIndexes(DEFERRED_INDEXES.filter((i) => !present.has(i.name)));
    };
    bulkLoad = async <T>(fn: (transact: BulkTransact) => Promise<T>): Promise<T> => {
      const empty = (await sql<{ any: boolean }>`select exists (select 1 from transactions) as any`.execute(pgDb)).rows[0]?.any === false;
      if (empty) for (const i of DEFERRED_INDEXES) await sql.raw(`drop index if exists "${i.name}"`).execute(pgDb);
      let r: T;
      try {
        r = await fn(relaxed);
      } finally {
        if (empty) await createIndexes(DEFERRED_INDEXES);
      }
      // unqualified names: the tables of this connection's schema only
      await analyzeLoaded();
      return r;
    };
  }

  // On PostgreSQL the migrator must be told its schema: unqualified, Kysely looks for its
  // bookkeeping table in *every* schema, so another Tortie database in the same PostgreSQL (another
  // schema, a test running beside this one) makes it skip creating its own, or read a foreign one.
  let migratorPromise: Promise<Migrator> | undefined;
  const migrator = (): Promise<Migrator> =>
    (migratorPromise ??= (async () => {
      let migrationTableSchema: string | undefined;
      if (dialect === 'postgres') {
        const r = await sql<{ s: string | null }>`select current_schema() as s`.execute(db);
        migrationTableSchema = r.rows[0]?.s ?? options.schema;
      }
      return new Migrator({ db, provider: new TortieMigrationProvider(dialect), migrationTableSchema, allowUnorderedMigrations: true });
    })().catch((e: unknown) => {
      migratorPromise = undefined; // the database may answer next time
      throw e;
    }));
  /**
   * True when the database has applied exactly this version's migrations, read in one query
   * (Kysely's Migrator spends a dozen — table introspection, lock row, lock — to find that
   * nothing is to do: a server's start-up pays this on every start). Anything else (a new
   * database, a pending or unknown migration, another schema's table found through search_path)
   * is left to the Migrator, which migrates or refuses as before.
   */
  const migrationsCurrent = async (): Promise<boolean> => {
    const applied = await (dialect === 'postgres'
      ? sql<{ name: string }>`select name from kysely_migration where tableoid = to_regclass(format('%I.kysely_migration', current_schema()))`
      : sql<{ name: string }>`select name from kysely_migration`
    )
      .execute(db)
      .then((r) => new Set(r.rows.map((row) => row.name)))
      .catch(() => null); // no bookkeeping table yet: the Migrator creates it
    return applied !== null && applied.size === MIGRATION_NAMES.length && MIGRATION_NAMES.every((n) => applied.has(n));
  };
  const migrateToLatest = async (): Promise<string[]> => {
    if (dialect === 'postgres' && options.schema) {
      await db.schema.createSchema(options.schema).ifNotExists().execute();
    }
    const { error, results } = await (await migrator()).migrateToLatest();
    if (error) throw error instanceof Error ? error : new Error(String(error));
    return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
  };
  return {
    db,
    dialect,
    async migrate() {
      const applied = (await migrationsCurrent()) ? [] : await migrateToLatest();
      await ensureIndexes();
      return applied;
    },
    async pendingMigrations() {
      if (await migrationsCurrent()) return [];
      const all = await (await migrator()).getMigrations();
      return all.filter((m) => !m.executedAt).map((m) => m.name);
    },
    async destroy() {
      await notifications?.close();
      await db.destroy();
    },
    bulkLoad: (fn) => bulkLoad(fn),
    dataChanges: () => dataChanges(),
    optimize: () => optimize(),
  };
}
