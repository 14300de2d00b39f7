/**
 * Runs one sync of one account (SPEC §9): balances, then history page by page from the stored
 * cursor. Each page's records and the cursor advance commit in one database transaction, so a crash
 * at any point loses nothing and duplicates nothing (records upsert by fingerprint). The final
 * transaction replaces positions, marks removed records (on a walk from the beginning), reconciles,
 * matches internal transfers and sets the account's status.
 */
import type { Connection, Connector, ConnectorContext } from '../connectors/connector.js';
import type { SyncRepository, SyncJobRow, AccountForSync } from '../repositories/sync.repository.js';
import type { LedgerRepository } from '../repositories/ledger.repository.js';
import type { PriceService } from '../prices/price.service.js';
import type { CryptoEnvelope } from '../lib/crypto-envelope.js';
import type { Clock } from '../lib/clock.js';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { isoOf } from '../lib/clock.js';
import { monotonicUuidv7 } from '../lib/ids.js';
import { isZero, sum } from '../lib/decimal.js';
import { priceTransactions } from './normalize.js';
import { impliedBalances, reconcile } from './reconcile.js';
import { MATCH_WINDOW_MS, matchInternalTransfers, type TransferCandidate } from './internal-transfers.js';

/** New transactions' ids: minted in write order (see `monotonicUuidv7`), not from their own timestamps. */
const mintTransactionId = monotonicUuidv7();

export interface SyncResult {
  account_id: string;
  status: string;
  added: number;
  updated: number;
  removed: number;
}

/** Thrown when the worker lost its lease mid-sync: another worker owns the job now. */
export class LeaseLostError extends Error {}

export interface SyncAccountDeps {
  db: Kysely<Database>;
  sync: SyncRepository;
  ledger: LedgerRepository;
  prices: PriceService;
  envelope: CryptoEnvelope;
  clock: Clock;
  connectorFor(providerId: string): Connector | undefined;
  /** How long after a successful sync the next scheduled one is due. */
  intervalMs: number;
  leaseMs: number;
  log?: (message: string, data?: Record<string, unknown>) => void;
}

/** Decrypts an account's stored connection. The AAD binds it to the account id. */
export function openConnection(envelope: CryptoEnvelope, account: { id: string; credentials_enc: string | null }): Connection | null {
  if (!account.credentials_enc) return null;
  const parsed = JSON.parse(envelope.open(account.credentials_enc, account.id)) as Connection & { file?: { format: string; content: string } };
  if (parsed.file) return { ...parsed, file: { format: parsed.file.format, content: Buffer.from(parsed.file.content, 'base64') } };
  return parsed;
}

export function sealConnection(envelope: CryptoEnvelope, accountId: string, c: Connection): string {
  const plain = c.file ? { ...c, file: { format: c.file.format, content: c.file.content.toString('base64') } } : c;
  return envelope.seal(JSON.stringify(plain), accountId);
}

