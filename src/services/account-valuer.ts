/**
 * Accounts with their `total_value` (SPEC §8): the exact sum of the account's position values at
 * current prices, in the enterprise's base currency. Prices are looked up once per distinct asset
 * for the whole batch of accounts.
 */
import type { Account } from '../domain/api-types.js';
import { AppError } from '../domain/errors.js';
import type { PriceService } from '../prices/price.service.js';
import type { AccountRow } from '../repositories/accounts.repository.js';
import type { EnterprisesRepository } from '../repositories/enterprises.repository.js';
import type { PositionsRepository } from '../repositories/positions.repository.js';
import type { Valuation } from './valuation.js';
import { toAccount } from './api-mappers.js';

export class AccountValuer {
  constructor(
    private readonly positions: PositionsRepository,
    private readonly valuation: Valuation,
    private readonly prices: PriceService,
    private readonly enterprises: EnterprisesRepository,
  ) {}

  /** The enterprise's base currency. */
  async baseCurrency(enterpriseId: string): Promise<string> {
    const e = await this.enterprises.get(enterpriseId);
    if (!e) throw AppError.notFound('Enterprise');
    return e.base_currency;
  }

  /**
   * The currency a read values in: `requested` (upper-cased) or the base currency. A currency the
   * price service cannot convert to is a 400 on `field`.
   */
  async currency(enterpriseId: string, requested: string | undefined, field = 'currency'): Promise<string> {
    if (requested === undefined) return this.baseCurrency(enterpriseId);
    const c = requested.toUpperCase();
    if (!/^[A-Z]{3}$/.test(c) || !this.prices.supportsCurrency(c)) throw AppError.badRequest(field, `"${field}" must be a supported ISO 4217 currency; ${requested.slice(0, 20)} is not`);
    return c;
  }

  /** Maps account rows to Accounts valued in the base currency. */
  async accounts(enterpriseId: string, rows: readonly AccountRow[]): Promise<Account[]> {
    if (!rows.length) return [];
    const currency = await this.baseCurrency(enterpriseId);
    const positions = await this.positions.forAccounts(
      enterpriseId,
      rows.map((r) => r.id),
    );
    const quotes = await this.valuation.quotes(
      positions.map((p) => p.asset_id),
      currency,
    );
    const byAccount = new Map<string, typeof positions>();
    for (const p of positions) {
      const list = byAccount.get(p.account_id);
      if (list) list.push(p);
      else byAccount.set(p.account_id, [p]);
    }
    return rows.map((r) => toAccount(r, this.valuation.valueWith(byAccount.get(r.id) ?? [], currency, quotes).total));
  }
}
