/** Accounts list (SPEC §5.7): every kept account of the enterprise, in pagination-id order, valued. */
import type { Account } from '../domain/api-types.js';
import type { CursorBinding, CursorCodec } from '../lib/cursor-codec.js';
import type { AccountFilters, AccountsRepository } from '../repositories/accounts.repository.js';
import type { AccountValuer } from './account-valuer.js';
import { decodeCursor, seqPosition, toPage, type Page, type PageRequest } from './pagination.js';

export interface AccountListRequest extends PageRequest {
  filters: AccountFilters;
}

export class AccountsService {
  constructor(
    private readonly accounts: AccountsRepository,
    private readonly valuer: AccountValuer,
    private readonly cursors: CursorCodec,
  ) {}

  async list(enterpriseId: string, r: AccountListRequest): Promise<Page<Account>> {
    const binding: CursorBinding = { endpoint: 'accounts.all', scope: enterpriseId, order: 'seq_asc' };
    const afterSeq = r.cursor === undefined ? undefined : decodeCursor(this.cursors, binding, r.cursor, seqPosition);
    const rows = await this.accounts.list(enterpriseId, r.filters, afterSeq, r.limit + 1);
    const page = toPage(rows, r.limit, (a) => a, (a) => [Number(a.seq)], (pos) => this.cursors.encode(binding, pos));
    return { items: await this.valuer.accounts(enterpriseId, page.items), nextCursor: page.nextCursor };
  }
}