export async function syncAccount(d: SyncAccountDeps, job: SyncJobRow, workerId: string, signal?: AbortSignal): Promise<SyncResult> {
  const account = await d.sync.loadAccount(job.enterprise_id, job.account_id);
  if (!account || account.status === 'disconnected' || account.user_deactivated) {
    return { account_id: job.account_id, status: account?.status ?? 'disconnected', added: 0, updated: 0, removed: 0 };
  }
  const connector = d.connectorFor(account.provider_id);
  if (!connector) throw new Error(`no connector for provider ${account.provider_id}`);
  const connection = openConnection(d.envelope, account);
  if (!connection) throw new Error('the account has no stored connection');
  const describe = connector.describe();
  const ctx: ConnectorContext = { clock: d.clock, signal, log: d.log };
  const scope = { enterpriseId: account.enterprise_id, userId: account.user_id, accountId: account.id, providerId: account.provider_id };
  const now = () => isoOf(d.clock.now());
  const lease = () => isoOf(d.clock.now() + d.leaseMs);

  await d.sync.setAccountStatus(d.db, account.enterprise_id, account.id, { status: 'syncing', status_cause: null });
  const positions = describe.capabilities.balances ? await connector.fetchBalances(connection, ctx) : [];

  let cursor = account.sync_cursor ? (JSON.parse(account.sync_cursor) as Record<string, unknown>) : null;
  const fromBeginning = cursor === null;
  const seen = new Set<string>();
  let added = 0;
  let updated = 0;
  let pages = 0;
  let earliest: string | null = null;
  if (describe.capabilities.transactions) {
    for (;;) {
      const page = await connector.fetchTransactions(connection, cursor, ctx);
      const records = await priceTransactions(page.records, account.base_currency, d.prices, describe.version);
      for (const r of records) {
        seen.add(r.fingerprint);
        if (!earliest || r.timestamp < earliest) earliest = r.timestamp;
      }
      const res = await d.db.transaction().execute(async (trx) => {
        // the user's lock first: the ledger keeps the trade aggregates under it (see SyncRepository.lockUser)
        await d.sync.lockUser(trx, account.enterprise_id, account.user_id);
        if (!(await d.sync.heartbeat(trx, job.id, workerId, lease()))) throw new LeaseLostError(`lost the lease on job ${job.id}`);
        const r = await d.ledger.upsertTransactions(trx, scope, records, now(), () => mintTransactionId(Date.now()));
        await d.sync.saveCursor(trx, account.enterprise_id, account.id, page.cursor);
        return r;
      });
      added += res.added;
      updated += res.updated;
      cursor = page.cursor;
      pages++;
      d.log?.('sync page stored', { account_id: account.id, page: pages, records: records.length, added, updated });
      if (page.done) break;
    }
  }

  const result = await d.db.transaction().execute(async (trx) => {
    // the user's lock first, as erasure and account removal take it (see SyncRepository.lockUser)
    await d.sync.lockUser(trx, account.enterprise_id, account.user_id);
    if (!(await d.sync.heartbeat(trx, job.id, workerId, lease()))) throw new LeaseLostError(`lost the lease on job ${job.id}`);
    let removed = 0;
    if (fromBeginning && describe.capabilities.transactions) {
      const live = await d.sync.liveFingerprints(trx, account.enterprise_id, account.id);
      removed = await d.sync.markRemoved(trx, account.enterprise_id, account.id, live.filter((f) => !seen.has(f)), now());
    }
    await d.ledger.replacePositions(trx, scope, positions.filter((p) => !isZero(p.quantity)), now());
    const reported = new Map(positions.map((p) => [p.asset_id, p.quantity]));
    const recon = describe.capabilities.transactions && describe.capabilities.balances
      ? reconcile(impliedBalances(await d.sync.accountMovements(trx, account.enterprise_id, account.id)), reported, now())
      : null;
    if (earliest) await matchTransfers(d, trx, account, earliest);
    const status = 'active';
    await d.sync.setAccountStatus(trx, account.enterprise_id, account.id, {
      status,
      status_cause: recon && !recon.balanced ? 'reconciliation_gap' : null,
      last_synced_at: now(),
      next_sync_at: isoOf(d.clock.now() + d.intervalMs),
      reconciliation: recon,
    });
    const out: SyncResult = { account_id: account.id, status, added, updated, removed };
    await d.sync.finish(trx, job.id, workerId, 'succeeded', now(), { added, updated, removed });
    return out;
  });
  return result;
}

async function matchTransfers(d: SyncAccountDeps, trx: Parameters<SyncRepository['markInternalTransfer']>[0], account: AccountForSync, earliest: string): Promise<void> {
  const since = isoOf(Date.parse(earliest) - MATCH_WINDOW_MS);
  const rows = await d.sync.transferCandidates(trx, account.enterprise_id, account.user_id, since);
  const candidates: TransferCandidate[] = [];
  for (const r of rows) {
    const side = JSON.parse(r.type === 'send' ? r.inputs : r.outputs) as { asset_id: string; quantity: string }[];
    if (side.length !== 1) continue;
    const fees = JSON.parse(r.fee_items) as { asset_id: string; quantity: string }[];
    const m = side[0]!;
    candidates.push({
      transaction_id: r.id,
      account_id: r.account_id,
      type: r.type as 'send' | 'receive',
      timestamp: r.timestamp,
      tx_hash: r.tx_hash,
      asset_id: m.asset_id,
      quantity: m.quantity,
      fee_same_asset: sum(fees.filter((f) => f.asset_id === m.asset_id).map((f) => f.quantity)),
    });
  }
  const now = isoOf(d.clock.now());
  for (const p of matchInternalTransfers(candidates)) {
    await d.sync.markInternalTransfer(trx, account.enterprise_id, p.send.transaction_id, p.receive.account_id, now);
    await d.sync.markInternalTransfer(trx, account.enterprise_id, p.receive.transaction_id, p.send.account_id, now);
  }
}
