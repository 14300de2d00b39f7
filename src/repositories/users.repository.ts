/**
 * Users of an enterprise. Every read takes the enterprise id: there is no unscoped lookup.
 */
import { sql, type Expression, type Selectable, type SqlBool } from 'kysely';
import type { UsersTable } from '../db/schema.js';
import type { DbContext, Executor } from './db-context.js';
import { insertAccounts, type NewAccount } from './accounts.repository.js';
import { StatsCounters } from './stats-counters.js';
import { TradeStats } from './trade-stats.js';
import { KnownVersions } from './known-versions.js';

export type UserRow = Selectable<UsersTable>;

/** The columns a user list reads: what the wire User needs, and the pagination id. */
export const USER_LIST_COLUMNS = ['seq', 'id', 'email', 'consented_at', 'full_name', 'deactivated_on', 'deactivated'] as const;
export type UserListRow = Pick<UserRow, (typeof USER_LIST_COLUMNS)[number]>;
const USER_LIST_SELECTION = USER_LIST_COLUMNS.map((c) => `u.${c}` as const);

/**
 * Filters of the user lists (SPEC §5.1, §5.2), combined with AND; a list filter matches any of its
 * values. Times are normalized ISO; `consentedTo` is exclusive.
 */
export interface UserFilters {
  userIds?: string[];
  /** Case-insensitive substring of the e-mail or the full name. */
  query?: string;
  /** Exact e-mail, compared case-insensitively. */
  email?: string;
  deactivated?: boolean;
  consentedFrom?: string;
  consentedTo?: string;
  /** Has an account at one of these providers. */
  providerIds?: string[];
  /** Holds a quantity > 0 of one of these assets now. */
  assetIds?: string[];
  /** As `assetIds`, by lower-cased symbol. */
  assetSymbolsLower?: string[];
  /**
   * Total value of the user's positions ≥ `amount`, valued with `prices` (asset id → exact unit
   * price in the requested currency); assets absent from `prices` are unpriced and add nothing.
   */
  minTotalValue?: { amount: string; prices: ReadonlyMap<string, string> };
}

/** `%` and `_` are LIKE wildcards; `\` is the escape character used with them. */
const escapeLike = (s: string): string => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export interface NewUser {
  id: string;
  enterprise_id: string;
  email: string;
  full_name: string;
  consented_at: string;
  created_at: string;
  deactivated_on?: string | null;
}

export class UsersRepository {
  private readonly counters: StatsCounters;
  private readonly trades: TradeStats;

  /** The enterprises' users versions, known between writes (see `version`). */
  private readonly versions: KnownVersions;

  constructor(private readonly ctx: DbContext) {
    this.versions = new KnownVersions(ctx, 'users_versions');
    this.counters = new StatsCounters(ctx);
    this.trades = new TradeStats(ctx);
  }

  /**
   * Creates users, each with all of its first accounts (`accounts`, every one owned by one of
   * `users`), and adds them to the stats counters, in one transaction (`ex`'s, or a new one).
   */
  async create(users: readonly NewUser[], ex: Executor = this.ctx.db, accounts: readonly NewAccount[] = []): Promise<void> {
    if (!users.length) return;
    const rows = users.map((u) => ({
      id: u.id,
      enterprise_id: u.enterprise_id,
      email: u.email,
      email_lower: u.email.toLowerCase(),
      full_name: u.full_name,
      consented_at: u.consented_at,
      deactivated_on: u.deactivated_on ?? null,
      deactivated: u.deactivated_on ? 1 : 0,
      erased_at: null,
      tokens_revoked_before: null,
      created_at: u.created_at,
    }));
    await this.counters.inTransaction(ex, async (trx) => {
      await trx.insertInto('users').values(rows).execute();
      await insertAccounts(trx, accounts);
      await this.counters.created(trx, rows, accounts);
    });
  }

