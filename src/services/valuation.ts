/**
 * Values positions at current (or historical) prices. Every value is the exact product of the
 * exact quantity and the exact price; every total is the exact sum of the values it totals. An
 * asset without a price has a null value and adds nothing to totals — never a zero, never a guess.
 * User totals, account totals and the enterprise balance all use this one piece of code, so they
 * agree to the last digit.
 */
import type { PriceQuote, PriceService } from '../prices/price.service.js';
import type { CurrencyValue } from '../domain/api-types.js';
import { DecimalSum, mul } from '../lib/decimal.js';

export interface QuantityOf {
  asset_id: string;
  quantity: string;
}

export interface Valued<T> {
  item: T;
  price: CurrencyValue | null;
  value: CurrencyValue | null;
}

export class Valuation {
  constructor(private readonly prices: PriceService) {}

  /** Prices of distinct assets, at `atMs` or now. */
  async quotes(assetIds: Iterable<string>, currency: string, atMs?: number): Promise<Map<string, PriceQuote | null>> {
    const ids = [...new Set(assetIds)];
    const quotes = await Promise.all(ids.map((id) => (atMs === undefined ? this.prices.spot(id, currency) : this.prices.at(id, currency, atMs))));
    return new Map(ids.map((id, i) => [id, quotes[i] ?? null]));
  }

  /** Values each item; `total` is the exact sum of the priced values ("0" when none), `unpriced` counts the rest. */
  async value<T extends QuantityOf>(items: readonly T[], currency: string, atMs?: number): Promise<{ items: Valued<T>[]; total: CurrencyValue; unpriced: number }> {
    const quotes = await this.quotes(items.map((i) => i.asset_id), currency, atMs);
    return this.valueWith(items, currency, quotes);
  }

  /** As `value`, with prices already looked up. */
  valueWith<T extends QuantityOf>(items: readonly T[], currency: string, quotes: Map<string, PriceQuote | null>): { items: Valued<T>[]; total: CurrencyValue; unpriced: number } {
    const total = new DecimalSum();
    let unpriced = 0;
    const out = items.map((item) => {
      const q = quotes.get(item.asset_id) ?? null;
      if (!q) {
        unpriced++;
        return { item, price: null, value: null };
      }
      const amount = mul(item.quantity, q.price);
      total.add(amount);
      return { item, price: { amount: q.price, currency }, value: { amount, currency } };
    });
    return { items: out, total: { amount: total.value(), currency }, unpriced };
  }
}
