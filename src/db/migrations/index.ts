/**
 * The one migration history for both databases. Migrations branch only on column types, through
 * the context: `seqType` (auto-incrementing pagination id) and `decType` (exact decimal storage).
 */
import type { Kysely, Migration, MigrationProvider } from 'kysely';
import * as m0001 from './0001-initial.js';
import * as m0002 from './0002-stats-indexes.js';
import * as m0010 from './0010-sync-jobs.js';
import * as m0011 from './0011-drop-unused-movement-indexes.js';
import * as m0012 from './0012-drop-unused-time-indexes.js';
import * as m0020 from './0020-oauth-codes.js';
import * as m0030 from './0030-connect.js';
import * as m0040 from './0040-stats-counters.js';
import * as m0050 from './0050-stats-balances.js';
import * as m0060 from './0060-stats-trades.js';
import * as m0070 from './0070-users-versions.js';
import * as m0080 from './0080-transactions-versions.js';
import * as m0090 from './0090-versions-notify.js';

export type DialectName = 'sqlite' | 'postgres';

export interface MigrationContext {
  dialect: DialectName;
  /** `integer` on SQLite (with AUTOINCREMENT), `bigserial` on PostgreSQL. */
  seqType: 'integer' | 'bigserial';
  /** `text` on SQLite (a `numeric` column there would become a float), `numeric` on PostgreSQL. */
  decType: 'text' | 'numeric';
}

interface MigrationModule {
  up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void>;
}

const MIGRATIONS: [string, MigrationModule][] = [
  ['0001-initial', m0001],
  ['0002-stats-indexes', m0002],
  ['0010-sync-jobs', m0010],
  ['0011-drop-unused-movement-indexes', m0011],
  ['0012-drop-unused-time-indexes', m0012],
  ['0020-oauth-codes', m0020],
  ['0030-connect', m0030],
  ['0040-stats-counters', m0040],
  ['0050-stats-balances', m0050],
  ['0060-stats-trades', m0060],
  ['0070-users-versions', m0070],
  ['0080-transactions-versions', m0080],
  ['0090-versions-notify', m0090],
];

export class TortieMigrationProvider implements MigrationProvider {
  constructor(private readonly dialect: DialectName) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    const ctx: MigrationContext = {
      dialect: this.dialect,
      seqType: this.dialect === 'sqlite' ? 'integer' : 'bigserial',
      decType: this.dialect === 'sqlite' ? 'text' : 'numeric',
    };
    return Object.fromEntries(MIGRATIONS.map(([name, mod]) => [name, { up: (db: Kysely<unknown>) => mod.up(db, ctx) }]));
  }
}

export const MIGRATION_NAMES = MIGRATIONS.map(([n]) => n);
