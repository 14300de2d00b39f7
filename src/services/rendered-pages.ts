/**
 * Rendered response bodies kept in memory as the bytes sent (UTF-8, encoded once when kept: sending
 * a 13 KB string cost Node about what the rest of the request did — the bench's bare route sent as
 * a string ran at 10,500 req/s instead of 24,000), each valid while its enterprise's data version is
 * the one it was rendered at (issue #5: Users list against a bare route serving the same bytes).
 * The caller passes the version (KnownVersions: read again only after a write may have changed it);
 * the version is bumped in the same transaction as every write it covers (migration 0070's triggers
 * for users), so a page is never served after a change it does not show.
 *
 * Bounded: least recently used pages leave first once the pages exceed `maxBytes` in all; an
 * enterprise's pages of an older version are dropped when a newer version is seen.
 */
export class RenderedPages {
  private readonly byEnterprise = new Map<string, { version: string; pages: Map<string, Buffer> }>();
  /** Every kept page, least recently used first: enterprise id and key. */
  private readonly lru = new Map<string, [string, string]>();
  private bytes = 0;

  constructor(private readonly maxBytes = 16 * 1024 * 1024) {}

  /** The page rendered for `key` at `version`, or undefined. */
  get(enterpriseId: string, version: string, key: string): Buffer | undefined {
    const e = this.byEnterprise.get(enterpriseId);
    if (!e) return undefined;
    if (e.version !== version) {
      this.dropEnterprise(enterpriseId);
      return undefined;
    }
    const page = e.pages.get(key);
    if (page !== undefined) {
      const id = `${enterpriseId}\u0000${key}`;
      this.lru.delete(id);
      this.lru.set(id, [enterpriseId, key]);
    }
    return page;
  }

  /** Keeps `page`, rendered for `key` from data at `version` or later. */
  set(enterpriseId: string, version: string, key: string, page: Buffer): void {
    if (page.length > this.maxBytes / 4) return;
    let e = this.byEnterprise.get(enterpriseId);
    if (e && e.version !== version) {
      this.dropEnterprise(enterpriseId);
      e = undefined;
    }
    if (!e) this.byEnterprise.set(enterpriseId, (e = { version, pages: new Map() }));
    const old = e.pages.get(key);
    if (old !== undefined) this.bytes -= old.length;
    e.pages.set(key, page);
    this.bytes += page.length;
    const id = `${enterpriseId}\u0000${key}`;
    this.lru.delete(id);
    this.lru.set(id, [enterpriseId, key]);
    for (const [lruId, [ent, k]] of this.lru) {
      if (this.bytes <= this.maxBytes) break;
      this.lru.delete(lruId);
      const pages = this.byEnterprise.get(ent)?.pages;
      const kept = pages?.get(k);
      if (kept !== undefined) {
        this.bytes -= kept.length;
        pages!.delete(k);
      }
    }
  }

  /**
   * The page for `key`: kept, if rendered at the enterprise's current version (read by `version`
   * first: the page rendered after it shows at least that version's data), else
   * rendered by `render` and kept. A page `render` refuses (throws) is never kept.
   */
  async through(enterpriseId: string, version: () => Promise<string>, key: string, render: () => Promise<string>): Promise<Buffer> {
    const v = await version();
    const kept = this.get(enterpriseId, v, key);
    if (kept !== undefined) return kept;
    const page = Buffer.from(await render(), 'utf8');
    this.set(enterpriseId, v, key, page);
    return page;
  }

  /** Bytes kept (for tests and metrics). */
  get size(): number {
    return this.bytes;
  }

  private dropEnterprise(enterpriseId: string): void {
    const e = this.byEnterprise.get(enterpriseId);
    if (!e) return;
    for (const [key, page] of e.pages) {
      this.bytes -= page.length;
      this.lru.delete(`${enterpriseId}\u0000${key}`);
    }
    this.byEnterprise.delete(enterpriseId);
  }
}
