/**
 * Upkeep of the counters behind /stats/users, /stats/accounts and /stats/balance (SPEC §5.9–11;
 * tables created by migrations 0040 and 0050): every repository write that can change them calls
 * this inside its own database transaction, so the counters are exact whenever a transaction
 * commits.
 *
 * Model: each user has a **share** of the counters, a function of its row (erased, deactivated,
 * consent day), of its accounts (provider, `disconnected` or not) and, while active, of its
 * positions (asset, symbol, quantity) alone. A write that touches
 * users reads their shares before and after it, and adds the difference with atomic
 * `set x = x + delta` upserts — never a read-modify-write of a counter in JavaScript. Users created
 * by the current transaction together with all their accounts skip the reads: their shares come
 * from the rows being inserted (`created`), which is what keeps bulk loads fast. Replacing one
 * account's positions (`replacingPositions`, the sync engine and the demo) reads the user's row and
 * positions once and derives the "after" from the rows being written.
 *
 * Concurrency on PostgreSQL (READ COMMITTED, several writers): `track` first locks the users'
 * rows (FOR UPDATE, in id order), so two writes that touch the same user run one after the other
 * and the second reads the first one's result as its "before". Counter rows are upserted in key
 * order. `replacingPositions` locks its user's row the same way; the sync engine's final
 * transaction takes that lock first (`SyncRepository.lockUser`), before its job and transaction
 * rows, in the same order as account removal and erasure, so the two cannot wait for each other.
 * On SQLite write transactions are IMMEDIATE: one writer at a time.
 */
import { Transaction, sql } from 'kysely';
import type { Database } from '../db/schema.js';
import type { AccountScope } from '../domain/records.js';
import { DecimalSum, normalize } from '../lib/decimal.js';
import { chunks, type DbContext, type Executor } from './db-context.js';

/** What a user's share depends on, from its row. */
export interface CounterUser {
  id: string;
  enterprise_id: string;
  consented_at: string;
  deactivated: number;
  erased_at: string | null;
}

/** What a user's share depends on, from each of its accounts. */
export interface CounterAccount {
  user_id: string;
  provider_id: string;
  status: string;
}

/** What a user's share depends on, from each of its positions. */
export interface CounterPosition {
  account_id: string;
  asset_id: string;
  asset_symbol: string;
  /** Decimal string (normalized here: PostgreSQL returns `numeric` padded). */
  quantity: string;
}

/** A user's contribution to the counters; null for an erased user (it counts nowhere). */
interface Share {
  active: boolean;
  withAccounts: boolean;
  /** `YYYY-MM-DD` (UTC) of `consented_at`. */
  day: string;
  /** Accounts per provider, counted only for an active user. */
  providers: Map<string, number>;
  /** Positions, counted only for an active user. */
  positions: readonly CounterPosition[];
}

function shareOf(u: CounterUser, accounts: readonly CounterAccount[], positions: readonly CounterPosition[] = []): Share | null {
  if (u.erased_at !== null) return null;
  const active = u.deactivated === 0;
  const providers = new Map<string, number>();
  if (active) for (const a of accounts) providers.set(a.provider_id, (providers.get(a.provider_id) ?? 0) + 1);
  return { active, withAccounts: active && accounts.some((a) => a.status !== 'disconnected'), day: u.consented_at.slice(0, 10), providers, positions: active ? positions : [] };
}

/** Change of one `stats_asset_balances` row. */
interface BalanceDelta {
  asset_id: string;
  asset_symbol: string;
  quantity: DecimalSum;
  positions: number;
  holders: number;
}

const SURROGATE = /[\uD800-\uDFFF]/;
/**
 * Byte order of the UTF-8 encodings (SQLite's BINARY collation, PostgreSQL's "C"), which the
 * migration's backfill uses to pick the symbol row a holder counts on. JavaScript compares UTF-16
 * code units: the same order unless a surrogate pair is involved.
 */
function byteLess(a: string, b: string): boolean {
  if (SURROGATE.test(a) || SURROGATE.test(b)) return Buffer.compare(Buffer.from(a), Buffer.from(b)) < 0;
  return a < b;
}

/** The negation of a normalized decimal string. */
const negated = (q: string): string => (q === '0' ? q : q.startsWith('-') ? q.slice(1) : `-${q}`);

/**
 * Adds (or, with sign -1, subtracts) one user's positions to balance deltas: each position's
 * quantity and count on its (asset, symbol) row, and the user as one holder of each asset it holds
 * (a position > 0), on the row of its least positive symbol.
 */