  /**
   * Users of the enterprise (erased ones never) matching `f`, in pagination-id order, after
   * `afterSeq`, at most `limit`; only the columns of USER_LIST_COLUMNS (each column read costs, on
   * a page of 100). Served by `users_enterprise_seq`; the account and position
   * filters are correlated EXISTS probes on `accounts_user` and `asset_positions_user`.
   */
  async list(enterpriseId: string, f: UserFilters, afterSeq: number | undefined, limit: number): Promise<UserListRow[]> {
    let q = this.ctx.db.selectFrom('users as u').select(USER_LIST_SELECTION).where('u.enterprise_id', '=', enterpriseId).where('u.erased_at', 'is', null);
    if (afterSeq !== undefined) q = q.where('u.seq', '>', afterSeq);
    if (f.userIds) q = q.where('u.id', 'in', f.userIds);
    if (f.email !== undefined) q = q.where('u.email_lower', '=', f.email.toLowerCase());
    if (f.query !== undefined) {
      const p = `%${escapeLike(f.query.toLowerCase())}%`;
      q = q.where(sql<SqlBool>`(u.email_lower like ${p} escape '\\' or lower(u.full_name) like ${p} escape '\\')`);
    }
    if (f.deactivated !== undefined) q = q.where('u.deactivated', '=', f.deactivated ? 1 : 0);
    if (f.consentedFrom !== undefined) q = q.where('u.consented_at', '>=', f.consentedFrom);
    if (f.consentedTo !== undefined) q = q.where('u.consented_at', '<', f.consentedTo);
    const providerIds = f.providerIds;
    if (providerIds) {
      q = q.where((eb) =>
        eb.exists(
          // correlated to a user already in scope: probing by user (accounts_user) is the selective path
          eb.selectFrom('accounts as a').select(sql.lit(1).as('one')).whereRef('a.user_id', '=', 'u.id').where('a.provider_id', 'in', providerIds),
        ),
      );
    }
    const assetIds = f.assetIds;
    if (assetIds) q = q.where(this.holds(sql<SqlBool>`p.asset_id in (${sql.join(assetIds)})`));
    const symbols = f.assetSymbolsLower;
    if (symbols) q = q.where(this.holds(sql<SqlBool>`lower(p.asset_symbol) in (${sql.join(symbols)})`));
    if (f.minTotalValue) q = q.where(this.totalValueAtLeast(f.minTotalValue.amount, f.minTotalValue.prices));
    return q.orderBy('u.seq', 'asc').limit(limit).execute();
  }

  /** `u` holds a quantity > 0 of a position matching `match` (over alias `p`). */
  private holds(match: Expression<SqlBool>): Expression<SqlBool> {
    return sql<SqlBool>`exists (select 1 from asset_positions p where p.user_id = u.id and ${match} and ${this.ctx.dec.isPositive(sql.ref('p.quantity'))})`;
  }

  /** `(total value of u's positions) >= amount`, exact on both databases. */
  private totalValueAtLeast(amount: string, prices: ReadonlyMap<string, string>): Expression<SqlBool> {
    const pg = this.ctx.dialect === 'postgres';
    const price = prices.size
      ? sql`case p.asset_id ${sql.join(
          [...prices].map(([id, px]) => (pg ? sql`when ${id} then ${px}::numeric` : sql`when ${id} then ${px}`)),
          sql` `,
        )} end`
      : sql`null`;
    if (pg) {
      return sql<SqlBool>`(coalesce((select sum(p.quantity * ${price}) from asset_positions p where p.user_id = u.id), 0) >= ${amount}::numeric)`;
    }
    return sql<SqlBool>`(dec_cmp(coalesce((select dec_sum(dec_mul(p.quantity, ${price})) from asset_positions p where p.user_id = u.id), '0'), ${amount}) >= 0)`;
  }

  /**
   * The enterprise's users version (migration 0070): changes with every committed write of its
   * users rows. Read in the caller's snapshot; "0" when no users write happened since. Read again
   * only after a write (known-versions.ts).
   */
  async version(enterpriseId: string): Promise<string> {
    return this.versions.of(enterpriseId);
  }

  /** The pagination id of one of the enterprise's (non-erased) users. */
  async seqOf(enterpriseId: string, userId: string): Promise<number | undefined> {
    const r = await this.ctx.db
      .selectFrom('users')
      .select('seq')
      .where('enterprise_id', '=', enterpriseId)
      .where('id', '=', userId)
      .where('erased_at', 'is', null)
      .executeTakeFirst();
    return r === undefined ? undefined : Number(r.seq);
  }

  /**
   * Deactivates a user in one transaction (SPEC §5.6): `deactivated` and `deactivated_on` (kept
   * from a first deactivation), every token issued until `nowIso` revoked, consent revoked, its
   * accounts `disconnected` with their stored credentials destroyed, the stats counters updated.
   * History is kept. Returns the updated row, or undefined for an unknown (or erased) user.
   */
  async deactivate(enterpriseId: string, userId: string, today: string, nowIso: string): Promise<UserRow | undefined> {
    return this.ctx.db.transaction().execute(async (trx) => {
      const u = await this.lockedUser(trx, enterpriseId, userId);
      if (!u) return undefined;
      // a repeated call changes nothing: the first deactivation's day and token cutoff stay
      const tokensRevokedBefore = u.deactivated === 1 && u.tokens_revoked_before ? u.tokens_revoked_before : nowIso;
      // an active user's trades leave the trade aggregates (its row is locked above)
      const trades = Number(u.deactivated) === 0 ? await this.trades.removingUser(trx, enterpriseId, userId) : null;
      await this.counters.track(trx, enterpriseId, [userId], async () => {
        await trx
          .updateTable('users')
          .set({ deactivated: 1, deactivated_on: u.deactivated_on ?? today, tokens_revoked_before: tokensRevokedBefore })
          .where('id', '=', userId)
          .where('enterprise_id', '=', enterpriseId)
          .execute();
        await trx.updateTable('consents').set({ revoked_at: nowIso }).where('enterprise_id', '=', enterpriseId).where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
        await trx
          .updateTable('accounts')
          .set({ status: 'disconnected', status_cause: null, credentials_enc: null, next_sync_at: null })
          .where('enterprise_id', '=', enterpriseId)
          .where('user_id', '=', userId)
          .execute();
        // after the rows it summarizes, before the counters (`track`): the lock order of every writer
        if (trades) await this.trades.apply(trx, enterpriseId, trades);
      });
      return { ...u, deactivated: 1, deactivated_on: u.deactivated_on ?? today, tokens_revoked_before: tokensRevokedBefore };
    });
  }

