/**
 * Rendered response bodies kept in memory, each valid while its enterprise's data version is the
 * one it was rendered at (issue #5: Users list against a bare route serving the same bytes). The
 * caller reads the version from the database on every request — the version is bumped in the same
 * transaction as every write it covers (migration 0070's triggers for users), so a page is never
 * served after a change it does not show, whichever process made the change.
 *
 * Bounded: least recently used pages leave first once the texts exceed `maxChars` in all; an
 * enterprise's pages of an older version are dropped when a newer version is seen.
 */
export class RenderedPages {
  private readonly byEnterprise = new Map<string, { version: string; pages: Map<string, string> }>();
  /** Every kept page, least recently used first: enterprise id and key. */
  private readonly lru = new Map<string, [string, string]>();
  private chars = 0;

  constructor(private readonly maxChars = 16 * 1024 * 1024) {}

  /** The page rendered for `key` at `version`, or undefined. */
  get(enterpriseId: string, version: string, key: string): string | undefined {
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
  set(enterpriseId: string, version: string, key: string, page: string): void {
    if (page.length > this.maxChars / 4) return;
    let e = this.byEnterprise.get(enterpriseId);
    if (e && e.version !== version) {
      this.dropEnterprise(enterpriseId);
      e = undefined;
    }
    if (!e) this.byEnterprise.set(enterpriseId, (e = { version, pages: new Map() }));
    const old = e.pages.get(key);
    if (old !== undefined) this.chars -= old.length;
    e.pages.set(key, page);
    this.chars += page.length;
    const id = `${enterpriseId}\u0000${key}`;
    this.lru.delete(id);
    this.lru.set(id, [enterpriseId, key]);
    for (const [lruId, [ent, k]] of this.lru) {
      if (this.chars <= this.maxChars) break;
      this.lru.delete(lruId);
      const pages = this.byEnterprise.get(ent)?.pages;
      const text = pages?.get(k);
      if (text !== undefined) {
        this.chars -= text.length;
        pages!.delete(k);
      }
    }
  }

  /**
   * The page for `key`: kept, if rendered at the enterprise's current version (read by `version`
   * first: the page rendered after it shows at least that version's data), else
   * rendered by `render` and kept. A page `render` refuses (throws) is never kept.
   */
  async through(enterpriseId: string, version: () => Promise<string>, key: string, render: () => Promise<string>): Promise<string> {
    const v = await version();
    const kept = this.get(enterpriseId, v, key);
    if (kept !== undefined) return kept;
    const page = await render();
    this.set(enterpriseId, v, key, page);
    return page;
  }

  /** Characters kept (for tests and metrics). */
  get size(): number {
    return this.chars;
  }

  private dropEnterprise(enterpriseId: string): void {
    const e = this.byEnterprise.get(enterpriseId);
    if (!e) return;
    for (const [key, text] of e.pages) {
      this.chars -= text.length;
      this.lru.delete(`${enterpriseId}\u0000${key}`);
    }
    this.byEnterprise.delete(enterpriseId);
  }
}
