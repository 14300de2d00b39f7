/**
 * User assets (SPEC §5.4): the user's current positions valued at current prices, totals per
 * asset id, and the exact total value. A read scoped to one user: accounts in status `error`
 * within the request's account filters are listed in `errors` (→ 206).
 */
import type { AssetPosition, AssetTotal, CurrencyValue, PartialResult } from '../domain/api-types.js';
import { AppError } from '../domain/errors.js';
import { isoOf, type Clock } from '../lib/clock.js';
import { DecimalSum, cmp } from '../lib/decimal.js';
import type { AccountsRepository } from '../repositories/accounts.repository.js';
import type { PositionFilters, PositionsRepository } from '../repositories/positions.repository.js';
import type { UsersRepository } from '../repositories/users.repository.js';
import type { AccountValuer } from './account-valuer.js';
import { accountErrors } from './api-mappers.js';
import type { Valuation } from './valuation.js';

export interface UserAssetsRequest {
  filters: PositionFilters;
  /** ISO 4217; the enterprise's base currency when absent. */
  currency?: string;
}

export interface UserAssets {
  assets: AssetPosition[];
  totals: AssetTotal[];
  total_value: CurrencyValue;
  unpriced_assets: number;
  /** Time of valuation. */
  as_of: string;
}

export class AssetsService {
  constructor(
    private readonly users: UsersRepository,
    private readonly accounts: AccountsRepository,
    private readonly positions: PositionsRepository,
    private readonly valuer: AccountValuer,
    private readonly valuation: Valuation,
    private readonly clock: Clock,
  ) {}

  async forUser(enterpriseId: string, userId: string, r: UserAssetsRequest): Promise<PartialResult<UserAssets>> {
    const currency = await this.valuer.currency(enterpriseId, r.currency);
    const user = await this.users.getById(enterpriseId, userId);
    if (!user) throw AppError.notFound('User');
    const asOf = isoOf(this.clock.now());
    const [positions, accounts] = await Promise.all([
      this.positions.forUser(enterpriseId, userId, r.filters),
      this.accounts.listForUser(enterpriseId, userId, { providerIds: r.filters.providerIds, accountIds: r.filters.accountIds }),
    ]);
    const valued = await this.valuation.value(positions, currency);
    const assets: AssetPosition[] = valued.items.map(({ item: p, price, value }) => ({
      account_id: p.account_id,
      provider_id: p.provider_id,
      asset_id: p.asset_id,
      asset_symbol: p.asset_symbol,
      asset_name: p.asset_name,
      network: p.network,
      quantity: p.quantity,
      price,
      value,
      updated_at: p.updated_at,
    }));
    return {
      data: { assets, totals: totalsByAsset(assets, currency), total_value: valued.total, unpriced_assets: valued.unpriced, as_of: asOf },
      errors: accountErrors(accounts),
    };
  }
}

/**
 * One AssetTotal per asset id: the exact sum of quantities and of values (null when the asset is
 * unpriced). Highest value first, unpriced last, then by asset id.
 */
export function totalsByAsset(assets: readonly AssetPosition[], currency: string): AssetTotal[] {
  const groups = new Map<string, { symbol: string; quantity: DecimalSum; value: DecimalSum | null }>();
  for (const a of assets) {
    let g = groups.get(a.asset_id);
    if (!g) {
      g = { symbol: a.asset_symbol, quantity: new DecimalSum(), value: a.value ? new DecimalSum() : null };
      groups.set(a.asset_id, g);
    }
    g.quantity.add(a.quantity);
    if (a.value && g.value) g.value.add(a.value.amount);
  }
  const totals: AssetTotal[] = [...groups].map(([asset_id, g]) => ({
    asset_id,
    asset_symbol: g.symbol,
    quantity: g.quantity.value(),
    value: g.value ? { amount: g.value.value(), currency } : null,
  }));
  return totals.sort((x, y) => {
    if (x.value && y.value) return cmp(y.value.amount, x.value.amount) || (x.asset_id < y.asset_id ? -1 : x.asset_id > y.asset_id ? 1 : 0);
    if (x.value || y.value) return x.value ? -1 : 1;
    return x.asset_id < y.asset_id ? -1 : x.asset_id > y.asset_id ? 1 : 0;
  });
}
