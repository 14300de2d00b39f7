/**
 * The pure half of the demo: plans the users and turns each into the rows and records the storage
 * code writes, in batches. No I/O and no secrets, so it runs in a worker thread (demo-worker.ts)
 * beside the thread that writes, or in-thread where no compiled worker exists (tests from sources).
 * Sandbox API keys travel in plain text here (they open nothing) and are sealed by the writer.
 */
import { randomBytes } from 'node:crypto';
import type { NewUser } from '../repositories/users.repository.js';
import type { ConsentRow } from '../repositories/consents.repository.js';
import type { NewAccount } from '../repositories/accounts.repository.js';
import type { AccountScope, PositionRecord, TransactionRecord } from '../domain/records.js';
import { encodeLedgerRows, ledgerRows, type LedgerRows } from '../repositories/ledger-rows.js';
import { dateOf, isoOf } from '../lib/clock.js';
import { monotonicUuidv7, randomToken } from '../lib/ids.js';
import { Prng } from '../lib/prng.js';
import { syntheticSeries } from '../prices/synthetic-series.js';
import { planUsers, type SandboxUserPlan } from '../sandbox/sandbox-people.js';
import { generateSandboxLedger } from '../sandbox/sandbox-ledger.js';

export const DEMO_CONSENT_VERSION = 'demo-1';
const SCOPES = JSON.stringify(['assets:read', 'transactions:read']);

/** What a batch needs to know; plain data (it crosses to a worker thread). */
export interface DemoBatchOptions {
  enterpriseId: string;
  clientId: string;
  seed: string;
  users: number;
  transactionsPerUser: number;
  /** Currency of every value. */
  currency: string;
  /** Start (00:00Z) of the run day: every generated time is relative to it. */
  anchorMs: number;
  /** Now: sync times of the accounts. */
  nowMs: number;
  /** A batch closes once it holds this many transactions (or `maxUsers` users). */
  maxTransactions: number;
  maxUsers: number;
  /** The database written: for PostgreSQL, a batch's rows come encoded as its insert binds them. */
  dialect: 'sqlite' | 'postgres';
}

export interface PreparedAccount {
  row: Omit<NewAccount, 'credentials_enc'>;
  /** Sandbox API key to seal into `credentials_enc`, or null (wallets; deactivated users). */
  credentials: { api_key: string; secret_key: string } | null;
}

export interface PreparedUser {
  user: NewUser;
  consent: ConsentRow;
  accounts: PreparedAccount[];
  ledgers: { scope: AccountScope; transactions: TransactionRecord[]; positions: PositionRecord[] }[];
}

/**
 * A batch as the writer receives it: its users with their accounts and positions, and all their
 * transactions already turned into rows (`ledger`, built by the storage code's `ledgerRows` here,
 * beside the writing thread; `transactions` of each ledger is then empty, its count in `counts`).
 */
export interface PreparedBatch {
  users: PreparedUser[];
  ledger: LedgerRows;
  /** Transactions generated per user, in `users` order. */
  counts: number[];
}

/** The 10 random bytes of a UUID v7, cut from one large draw (one crypto call per id is a hot spot). */
export function randomPool(size = 4096): () => Uint8Array {
  let buf = randomBytes(10 * size);
  let offset = 0;
  return () => {
    if (offset + 10 > buf.length) {
      buf = randomBytes(10 * size);
      offset = 0;
    }
    offset += 10;
    return buf.subarray(offset - 10, offset);
  };
}

