/**
 * Small, explicit test data written through the real storage code (repositories + ledger), for
 * endpoint tests that need exact, known rows. The demo generator makes large realistic data sets.
 */
import { randomBytes } from 'node:crypto';
import type { Container } from '../../src/container.js';
import type { PositionRecord, TransactionRecord } from '../../src/domain/records.js';
import { isoOf } from '../../src/lib/clock.js';
import { uuidv7 } from '../../src/lib/ids.js';

export interface SeedUserOptions {
  email?: string;
  fullName?: string;
  consentedAt?: string;
  deactivatedOn?: string | null;
}

export async function seedUser(deps: Container, enterpriseId: string, o: SeedUserOptions = {}): Promise<string> {
  const now = deps.clock.now();
  const id = uuidv7(now);
  const email = o.email ?? `user-${randomBytes(4).toString('hex')}@example.com`;
  await deps.repos.users.create([
    { id, enterprise_id: enterpriseId, email, full_name: o.fullName ?? 'Test User', consented_at: o.consentedAt ?? isoOf(now), created_at: isoOf(now), deactivated_on: o.deactivatedOn ?? null },
  ]);
  await deps.repos.consents.create([
    { id: uuidv7(now), enterprise_id: enterpriseId, user_id: id, client_id: null, scopes: JSON.stringify(['assets:read', 'transactions:read']), version: '2026-01', consented_at: o.consentedAt ?? isoOf(now), revoked_at: null },
  ]);
  return id;
}

export interface SeedAccountOptions {
  providerId?: string;
  status?: 'active' | 'syncing' | 'error' | 'disconnected';
  statusCause?: string | null;
  positions?: PositionRecord[];
  transactions?: TransactionRecord[];
  addresses?: string[];
}

export async function seedAccount(deps: Container, enterpriseId: string, userId: string, o: SeedAccountOptions = {}): Promise<string> {
  const now = deps.clock.now();
  const id = uuidv7(now);
  const providerId = o.providerId ?? 'sandbox-exchange';
  await deps.repos.accounts.create([
    {
      id,
      enterprise_id: enterpriseId,
      user_id: userId,
      provider_id: providerId,
      connection_type: 'sandbox',
      addresses: o.addresses ?? [],
      status: o.status ?? 'active',
      status_cause: o.statusCause ?? (o.status === 'error' ? 'provider_unavailable' : null),
      created_at: isoOf(now),
      last_synced_at: isoOf(now),
    },
  ]);
  const scope = { enterpriseId, userId, accountId: id, providerId };
  await deps.ctx.db.transaction().execute(async (trx) => {
    if (o.positions) await deps.repos.ledger.replacePositions(trx, scope, o.positions, isoOf(now));
    if (o.transactions) await deps.repos.ledger.upsertTransactions(trx, scope, o.transactions, isoOf(now), (r) => uuidv7(Date.parse(r.timestamp)));
  });
  return id;
}

let counter = 0;
/** A confirmed transaction with sensible defaults; override what the test is about. */
export function tx(partial: Partial<TransactionRecord> & Pick<TransactionRecord, 'type' | 'timestamp'>): TransactionRecord {
  counter++;
  return {
    fingerprint: `fp-${counter}-${randomBytes(3).toString('hex')}`,
    status: 'confirmed',
    inputs: [],
    outputs: [],
    fees: [],
    value_currency: 'USD',
    provider_transaction_id: `ptx-${counter}`,
    ...partial,
  };
}

/** Stores a price for an asset (daily or at a time). */
export async function seedPrice(deps: Container, assetId: string, currency: string, ts: string, price: string): Promise<void> {
  await deps.repos.prices.upsert([{ asset_id: assetId, currency, ts, price, source: 'test' }]);
  deps.prices.invalidate();
}
