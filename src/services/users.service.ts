/**
 * The enterprise's user directory: Users list (SPEC §5.1) and Search users (§5.2), both keyset
 * pages in pagination-id order. Erased users never appear; deactivated ones do.
 */
import type { CurrencyValue, User } from '../domain/api-types.js';
import type { CursorCodec, CursorBinding } from '../lib/cursor-codec.js';
import { isUuid } from '../lib/ids.js';
import type { JsonText } from '../lib/json-text.js';
import type { PositionsRepository } from '../repositories/positions.repository.js';
import type { UserFilters, UsersRepository } from '../repositories/users.repository.js';
import type { AccountValuer } from './account-valuer.js';
import { toUser, userJson } from './api-mappers.js';
import { badCursor, decodeCursor, seqPosition, toPage, type Page, type PageRequest } from './pagination.js';
import type { Valuation } from './valuation.js';
import { RenderedPages } from './rendered-pages.js';

export interface UserListRequest extends PageRequest {
  userIds?: string[];
}

export interface UserSearchRequest extends PageRequest {
  filters: Omit<UserFilters, 'minTotalValue'>;
  /** The user's total value in `currency` is at least `amount`. */
  minTotalValue?: CurrencyValue;
}

export class UsersService {
  private readonly pages = new RenderedPages();

  constructor(
    private readonly users: UsersRepository,
    private readonly positions: PositionsRepository,
    private readonly valuation: Valuation,
    private readonly valuer: AccountValuer,
    private readonly cursors: CursorCodec,
  ) {}

  /**
   * Users list, each user as its response JSON text (`userJson`). Besides its own signed cursors,
   * the list accepts the bare `user_id` of one of the enterprise's users as a cursor ("the users
   * after this one", Calico's marker); any other value, an id of another enterprise included, is
   * the same 400, so existence is never revealed.
   */
  async listJson(enterpriseId: string, r: UserListRequest): Promise<Page<JsonText>> {
    const binding = this.binding('users.list', enterpriseId);
    const afterSeq = r.cursor === undefined ? undefined : await this.listPosition(enterpriseId, binding, r.cursor);
    const rows = await this.users.list(enterpriseId, { userIds: r.userIds }, afterSeq, r.limit + 1);
    return toPage(rows, r.limit, userJson, (u) => [Number(u.seq)], (pos) => this.cursors.encode(binding, pos));
  }

  /**
   * A rendered Users list page, as the bytes sent: served from memory while the enterprise's users version is the one
   * it was rendered at, else rendered by `render` (from `listJson`) and kept. `key` names the page
   * completely (the request's path and query: the page, its filters and its `next_uri`). A request
   * `render` refuses (a bad cursor) is never kept.
   */
  async listPage(enterpriseId: string, key: string, render: () => Promise<JsonText>): Promise<Buffer> {
    return this.pages.through(enterpriseId, () => this.users.version(enterpriseId), key, render);
  }

  /** Search users: every filter combined with AND, in pagination-id order. */
  async search(enterpriseId: string, r: UserSearchRequest): Promise<Page<User>> {
    const binding = this.binding('users.search', enterpriseId);
    const afterSeq = r.cursor === undefined ? undefined : decodeCursor(this.cursors, binding, r.cursor, seqPosition);
    const filters: UserFilters = { ...r.filters };
    if (r.minTotalValue) {
      const currency = await this.valuer.currency(enterpriseId, r.minTotalValue.currency, 'min_total_value.currency');
      // each distinct asset the enterprise holds is priced once; the comparison runs in SQL
      const quotes = await this.valuation.quotes(await this.positions.assetIdsOf(enterpriseId), currency);
      const prices = new Map<string, string>();
      for (const [assetId, q] of quotes) if (q) prices.set(assetId, q.price);
      filters.minTotalValue = { amount: r.minTotalValue.amount, prices };
    }
    const rows = await this.users.list(enterpriseId, filters, afterSeq, r.limit + 1);
    return toPage(rows, r.limit, toUser, (u) => [Number(u.seq)], (pos) => this.cursors.encode(binding, pos));
  }

  private async listPosition(enterpriseId: string, binding: CursorBinding, cursor: string): Promise<number> {
    const signed = this.cursors.decode(binding, cursor);
    const seq = signed && seqPosition(signed);
    if (seq !== null) return seq;
    if (isUuid(cursor)) {
      const own = await this.users.seqOf(enterpriseId, cursor.toLowerCase());
      if (own !== undefined) return own;
    }
    throw badCursor();
  }

  private binding(endpoint: string, enterpriseId: string): CursorBinding {
    return { endpoint, scope: enterpriseId, order: 'seq_asc' };
  }
}

