/**
 * Users list pages served again from memory (src/services/rendered-pages.ts) on both databases:
 * a page is rendered once while nothing changes, and every kind of write to users — through the
 * API, through the repositories, or as plain SQL past them (another process, an operator) — shows
 * in the next answer, because migration 0070's triggers bump the enterprise's users version in the
 * writing transaction. Another enterprise's writes leave the version alone; refused requests are
 * never kept.
 */
import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { PG_URL, forEachDialect, type TestEnv } from './support/harness.js';
import { createDb } from '../src/db/create-db.js';
import { seedUser } from './support/seed.js';
import { RenderedPages } from '../src/services/rendered-pages.js';

/** Counts the renders of Users list pages (calls to the repository's list query). */
function countingLists(env: TestEnv): { renders: () => number } {
  const repo = env.deps.repos.users;
  const original = repo.list.bind(repo);
  let n = 0;
  repo.list = (...args: Parameters<typeof repo.list>) => {
    n++;
    return original(...args);
  };
  return { renders: () => n };
}

describe('Users list pages kept between writes', () => {
  forEachDialect((env) => {
    it('renders a page once while nothing changes and shows every write to users at once', async () => {
      const t = env();
      const e = await t.newEnterprise();
      const other = await t.newEnterprise();
      const a = await seedUser(t.deps, e.enterpriseId, { fullName: 'Ada' });
      const b = await seedUser(t.deps, e.enterpriseId, { fullName: 'Bea' });
      const counter = countingLists(t);
      const page = async (url = '/enterprise/v2/users/all?limit=1') => {
        const res = await t.call(e.token, { method: 'GET', url });
        expect(res.statusCode).toBe(200);
        return res;
      };
      const names = async () => {
        const out: string[] = [];
        let next: string | null = '/enterprise/v2/users/all?limit=1';
        while (next) {
          const body: { data: { users: { full_name: string; deactivated: boolean }[] }; page: { next_uri: string | null } } = (await page(next)).json();
          out.push(...body.data.users.map((u: { full_name: string; deactivated: boolean }) => `${u.full_name}${u.deactivated ? ' (deactivated)' : ''}`));
          next = body.page.next_uri;
        }
        return out;
      };

      const first = await page();
      const renders = counter.renders();
      const again = await page();
      expect(again.body).toBe(first.body);
      expect(counter.renders()).toBe(renders); // served from memory
      expect(await names()).toEqual(['Ada', 'Bea']);

      // another enterprise's users change: this one's version stays, its pages stay kept
      const before = await t.deps.repos.users.version(e.enterpriseId);
      await seedUser(t.deps, other.enterpriseId, { fullName: 'Elsewhere' });
      expect(await t.deps.repos.users.version(e.enterpriseId)).toBe(before);
      const rendersBefore = counter.renders();
      await page();
      expect(counter.renders()).toBe(rendersBefore);

      // a new user (repository write)
      const c = await seedUser(t.deps, e.enterpriseId, { fullName: 'Cy' });
      expect(await names()).toEqual(['Ada', 'Bea', 'Cy']);

      // deactivation through the API
      expect((await t.call(e.token, { method: 'DELETE', url: `/enterprise/v2/users/${b}` })).statusCode).toBe(200);
      expect(await names()).toEqual(['Ada', 'Bea (deactivated)', 'Cy']);

      // plain SQL past the repositories (another process, an operator)
      await sql`update users set full_name = ${'Ada L.'} where id = ${a}`.execute(t.deps.ctx.db);
      expect(await names()).toEqual(['Ada L.', 'Bea (deactivated)', 'Cy']);

      // erasure through the API: the user leaves the list
      expect((await t.call(e.token, { method: 'DELETE', url: `/enterprise/v2/users/${c}?erase=true` })).statusCode).toBe(200);
      expect(await names()).toEqual(['Ada L.', 'Bea (deactivated)']);

      // a bare user_id cursor of an erased user is refused, and a refusal is never kept
      for (let i = 0; i < 2; i++) {
        const res = await t.call(e.token, { method: 'GET', url: `/enterprise/v2/users/all?cursor=${c}` });
        expect(res.statusCode).toBe(400);
        expect(res.json().errors[0].field).toBe('cursor');
      }
      // the other enterprise's token sees its own list, never this one's kept pages
      const theirs = (await t.call(other.token, { method: 'GET', url: '/enterprise/v2/users/all?limit=1' })).json();
      expect(theirs.data.users.map((u: { full_name: string }) => u.full_name)).toEqual(['Elsewhere']);
    });
  });
});