function addPositions(into: Map<string, BalanceDelta>, positions: readonly CounterPosition[], sign: 1 | -1): void {
  const entry = (asset_id: string, asset_symbol: string): BalanceDelta => {
    const key = `${asset_id}\u0000${asset_symbol}`;
    let d = into.get(key);
    if (!d) into.set(key, (d = { asset_id, asset_symbol, quantity: new DecimalSum(), positions: 0, holders: 0 }));
    return d;
  };
  const held = new Map<string, string>();
  for (const p of positions) {
    const q = normalize(p.quantity);
    const d = entry(p.asset_id, p.asset_symbol);
    d.quantity.add(sign === 1 ? q : negated(q));
    d.positions += sign;
    if (q !== '0' && !q.startsWith('-')) {
      const s = held.get(p.asset_id);
      if (s === undefined || byteLess(p.asset_symbol, s)) held.set(p.asset_id, p.asset_symbol);
    }
  }
  for (const [asset, symbol] of held) entry(asset, symbol).holders += sign;
}

/** Counter changes of one enterprise, summed over users; zero entries are skipped when applied. */
class Deltas {
  total = 0;
  active = 0;
  withAccounts = 0;
  readonly days = new Map<string, number>();
  readonly providers = new Map<string, { accounts: number; users: number }>();
  /** Keyed by asset id and symbol. */
  readonly balances = new Map<string, BalanceDelta>();

  add(s: Share | null, sign: 1 | -1): void {
    if (!s) return;
    addPositions(this.balances, s.positions, sign);
    this.total += sign;
    if (s.active) this.active += sign;
    if (s.withAccounts) this.withAccounts += sign;
    this.days.set(s.day, (this.days.get(s.day) ?? 0) + sign);
    for (const [provider, n] of s.providers) {
      const p = this.providers.get(provider) ?? { accounts: 0, users: 0 };
      p.accounts += sign * n;
      p.users += sign;
      this.providers.set(provider, p);
    }
  }
}

