/**
 * Generator record → SourceTransaction: the sandbox reports quantities only, like a real source;
 * the sync engine prices them. Sample (one generator record):
 *   { fingerprint: "sbx-…", timestamp: "2024-03-01T10:00:00.000Z", type: "buy", status: "confirmed",
 *     inputs: [{ asset_id: "fiat:USD", asset_symbol: "USD", quantity: "250", value: "250" }],
 *     outputs: [{ asset_id: "bitcoin", asset_symbol: "BTC", quantity: "0.004", value: "249.8" }], … }
 */
import type { MovementRecord, TransactionRecord } from '../../domain/records.js';
import type { SourceMovement, SourceTransaction } from '../connector.js';

const strip = (m: MovementRecord): SourceMovement => ({ asset_id: m.asset_id, asset_symbol: m.asset_symbol, quantity: m.quantity });

export function toSourceTransaction(r: TransactionRecord): SourceTransaction {
  return {
    fingerprint: r.fingerprint,
    timestamp: r.timestamp,
    type: r.type,
    status: r.status,
    inputs: r.inputs.map(strip),
    outputs: r.outputs.map(strip),
    fees: r.fees.map(strip),
    network: r.network ?? null,
    tx_hash: r.tx_hash ?? null,
    from_address: r.from_address ?? null,
    to_address: r.to_address ?? null,
    provider_transaction_id: r.provider_transaction_id,
    description: r.description ?? null,
    raw: { sandbox: true, fingerprint: r.fingerprint },
  };
}
