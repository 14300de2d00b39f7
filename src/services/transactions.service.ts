/**
 * User transactions (SPEC §5.5) and Transactions list (§5.8): keyset pages newest first. The
 * user-scoped read lists accounts in status `error` within its account filters (→ 206).
 */
import type { Transaction } from '../domain/api-types.js';
import { AppError, type ErrorItem } from '../domain/errors.js';
import type { CursorBinding, CursorCodec } from '../lib/cursor-codec.js';
import type { AccountsRepository } from '../repositories/accounts.repository.js';
import type { TransactionFilters, TransactionRow, TransactionsRepository } from '../repositories/transactions.repository.js';
import type { UsersRepository } from '../repositories/users.repository.js';
import { accountErrors, toTransaction } from './api-mappers.js';
import { decodeCursor, timeSeqPosition, toPage, type Page, type PageRequest } from './pagination.js';

export interface TransactionListRequest extends PageRequest {
  filters: TransactionFilters;
}

export class TransactionsService {
  constructor(
    private readonly users: UsersRepository,
    private readonly accounts: AccountsRepository,
    private readonly transactions: TransactionsRepository,
    private readonly cursors: CursorCodec,
  ) {}

  async forUser(enterpriseId: string, userId: string, r: TransactionListRequest): Promise<Page<Transaction> & { errors: ErrorItem[] }> {
    const binding = this.binding('users.transactions', enterpriseId);
    const after = r.cursor === undefined ? undefined : decodeCursor(this.cursors, binding, r.cursor, timeSeqPosition);
    const user = await this.users.getById(enterpriseId, userId);
    if (!user) throw AppError.notFound('User');
    const [rows, accounts] = await Promise.all([
      this.transactions.list(enterpriseId, { ...r.filters, userIds: [userId] }, after, r.limit + 1),
      this.accounts.listForUser(enterpriseId, userId, { providerIds: r.filters.providerIds, accountIds: r.filters.accountIds }),
    ]);
    return { ...this.page(rows, r.limit, binding), errors: accountErrors(accounts) };
  }

  async all(enterpriseId: string, r: TransactionListRequest): Promise<Page<Transaction>> {
    const binding = this.binding('transactions.all', enterpriseId);
    const after = r.cursor === undefined ? undefined : decodeCursor(this.cursors, binding, r.cursor, timeSeqPosition);
    const rows = await this.transactions.list(enterpriseId, r.filters, after, r.limit + 1);
    return this.page(rows, r.limit, binding);
  }

  private page(rows: TransactionRow[], limit: number, binding: CursorBinding): Page<Transaction> {
    return toPage(rows, limit, toTransaction, (t) => [t.timestamp, Number(t.seq)], (pos) => this.cursors.encode(binding, pos));
  }

  private binding(endpoint: string, enterpriseId: string): CursorBinding {
    return { endpoint, scope: enterpriseId, order: 'timestamp_desc_seq_desc' };
  }
}
