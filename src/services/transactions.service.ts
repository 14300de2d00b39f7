/**
 * User transactions (SPEC §5.5) and Transactions list (§5.8): keyset pages newest first. The
 * user-scoped read lists accounts in status `error` within its account filters (→ 206).
 */
import type { Transaction } from '../domain/api-types.js';
import { AppError, type ErrorItem } from '../domain/errors.js';
import type { CursorBinding, CursorCodec } from '../lib/cursor-codec.js';
import type { JsonText } from '../lib/json-text.js';
import type { AccountsRepository } from '../repositories/accounts.repository.js';
import type { TransactionFilters, TransactionRow, TransactionsRepository } from '../repositories/transactions.repository.js';
import type { UsersRepository } from '../repositories/users.repository.js';
import { accountErrors, toTransaction, transactionJson } from './api-mappers.js';
import { decodeCursor, timeSeqPosition, toPage, type Page, type PageRequest } from './pagination.js';
import { RenderedPages } from './rendered-pages.js';

export interface TransactionListRequest extends PageRequest {
  filters: TransactionFilters;
}

export class TransactionsService {
  private readonly pages = new RenderedPages();

  constructor(
    private readonly users: UsersRepository,
    private readonly accounts: AccountsRepository,
    private readonly transactions: TransactionsRepository,
    private readonly cursors: CursorCodec,
  ) {}

  async forUser(enterpriseId: string, userId: string, r: TransactionListRequest): Promise<Page<Transaction> & { errors: ErrorItem[] }> {
    return this.userPage(enterpriseId, userId, r, toTransaction);
  }

  /** As `forUser`, each transaction as its response JSON text (`transactionJson`). */
  async forUserJson(enterpriseId: string, userId: string, r: TransactionListRequest): Promise<Page<JsonText> & { errors: ErrorItem[] }> {
    return this.userPage(enterpriseId, userId, r, transactionJson);
  }

  /** Transactions list: each transaction as its response JSON text (`transactionJson`). */
  async allJson(enterpriseId: string, r: TransactionListRequest): Promise<Page<JsonText>> {
    return this.allPage(enterpriseId, r, transactionJson);
  }

  /**
   * A rendered Transactions list page, as the bytes sent: served from memory while the enterprise's transactions
   * version is the one it was rendered at (see UsersService.listPage); `key` names the page
   * completely (path and query). Refused requests are never kept.
   */
  async allPageBytes(enterpriseId: string, key: string, render: () => Promise<JsonText>): Promise<Buffer> {
    return this.pages.through(enterpriseId, () => this.transactions.version(enterpriseId), key, render);
  }

  private async userPage<T>(enterpriseId: string, userId: string, r: TransactionListRequest, map: (row: TransactionRow) => T): Promise<Page<T> & { errors: ErrorItem[] }> {
    const binding = this.binding('users.transactions', enterpriseId);
    const after = r.cursor === undefined ? undefined : decodeCursor(this.cursors, binding, r.cursor, timeSeqPosition);
    // the three reads run side by side on PostgreSQL; each is scoped to the enterprise and the user,
    // so for an unknown user (a 404) the other two find nothing and are dropped
    const [user, rows, accounts] = await Promise.all([
      this.users.getById(enterpriseId, userId),
      this.transactions.list(enterpriseId, { ...r.filters, userIds: [userId] }, after, r.limit + 1),
      this.accounts.listForUser(enterpriseId, userId, { providerIds: r.filters.providerIds, accountIds: r.filters.accountIds }),
    ]);
    if (!user) throw AppError.notFound('User');
    return { ...this.page(rows, r.limit, binding, map), errors: accountErrors(accounts) };
  }

  private async allPage<T>(enterpriseId: string, r: TransactionListRequest, map: (row: TransactionRow) => T): Promise<Page<T>> {
    const binding = this.binding('transactions.all', enterpriseId);
    const after = r.cursor === undefined ? undefined : decodeCursor(this.cursors, binding, r.cursor, timeSeqPosition);
    const rows = await this.transactions.list(enterpriseId, r.filters, after, r.limit + 1);
    return this.page(rows, r.limit, binding, map);
  }

  private page<T>(rows: TransactionRow[], limit: number, binding: CursorBinding, map: (row: TransactionRow) => T): Page<T> {
    return toPage(rows, limit, map, (t) => [t.timestamp, Number(t.seq)], (pos) => this.cursors.encode(binding, pos));
  }

  private binding(endpoint: string, enterpriseId: string): CursorBinding {
    return { endpoint, scope: enterpriseId, order: 'timestamp_desc_seq_desc' };
  }
}
