/**
 * User assets (SPEC §5.4): the user's current positions valued at current prices, totals per
 * asset id, and the exact total value. A read scoped to one user: accounts in status `error`
 * within the request's account filters are listed in `errors` (→ 206).
 */
import type { AssetPosition, AssetTotal, CurrencyValue, PartialResult } from '../domain/api-types.js';
import { AppError } from '../domain/errors.js';
import { isoOf, type Clock } from '../lib/clock.js';
import { DecimalSum, cmp, isZero, neg } from '../lib/decimal.js';
import type { ErrorItem } from '../domain/errors.js';
import { findAsset } from '../domain/assets.js';
import { findProvider } from '../domain/providers.js';
import type { AccountRow } from '../repositories/accounts.repository.js';
import type { AccountsRepository } from '../repositories/accounts.repository.js';
import type { PositionFilters, PositionRow, PositionsRepository } from '../repositories/positions.repository.js';
import type { UsersRepository } from '../repositories/users.repository.js';
import type { AccountValuer } from './account-valuer.js';
import { accountErrors } from './api-mappers.js';
import type { Valuation } from './valuation.js';

export interface UserAssetsRequest {
  filters: PositionFilters;
  /** ISO 4217; the enterprise's base currency when absent. */
  currency?: string;
  /** A past time (ISO): holdings reconstructed from history, valued at that time's prices. */
  asOf?: string;
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
    const now = this.clock.now();
    if (r.asOf !== undefined && Date.parse(r.asOf) > now) throw AppError.badRequest('as_of', '"as_of" must not be in the future');
    const past = r.asOf !== undefined;
    const asOf = r.asOf ?? isoOf(now);
    const accounts = await this.accounts.listForUser(enterpriseId, userId, { providerIds: r.filters.providerIds, accountIds: r.filters.accountIds });
    const positions = past ? await this.reconstruct(enterpriseId, userId, asOf, r.filters, accounts) : await this.positions.forUser(enterpriseId, userId, r.filters);
    const valued = await this.valuation.value(positions, currency, past ? Date.parse(asOf) : undefined);
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
      errors: [...accountErrors(accounts), ...(past ? historyErrors(accounts, asOf) : [])],
    };
  }

  /** Holdings at `asOf` from history: per account and asset, outputs − inputs − fees before it; zeros dropped. */
  private async reconstruct(enterpriseId: string, userId: string, asOf: string, filters: PositionFilters, accounts: readonly AccountRow[]): Promise<PositionRow[]> {
    const rows = await this.positions.historyBefore(enterpriseId, userId, asOf, filters);
    const current = await this.positions.forUser(enterpriseId, userId, filters);
    const symbolOf = new Map(current.map((p) => [p.asset_id, p]));
    const order = new Map(accounts.map((a, i) => [a.id, i]));
    const net = new Map<string, { account_id: string; provider_id: string; asset_id: string; symbolLower: string; sum: DecimalSum }>();
    for (const r of rows) {
      const key = `${r.account_id}|${r.asset_id}`;
      let n = net.get(key);
      if (!n) net.set(key, (n = { account_id: r.account_id, provider_id: r.provider_id, asset_id: r.asset_id, symbolLower: r.asset_symbol_lower, sum: new DecimalSum() }));
      n.sum.add(r.side === 'out' ? r.quantity : neg(r.quantity));
    }
    return [...net.values()]
      .map((n) => {
        const known = symbolOf.get(n.asset_id);
        const info = findAsset(n.asset_id);
        return {
          account_id: n.account_id,
          provider_id: n.provider_id,
          asset_id: n.asset_id,
          asset_symbol: known?.asset_symbol ?? info?.symbol ?? n.symbolLower.toUpperCase(),
          asset_name: known?.asset_name ?? info?.name ?? null,
          network: known?.network ?? info?.network ?? null,
          quantity: n.sum.value(),
          updated_at: asOf,
        };
      })
      .filter((p) => !isZero(p.quantity))
      .sort((a, b) => (order.get(a.account_id) ?? 0) - (order.get(b.account_id) ?? 0) || (a.asset_id < b.asset_id ? -1 : a.asset_id > b.asset_id ? 1 : 0));
  }
}

/**
 * Accounts whose history cannot reconstruct a past time (SPEC §5.4): their source does not deliver
 * a complete history, or the last reconciliation found the history does not explain the balance.
 */
function historyErrors(accounts: readonly AccountRow[], asOf: string): ErrorItem[] {
  const out: ErrorItem[] = [];
  for (const a of accounts) {
    const capable = findProvider(a.provider_id)?.capabilities.as_of ?? false;
    const recon = a.reconciliation ? (JSON.parse(a.reconciliation) as { balanced?: boolean }) : null;
    if (!capable || (recon && recon.balanced === false)) {
      out.push({
        cause: 'not_implemented',
        message: capable
          ? `The history of this account does not explain its reported balance, so holdings at ${asOf} cannot be reconstructed exactly; they are shown from the history there is`
          : `This provider's history cannot reconstruct holdings at ${asOf}`,
        provider_id: a.provider_id,
        account_id: a.id,
      });
    }
  }
  return out;
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