/** One user's rows and records. */
export function prepareDemoUser(plan: SandboxUserPlan, o: DemoBatchOptions, newId: () => string): PreparedUser {
  const userId = newId();
  const user: NewUser = {
    id: userId,
    enterprise_id: o.enterpriseId,
    email: plan.email,
    full_name: plan.full_name,
    consented_at: isoOf(plan.consentedMs),
    created_at: isoOf(plan.consentedMs),
    deactivated_on: plan.deactivatedMs === null ? null : dateOf(plan.deactivatedMs),
  };
  const consent: ConsentRow = {
    id: newId(),
    enterprise_id: o.enterpriseId,
    user_id: userId,
    client_id: o.clientId,
    scopes: SCOPES,
    version: DEMO_CONSENT_VERSION,
    consented_at: isoOf(plan.consentedMs),
    revoked_at: plan.deactivatedMs === null ? null : isoOf(plan.deactivatedMs),
  };
  const nowMs = o.nowMs;
  const accounts: PreparedAccount[] = plan.accounts.map((a, k) => {
    const id = newId();
    const lastSynced = a.status === 'disconnected' ? (plan.deactivatedMs ?? nowMs) : a.status === 'error' ? nowMs - (2 + k) * 3_600_000 : nowMs - (((plan.index * 7 + k * 13) % 55) + 1) * 60_000;
    return {
      row: {
        id,
        enterprise_id: o.enterpriseId,
        user_id: userId,
        provider_id: a.provider_id,
        display_label: a.display_label,
        connection_type: a.connection_type,
        addresses: a.address ? [a.address] : [],
        status: a.status,
        status_cause: a.status_cause,
        created_at: isoOf(a.createdMs),
        last_synced_at: isoOf(Math.max(lastSynced, a.createdMs)),
        next_sync_at: a.status === 'disconnected' ? null : isoOf(a.status === 'error' ? nowMs + 10 * 60_000 : lastSynced + 3_600_000),
      },
      // a deactivated user's credentials are destroyed
      credentials: a.connection_type === 'api_key' && a.status !== 'disconnected' ? { api_key: `sbx_${randomToken(12)}`, secret_key: randomToken(24) } : null,
    };
  });
  const ledgers = generateSandboxLedger({
    rng: Prng.from(`${o.seed}:ledger:${plan.index}`),
    accounts: accounts.map((a, k) => ({ id: a.row.id, provider_id: plan.accounts[k]!.provider_id, address: plan.accounts[k]!.address })),
    homeFiat: plan.homeFiat,
    currency: o.currency,
    transactions: o.transactionsPerUser,
    startMs: plan.historyStartMs,
    endMs: plan.historyEndMs,
    pendingFromMs: plan.deactivatedMs === null ? o.anchorMs - 3 * 86_400_000 : null,
    wealth: plan.wealth,
    prices: syntheticSeries,
  });
  return {
    user,
    consent,
    accounts,
    ledgers: ledgers.map((l, k) => ({
      scope: { enterpriseId: o.enterpriseId, userId, accountId: l.accountId, providerId: plan.accounts[k]!.provider_id },
      transactions: l.transactions,
      positions: l.positions,
    })),
  };
}

/**
 * `users` as a batch for the writer: their transactions as rows, with ids minted by `newId` in
 * write order (and encoded for PostgreSQL's insert when that is the database written).
 */
export function batchOf(users: PreparedUser[], o: DemoBatchOptions, newId: () => string): PreparedBatch {
  const ledger = ledgerRows(
    users.flatMap((u) => u.ledgers.map((l) => ({ scope: l.scope, records: l.transactions }))),
    isoOf(o.nowMs),
    newId,
  );
  if (o.dialect === 'postgres') encodeLedgerRows(ledger);
  const counts = users.map((u) => u.ledgers.reduce((n, l) => n + l.transactions.length, 0));
  return { users: users.map((u) => ({ ...u, ledgers: u.ledgers.map((l) => ({ ...l, transactions: [] })) })), ledger, counts };
}

/**
 * The demo's users in batches, in plan order, with their transactions as records (as a connector
 * would hand them to a sync: the benchmark's ingestion scenario writes them so). A batch closes at
 * `maxTransactions` transactions or `maxUsers` users; ids come from `newId`.
 */
export function* demoUserBatches(o: DemoBatchOptions, newId: () => string): Generator<PreparedUser[]> {
  let batch: PreparedUser[] = [];
  let transactions = 0;
  // the first batches are small, so the writer starts early; later ones grow to `maxTransactions`
  let limit = Math.min(o.maxTransactions, 300);
  for (const plan of planUsers({ seed: o.seed, users: o.users, anchorMs: o.anchorMs })) {
    batch.push(prepareDemoUser(plan, o, newId));
    transactions += o.transactionsPerUser;
    if (transactions >= limit || batch.length >= o.maxUsers) {
      limit = Math.min(o.maxTransactions, limit * 2);
      yield batch;
      batch = [];
      transactions = 0;
    }
  }
  if (batch.length) yield batch;
}

/** The demo's batches as the writer receives them (`batchOf`), in plan order. */
export function* demoBatches(o: DemoBatchOptions): Generator<PreparedBatch> {
  // ids minted in write order: the indexes keyed by user or account (a user's transactions and
  // positions, an account's records) then grow at their ends instead of taking a page per row
  // anywhere in them — which at ten million transactions was most of the load's writes
  const mint = monotonicUuidv7(randomPool());
  const newId = () => mint(Date.now());
  for (const users of demoUserBatches(o, newId)) yield batchOf(users, o, newId);
}