describe('Users list versions known between writes', () => {
  forEachDialect((env) => {
    it('reads no version while nothing is written; this process\'s writes show at once, another process\'s once its commit is seen', async () => {
      const t = env();
      const dbh = t.deps.dbh;
      // PostgreSQL: null until the LISTEN connection is open
      const deadline = Date.now() + 5_000;
      while (dbh.dataChanges() === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(dbh.dataChanges()).not.toBeNull();
      /**
       * PostgreSQL: until the notifications of this process's writes have arrived (they come after
       * the commit, a few milliseconds later): the token holds still for 100 ms.
       */
      const settled = async () => {
        if (t.dialect !== 'postgres') return;
        for (let i = 0; i < 50; i++) {
          const before = dbh.dataChanges();
          await new Promise((r) => setTimeout(r, 100));
          if (dbh.dataChanges() === before) return;
        }
        throw new Error('the change token never held still');
      };
      const e = await t.newEnterprise();
      const a = await seedUser(t.deps, e.enterpriseId, { fullName: 'Ada' });
      await settled();
      const token = dbh.dataChanges();

      // version reads that reach the database
      const db = t.deps.ctx.db as unknown as { selectFrom: (table: string) => unknown };
      const selectFrom = db.selectFrom.bind(db);
      let versionReads = 0;
      db.selectFrom = (table: string) => {
        if (table === 'users_versions') versionReads++;
        return selectFrom(table);
      };
      try {
        const names = async () => (await t.call(e.token, { method: 'GET', url: '/enterprise/v2/users/all' })).json().data.users.map((u: { full_name: string }) => u.full_name);
        expect(await names()).toEqual(['Ada']);
        const reads = versionReads;
        for (let i = 0; i < 5; i++) expect(await names()).toEqual(['Ada']);
        expect(versionReads).toBe(reads); // kept page, known version: no query
        expect(dbh.dataChanges()).toBe(token); // reads change nothing

        // this process: at once
        await sql`update users set full_name = ${'Ada L.'} where id = ${a}`.execute(t.deps.ctx.db);
        expect(dbh.dataChanges()).not.toBe(token);
        expect(await names()).toEqual(['Ada L.']);
        expect(versionReads).toBe(reads + 1);
        await settled();

        // another process (its own connection)
        const schema = t.dialect === 'postgres' ? (await sql<{ s: string }>`select current_schema() as s`.execute(t.deps.ctx.db)).rows[0]!.s : undefined;
        const other = t.dialect === 'postgres' ? createDb(PG_URL, { schema, poolSize: 1 }) : createDb(t.config.databaseUrl);
        try {
          const before = dbh.dataChanges();
          await sql`update users set full_name = ${'Ada Lovelace'} where id = ${a}`.execute(other.db);
          if (t.dialect === 'sqlite') {
            expect(dbh.dataChanges()).not.toBe(before); // data_version: at once
          } else {
            const until = Date.now() + 5_000; // the notification, sent at the commit
            while (dbh.dataChanges() === before && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
            expect(dbh.dataChanges()).not.toBe(before);
          }
          expect(await names()).toEqual(['Ada Lovelace']);
        } finally {
          await other.destroy();
        }
      } finally {
        db.selectFrom = selectFrom;
      }
    });
  });
});

describe('RenderedPages', () => {
  it('drops an enterprise’s pages of an older version and keeps within its size', () => {
    const pages = new RenderedPages(100);
    pages.set('e1', '1', '/a', Buffer.from('x'.repeat(20)));
    pages.set('e1', '1', '/b', Buffer.from('y'.repeat(20)));
    pages.set('e2', '7', '/a', Buffer.from('z'.repeat(20)));
    expect(pages.get('e1', '1', '/a')).toEqual(Buffer.from('x'.repeat(20)));
    expect(pages.get('e2', '7', '/a')).toEqual(Buffer.from('z'.repeat(20)));
    expect(pages.size).toBe(60);
    // a newer version: every page of e1 goes, e2 stays
    expect(pages.get('e1', '2', '/a')).toBeUndefined();
    expect(pages.get('e1', '1', '/b')).toBeUndefined();
    expect(pages.size).toBe(20);
    // least recently used leave first beyond the bound; a page over a quarter of it is not kept
    pages.set('e3', '1', '/1', Buffer.from('a'.repeat(25)));
    pages.get('e2', '7', '/a');
    pages.set('e3', '1', '/2', Buffer.from('b'.repeat(25)));
    pages.set('e3', '1', '/3', Buffer.from('c'.repeat(25)));
    expect(pages.size).toBeLessThanOrEqual(100);
    expect(pages.get('e2', '7', '/a')).toEqual(Buffer.from('z'.repeat(20)));
    pages.set('e3', '1', '/big', Buffer.from('d'.repeat(26)));
    expect(pages.get('e3', '1', '/big')).toBeUndefined();
  });
});
