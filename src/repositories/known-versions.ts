/**
 * Data versions (migrations 0070 and 0080: `users_versions`, `transactions_versions`) read once and
 * then known while the database's change token (`DbContext.changes`) stays the same — no write of
 * this process, no commit of another connection on SQLite (`data_version`), no change notified on
 * PostgreSQL since. A kept Users or Transactions list page then costs no query at all (issue #5:
 * the Users list against a bare route serving the same bytes); any write in between makes the
 * next read go to the database, as before. A null token (not known) always reads.
 */
export class KnownVersions {
  private readonly known = new Map<string, { token: string; version: string }>();

  constructor(
    private readonly changes: () => string | null,
    private readonly max = 10_000,
  ) {}

  /** The version of `key`: known, or read by `load`. */
  async read(key: string, load: () => Promise<string>): Promise<string> {
    // the token is taken before the read: a write committed meanwhile changes it for the next read
    const token = this.changes();
    if (token !== null) {
      const k = this.known.get(key);
      if (k !== undefined && k.token === token) return k.version;
    }
    const version = await load();
    if (token !== null) {
      if (this.known.size >= this.max) this.known.clear();
      this.known.set(key, { token, version });
    }
    return version;
  }
}