const byKey = <T>(m: Map<string, T>): [string, T][] => [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

export class StatsCounters {
  constructor(private readonly ctx: DbContext) {}

  /**
   * Runs `fn` in `ex` if it is a transaction, else in a new one: the counters must commit with
   * the rows they count.
   */
  inTransaction<T>(ex: Executor, fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
    return ex instanceof Transaction ? fn(ex) : this.ctx.db.transaction().execute(fn);
  }

  /**
   * Adds the shares of users inserted by the current transaction together with **all** their
   * accounts (none of them can have another yet), computed from the inserted rows without reading.
   */
  async created(trx: Transaction<Database>, users: readonly CounterUser[], accounts: readonly CounterAccount[]): Promise<void> {
    const byUser = new Map<string, CounterAccount[]>(users.map((u) => [u.id, []]));
    for (const a of accounts) {
      const list = byUser.get(a.user_id);
      if (!list) throw new Error(`account of user ${a.user_id}, who is not among the users created with it`);
      list.push(a);
    }
    const deltas = new Map<string, Deltas>();
    for (const u of users) {
      let d = deltas.get(u.enterprise_id);
      if (!d) deltas.set(u.enterprise_id, (d = new Deltas()));
      d.add(shareOf(u, byUser.get(u.id) ?? []), 1);
    }
    for (const [enterpriseId, d] of byKey(deltas)) await this.apply(trx, enterpriseId, d);
  }

  /**
   * Runs `fn`, a write that may change the shares of `userIds` (users of `enterpriseId`), and
   * adds the difference of their shares after and before it. Locks the users' rows first on
   * PostgreSQL: call it before any other write of the transaction that a concurrent user write
   * might wait on.
   */
  async track<T>(trx: Transaction<Database>, enterpriseId: string, userIds: readonly string[], fn: () => Promise<T>): Promise<T> {
    const ids = [...new Set(userIds)].sort();
    const before = await this.shares(trx, enterpriseId, ids, true);
    const result = await fn();
    const after = await this.shares(trx, enterpriseId, ids, false);
    const d = new Deltas();
    for (const id of ids) {
      d.add(before.get(id) ?? null, -1);
      d.add(after.get(id) ?? null, 1);
    }
    await this.apply(trx, enterpriseId, d);
    return result;
  }

  /**
   * Runs `write`, which replaces the positions of `scope`'s account with `after` (and changes
   * nothing else the counters depend on), and adds the difference to the balances. The user's row
   * is read (locked on PostgreSQL, so concurrent writes of the same user's positions or activity
   * run one after the other) and, when the user is active, its positions once: the "after" is
   * those of its other accounts plus `after`, without a second read.
   */
  async replacingPositions<T>(trx: Transaction<Database>, scope: AccountScope, after: readonly Omit<CounterPosition, 'account_id'>[], write: () => Promise<T>): Promise<T> {
    return this.replacingPositionsOf(trx, [{ scope, after }], write);
  }

  /**
   * As `replacingPositions`, for the positions of several accounts replaced by one `write` (a
   * bulk load's batch): the users' rows are read (locked on PostgreSQL, in id order) in one query,
   * the active ones' positions in another, and each enterprise's counters get one upsert per
   * table, in key order.
   */
  async replacingPositionsOf<T>(
    trx: Transaction<Database>,
    replaced: readonly { scope: AccountScope; after: readonly Omit<CounterPosition, 'account_id'>[] }[],
    write: () => Promise<T>,
  ): Promise<T> {
    const ids = [...new Set(replaced.map((r) => r.scope.userId))].sort();
    const active = new Set<string>();
    for (const part of chunks(ids, 500)) {
      let q = trx.selectFrom('users').select(['id', 'enterprise_id', 'deactivated', 'erased_at']).where('id', 'in', part).orderBy('id');
      if (this.ctx.dialect === 'postgres') q = q.forUpdate();
      for (const u of await q.execute()) if (u.erased_at === null && Number(u.deactivated) === 0) active.add(`${u.enterprise_id}\u0000${u.id}`);
    }
    // per enterprise, per active user: the accounts replaced, with their new positions
    const users = new Map<string, Map<string, Map<string, readonly Omit<CounterPosition, 'account_id'>[]>>>();
    for (const { scope, after } of replaced) {
      if (!active.has(`${scope.enterpriseId}\u0000${scope.userId}`)) continue;
      let byUser = users.get(scope.enterpriseId);
      if (!byUser) users.set(scope.enterpriseId, (byUser = new Map()));
      let accounts = byUser.get(scope.userId);
      if (!accounts) byUser.set(scope.userId, (accounts = new Map()));
      accounts.set(scope.accountId, after);
    }
    const before = new Map<string, (CounterPosition & { user_id: string })[]>();
    for (const [enterpriseId, byUser] of users) {
      for (const part of chunks([...byUser.keys()], 500)) before.set(enterpriseId, [...(before.get(enterpriseId) ?? []), ...(await this.positionsOf(trx, enterpriseId, part))]);
    }
    const result = await write();
    for (const [enterpriseId, byUser] of byKey(users)) {
      const beforeByUser = new Map<string, CounterPosition[]>();
      for (const p of before.get(enterpriseId) ?? []) {
        const list = beforeByUser.get(p.user_id);
        if (list) list.push(p);
        else beforeByUser.set(p.user_id, [p]);
      }
      const d = new Deltas();
      for (const [userId, accounts] of byUser) {
        const mine = beforeByUser.get(userId) ?? [];
        addPositions(d.balances, mine, -1);
        // one call for the user's whole "after": a user holding an asset counts once
        const kept = mine.filter((p) => !accounts.has(p.account_id));
        const added = [...accounts].flatMap(([account_id, after]) => after.map((p) => ({ ...p, account_id })));
        addPositions(d.balances, [...kept, ...added], 1);
      }
      await this.apply(trx, enterpriseId, d);
    }
    return result;
  }

  /**
   * The users' positions, through `asset_positions_user`. The enterprise is checked on the rows
   * read: with `enterprise_id` in the WHERE clause SQLite's planner picks the index
   * `positions_enterprise_asset_user` and reads every position of the enterprise.
   */
  private async positionsOf(trx: Transaction<Database>, enterpriseId: string, userIds: readonly string[]): Promise<(CounterPosition & { user_id: string })[]> {
    const rows = await trx
      .selectFrom('asset_positions')
      .select(['enterprise_id', 'user_id', 'account_id', 'asset_id', 'asset_symbol', 'quantity'])
      .where('user_id', 'in', [...userIds])
      .execute();
    return rows
      .filter((r) => r.enterprise_id === enterpriseId)
      .map((r) => ({ user_id: r.user_id, account_id: r.account_id, asset_id: r.asset_id, asset_symbol: r.asset_symbol, quantity: String(r.quantity) }));
  }

  /** The current shares of some users of the enterprise (absent: unknown or erased). */
  private async shares(trx: Transaction<Database>, enterpriseId: string, ids: readonly string[], lock: boolean): Promise<Map<string, Share | null>> {
    const out = new Map<string, Share | null>();
    for (const part of chunks(ids, 500)) {
      let q = trx
        .selectFrom('users')
        .select(['id', 'enterprise_id', 'consented_at', 'deactivated', 'erased_at'])
        .where('enterprise_id', '=', enterpriseId)
        .where('id', 'in', part)
        .orderBy('id');
      if (lock && this.ctx.dialect === 'postgres') q = q.forUpdate();
      const users = await q.execute();
      if (!users.length) continue;
      const accounts = await trx
        .selectFrom('accounts')
        .select(['user_id', 'provider_id', 'status'])
        .where('enterprise_id', '=', enterpriseId)
        .where(
          'user_id',
          'in',
          users.map((u) => u.id),
        )
        .execute();
      const byUser = new Map<string, CounterAccount[]>();
      for (const a of accounts) {
        const list = byUser.get(a.user_id);
        if (list) list.push(a);
        else byUser.set(a.user_id, [a]);
      }
      // only active users' positions count
      const active = users.filter((u) => u.erased_at === null && Number(u.deactivated) === 0).map((u) => u.id);
      const positions = active.length ? await this.positionsOf(trx, enterpriseId, active) : [];
      const positionsByUser = new Map<string, CounterPosition[]>();
      for (const p of positions) {
        const list = positionsByUser.get(p.user_id);
        if (list) list.push(p);
        else positionsByUser.set(p.user_id, [p]);
      }
      for (const u of users) out.set(u.id, shareOf({ ...u, deactivated: Number(u.deactivated) }, byUser.get(u.id) ?? [], positionsByUser.get(u.id) ?? []));
    }
    return out;
  }

  /** Adds the deltas to the enterprise's counter rows (created at the first change), in key order. */
  private async apply(trx: Transaction<Database>, enterpriseId: string, d: Deltas): Promise<void> {
    if (d.total || d.active || d.withAccounts) {
      await trx
        .insertInto('stats_user_counts')
        .values({ enterprise_id: enterpriseId, total: d.total, active: d.active, with_accounts: d.withAccounts })
        .onConflict((oc) =>
          oc.column('enterprise_id').doUpdateSet({
            total: sql`stats_user_counts.total + excluded.total`,
            active: sql`stats_user_counts.active + excluded.active`,
            with_accounts: sql`stats_user_counts.with_accounts + excluded.with_accounts`,
          }),
        )
        .execute();
    }
    const days = byKey(d.days).filter(([, n]) => n !== 0);
    for (const part of chunks(days)) {
      await trx
        .insertInto('stats_consent_days')
        .values(part.map(([day, users]) => ({ enterprise_id: enterpriseId, day, users })))
        .onConflict((oc) => oc.columns(['enterprise_id', 'day']).doUpdateSet({ users: sql`stats_consent_days.users + excluded.users` }))
        .execute();
    }
    const providers = byKey(d.providers).filter(([, p]) => p.accounts !== 0 || p.users !== 0);
    for (const part of chunks(providers)) {
      await trx
        .insertInto('stats_provider_counts')
        .values(part.map(([provider_id, p]) => ({ enterprise_id: enterpriseId, provider_id, accounts: p.accounts, users: p.users })))
        .onConflict((oc) =>
          oc.columns(['enterprise_id', 'provider_id']).doUpdateSet({
            accounts: sql`stats_provider_counts.accounts + excluded.accounts`,
            users: sql`stats_provider_counts.users + excluded.users`,
          }),
        )
        .execute();
    }
    const balances = byKey(d.balances)
      .map(([, b]) => ({ ...b, quantity: b.quantity.value() }))
      .filter((b) => b.quantity !== '0' || b.positions !== 0 || b.holders !== 0);
    const addQuantity = this.ctx.dialect === 'postgres' ? sql<string>`stats_asset_balances.quantity + excluded.quantity` : sql<string>`dec_add(stats_asset_balances.quantity, excluded.quantity)`;
    for (const part of chunks(balances)) {
      await trx
        .insertInto('stats_asset_balances')
        .values(part.map((b) => ({ enterprise_id: enterpriseId, asset_id: b.asset_id, asset_symbol: b.asset_symbol, quantity: b.quantity, positions: b.positions, holders: b.holders })))
        .onConflict((oc) =>
          oc.columns(['enterprise_id', 'asset_id', 'asset_symbol']).doUpdateSet({
            quantity: addQuantity,
            positions: sql`stats_asset_balances.positions + excluded.positions`,
            holders: sql`stats_asset_balances.holders + excluded.holders`,
          }),
        )
        .execute();
    }
  }
}
