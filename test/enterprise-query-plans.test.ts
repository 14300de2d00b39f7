/**
 * The list reads must stay index-served as data grows (SPEC §3: page N costs what page 1 costs):
 * the queries the repositories actually issue are captured and EXPLAINed on both databases. Each
 * must read through an index (no full scan of the table) and, for keyset lists, in index order
 * (no sort of the candidate rows). On PostgreSQL sequential scans are disabled for the check, so
 * the planner must find an index path; on SQLite the plan is what runs.
 */
import { describe, expect, it } from 'vitest';
import { CompiledQuery, sql, type KyselyPlugin } from 'kysely';
import { forEachDialect, type TestEnv } from './support/harness.js';
import { dbContext } from '../src/repositories/db-context.js';
import { UsersRepository } from '../src/repositories/users.repository.js';
import { AccountsRepository } from '../src/repositories/accounts.repository.js';
import { PositionsRepository } from '../src/repositories/positions.repository.js';
import { TransactionsRepository } from '../src/repositories/transactions.repository.js';

const E = '0190f3c5-0000-7000-8000-000000000001';
const U1 = '0190f3c5-0000-7000-8000-000000000002';
const U2 = '0190f3c5-0000-7000-8000-000000000003';
const A1 = '0190f3c5-0000-7000-8000-000000000004';

interface Probe {
  name: string;
  run: (r: Repos) => Promise<unknown>;
  /** Keyset lists must come out of the index in order (no sort step). */
  ordered: boolean;
  /**
   * SQLite has no planner statistics, so the plan is deterministic: the main table must be read
   * through this (selective) index, not merely some index such as the tenant-wide one.
   * PostgreSQL picks by statistics, which an empty test table does not have.
   */
  sqliteIndex: string;
}

interface Repos {
  users: UsersRepository;
  accounts: AccountsRepository;
  positions: PositionsRepository;
  transactions: TransactionsRepository;
}

const PROBES: Probe[] = [
  { name: 'users list, page after a cursor', run: (r) => r.users.list(E, {}, 1000, 31), ordered: true, sqliteIndex: 'users_enterprise_seq' },
  { name: 'users search by e-mail', run: (r) => r.users.list(E, { email: 'a@example.com' }, undefined, 31), ordered: false, sqliteIndex: 'users_enterprise_email' },
  { name: 'users search with account, asset and value probes', run: (r) => r.users.list(E, { providerIds: ['kraken'], assetIds: ['bitcoin'], minTotalValue: { amount: '1', prices: new Map([['bitcoin', '5']]) } }, 1000, 31), ordered: true, sqliteIndex: 'users_enterprise_seq' },
  { name: 'accounts list', run: (r) => r.accounts.list(E, {}, 1000, 31), ordered: true, sqliteIndex: 'accounts_enterprise_seq' },
  { name: 'accounts list by provider', run: (r) => r.accounts.list(E, { providerIds: ['kraken'] }, 1000, 31), ordered: true, sqliteIndex: 'accounts_enterprise_provider' },
  { name: "one user's accounts", run: (r) => r.accounts.listForUser(E, U1), ordered: true, sqliteIndex: 'accounts_user' },
  { name: "one user's positions", run: (r) => r.positions.forUser(E, U1), ordered: false, sqliteIndex: 'asset_positions_user' },
  { name: 'positions of a page of accounts', run: (r) => r.positions.forAccounts(E, [A1]), ordered: false, sqliteIndex: 'sqlite_autoindex_asset_positions_1' },
  { name: "one user's transactions after a cursor", run: (r) => r.transactions.list(E, { userIds: [U1] }, { timestamp: '2026-01-01T00:00:00.000Z', seq: 1000 }, 31), ordered: true, sqliteIndex: 'transactions_user_time' },
  { name: "one user's transactions of an asset", run: (r) => r.transactions.list(E, { userIds: [U1], assetIds: ['bitcoin'] }, { timestamp: '2026-01-01T00:00:00.000Z', seq: 1000 }, 31), ordered: true, sqliteIndex: 'transactions_user_time' },
  { name: 'all transactions in a window after a cursor', run: (r) => r.transactions.list(E, { start: '2025-01-01T00:00:00.000Z', end: '2027-01-01T00:00:00.000Z' }, { timestamp: '2026-01-01T00:00:00.000Z', seq: 1000 }, 31), ordered: true, sqliteIndex: 'transactions_enterprise_time' },
  { name: 'all transactions of two users by type', run: (r) => r.transactions.list(E, { userIds: [U1, U2], types: ['buy'] }, undefined, 31), ordered: true, sqliteIndex: 'transactions_enterprise_time' },
];

/** Repositories over the test database whose queries are captured instead of only run. */
function capturing(env: TestEnv): { repos: Repos; captured: CompiledQuery[] } {
  const db = env.deps.ctx.db;
  const captured: CompiledQuery[] = [];
  const plugin: KyselyPlugin = {
    transformQuery(args) {
      captured.push(db.getExecutor().compileQuery(args.node, args.queryId));
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
  const ctx = dbContext(db.withPlugin(plugin), env.deps.ctx.dialect);
  return { repos: { users: new UsersRepository(ctx), accounts: new AccountsRepository(ctx), positions: new PositionsRepository(ctx), transactions: new TransactionsRepository(ctx) }, captured };
}

async function explain(env: TestEnv, q: CompiledQuery): Promise<string> {
  const db = env.deps.ctx.db;
  if (env.dialect === 'sqlite') {
    const r = await db.executeQuery<{ detail: string }>(CompiledQuery.raw(`explain query plan ${q.sql}`, [...q.parameters]));
    return r.rows.map((x) => x.detail).join('\n');
  }
  return db.transaction().execute(async (trx) => {
    await sql`set local enable_seqscan = off`.execute(trx);
    const r = await trx.executeQuery<{ 'QUERY PLAN': string }>(CompiledQuery.raw(`explain ${q.sql}`, [...q.parameters]));
    return r.rows.map((x) => x['QUERY PLAN']).join('\n');
  });
}

describe('query plans of the list reads', () => {
  forEachDialect((env) => {
    it.each(PROBES)('$name', async (p) => {
      const { repos, captured } = capturing(env());
      await p.run(repos);
      const q = captured[captured.length - 1]!;
      const plan = await explain(env(), q);
      if (env().dialect === 'sqlite') {
        expect(plan, plan).not.toMatch(/^SCAN (u|t|p|a|accounts|users|transactions|asset_positions)\b/m);
        expect(plan.split('\n')[0], plan).toContain(`INDEX ${p.sqliteIndex} (`);
        if (p.ordered) expect(plan, plan).not.toMatch(/TEMP B-TREE FOR ORDER BY/);
      } else {
        expect(plan, plan).not.toMatch(/Seq Scan on (users|accounts|transactions|asset_positions|transaction_movements)\b/);
        if (p.ordered) expect(plan, plan).not.toMatch(/\bSort\b/);
      }
    });
  });
});
