/**
 * Data versions (migrations 0070 and 0080: `users_versions`, `transactions_versions`) read once and
 * then known while the database's change token (`DbContext.changes`) stays the same — no write of
 * this process, no commit of another connection on SQLite (`data_version`), no change notified on
 * PostgreSQL since. A kept Users or Transactions list page then costs no query at all (issue #5:
 * the Users list against a bare route serving the same bytes); any write in between makes the
 * next read go to the database, as before. A null token (not known) always reads.
 */
import type { DbContext } from './db-context.js';

export class KnownVersions {
  private readonly known = new Map<string, { token: string; version: string }>();

  constructor(
    private readonly ctx: DbContext,
    private readonly table: 'users_versions' | 'transactions_versions',
    private readonly max = 10_000,
  ) {}

  /** The enterprise's version in the table ("0" without a row): known, or read. */
  async of(enterpriseId: string): Promise<string> {
    // the token is taken before the read: a write committed meanwhile changes it for the next read
    const token = this.ctx.changes();
    if (token !== null) {
      const k = this.known.get(enterpriseId);
      if (k !== undefined && k.token === token) return k.version;
    }
    const r = await this.ctx.db.selectFrom(this.table).select('version').where('enterprise_id', '=', enterpriseId).executeTakeFirst();
    const version = r === undefined ? '0' : String(r.version);
    if (token !== null) {
      if (this.known.size >= this.max) this.known.clear();
      this.known.set(enterpriseId, { token, version });
    }
    return version;
  }
}