  /**
   * Erases a user in one transaction (SPEC §5.6 `erase=true`): movements, transactions, positions,
   * accounts (with their credentials), consents, authorization codes, refresh tokens, the access
   * log and Platform refreshes are deleted; the user row stays only as a
   * tombstone (erased, deactivated, no e-mail or name, tokens revoked), so the same e-mail can
   * consent again as a new user; the user leaves the stats counters. Returns the row as it was
   * before erasure (deactivated), or undefined for an unknown (or already erased) user.
   */
  async erase(enterpriseId: string, userId: string, today: string, nowIso: string): Promise<UserRow | undefined> {
    return this.ctx.db.transaction().execute(async (trx) => {
      const u = await this.lockedUser(trx, enterpriseId, userId);
      if (!u) return undefined;
      const trades = Number(u.deactivated) === 0 ? await this.trades.removingUser(trx, enterpriseId, userId) : null;
      await this.counters.track(trx, enterpriseId, [userId], async () => {
        const txSeqs = trx.selectFrom('transactions').select('seq').where('enterprise_id', '=', enterpriseId).where('user_id', '=', userId);
        await trx.deleteFrom('transaction_movements').where('transaction_seq', 'in', txSeqs).execute();
        await trx.deleteFrom('transactions').where('enterprise_id', '=', enterpriseId).where('user_id', '=', userId).execute();
        await trx.deleteFrom('asset_positions').where('enterprise_id', '=', enterpriseId).where('user_id', '=', userId).execute();
        await trx.deleteFrom('accounts').where('enterprise_id', '=', enterpriseId).where('user_id', '=', userId).execute();
        await trx.deleteFrom('consents').where('enterprise_id', '=', enterpriseId).where('user_id', '=', userId).execute();
        // the user's grants, access log and refreshes go too (their access tokens die with tokens_revoked_before)
        await trx.deleteFrom('oauth_codes').where('enterprise_id', '=', enterpriseId).where('user_id', '=', userId).execute();
        await trx.deleteFrom('refresh_tokens').where('enterprise_id', '=', enterpriseId).where('user_id', '=', userId).execute();
        await trx.deleteFrom('access_log').where('enterprise_id', '=', enterpriseId).where('user_id', '=', userId).execute();
        await trx.deleteFrom('platform_refreshes').where('enterprise_id', '=', enterpriseId).where('user_id', '=', userId).execute();
        await trx
          .updateTable('users')
          .set({ email: null, email_lower: null, full_name: null, erased_at: nowIso, deactivated: 1, deactivated_on: u.deactivated_on ?? today, tokens_revoked_before: nowIso })
          .where('id', '=', userId)
          .where('enterprise_id', '=', enterpriseId)
          .execute();
        // after the rows it summarizes, before the counters (`track`): the lock order of every writer
        if (trades) await this.trades.apply(trx, enterpriseId, trades);
      });
      return { ...u, deactivated: 1, deactivated_on: u.deactivated_on ?? today };
    });
  }

  /** Reads the user inside a write transaction (SQLite: already IMMEDIATE; PostgreSQL: row lock). */
  private async lockedUser(trx: Executor, enterpriseId: string, userId: string): Promise<UserRow | undefined> {
    let q = trx.selectFrom('users').selectAll().where('enterprise_id', '=', enterpriseId).where('id', '=', userId).where('erased_at', 'is', null);
    if (this.ctx.dialect === 'postgres') q = q.forUpdate();
    return q.executeTakeFirst();
  }

  async getById(enterpriseId: string, userId: string): Promise<UserRow | undefined> {
    return this.ctx.db
      .selectFrom('users')
      .selectAll()
      .where('enterprise_id', '=', enterpriseId)
      .where('id', '=', userId)
      .where('erased_at', 'is', null)
      .executeTakeFirst();
  }
}
