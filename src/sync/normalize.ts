/**
 * Prices a connector's records: every movement and fee gets its fiat value at the transaction's
 * time in the enterprise's base currency — the exact product of quantity and price, or null when
 * the price service has no price (never 0, never a guess). The price source and time are kept as
 * provenance.
 */
import type { SourceMovement, SourceTransaction } from '../connectors/connector.js';
import type { MovementRecord, TransactionRecord } from '../domain/records.js';
import type { PriceQuote, PriceService } from '../prices/price.service.js';
import { mul } from '../lib/decimal.js';

export async function priceTransactions(
  records: readonly SourceTransaction[],
  currency: string,
  prices: PriceService,
  connectorVersion: string,
): Promise<TransactionRecord[]> {
  if (records.length) {
    const times = records.map((r) => Date.parse(r.timestamp));
    const assets = new Set(records.flatMap((r) => [...r.inputs, ...r.outputs, ...r.fees].map((m) => m.asset_id)));
    await prices.preload(assets, currency, Math.min(...times), Math.max(...times) + 3_600_000);
  }
  return Promise.all(
    records.map(async (r) => {
      const at = Date.parse(r.timestamp);
      let first: PriceQuote | null = null;
      const value = async (m: SourceMovement): Promise<MovementRecord> => {
        const q = await prices.at(m.asset_id, currency, at);
        if (q && !first) first = q;
        return { asset_id: m.asset_id, asset_symbol: m.asset_symbol, quantity: m.quantity, value: q ? mul(m.quantity, q.price) : null };
      };
      const [inputs, outputs, fees] = await Promise.all([Promise.all(r.inputs.map(value)), Promise.all(r.outputs.map(value)), Promise.all(r.fees.map(value))]);
      const quote = first as PriceQuote | null;
      // everything the source said is kept as it said it (the ledger stores absent fields as null)
      return {
        ...r,
        inputs,
        outputs,
        fees,
        value_currency: currency,
        connector_version: connectorVersion,
        price_source: quote ? quote.source : null,
        priced_at: quote ? quote.ts : null,
      };
    }),
  );
}
