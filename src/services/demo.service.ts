/**
 * The demo (SPEC §11 `demo`, `npm start`): a NEW demo enterprise filled with deterministic synthetic
 * users, sandbox accounts, histories and positions, written through the real storage code.
 *
 * Same seed ⇒ same content: names, e-mails, consent dates, accounts, every transaction (type,
 * status, timestamp, quantities, values) and every position — all relative to the run day (UTC),
 * so a run on a later day is the same demo shifted in time. Ids, client credentials and stored
 * (sealed) sandbox API keys are new each time. Values use the bundled SYNTHETIC price series, which
 * this installs or tops up first (see prices/synthetic-series.ts).
 */
import type { EnterprisesService, CreatedEnterprise } from './enterprises.service.js';
import type { EnterprisesRepository } from '../repositories/enterprises.repository.js';
import type { UsersRepository, NewUser } from '../repositories/users.repository.js';
import type { ConsentsRepository, ConsentRow } from '../repositories/consents.repository.js';
import type { AccountsRepository, NewAccount } from '../repositories/accounts.repository.js';
import type { LedgerRepository } from '../repositories/ledger.repository.js';
import type { PricesRepository } from '../repositories/prices.repository.js';
import type { Executor } from '../repositories/db-context.js';
import type { PriceService } from '../prices/price.service.js';
import type { CryptoEnvelope } from '../lib/crypto-envelope.js';
import type { Clock } from '../lib/clock.js';
import type { PositionRecord, TransactionRecord } from '../domain/records.js';
import { randomBytes } from 'node:crypto';
import { DAY_MS, dateOf, isoOf } from '../lib/clock.js';
import { randomToken, uuidv7 } from '../lib/ids.js';
import { Prng } from '../lib/prng.js';
import { AppError } from '../domain/errors.js';
import { ensureSyntheticPrices } from '../prices/synthetic-prices.js';
import { syntheticSeries } from '../prices/synthetic-series.js';
import { planUsers, type SandboxUserPlan } from '../sandbox/sandbox-people.js';
import { generateSandboxLedger } from '../sandbox/sandbox-ledger.js';

export interface DemoOptions {
  /** Number of users (default 25). */
  users?: number;
  /** Any string; the same seed gives the same content (default `tortie`). */
  seed?: string;
  /** Transactions per user across their accounts (default 300). */
  transactionsPerUser?: number;
  /** The enterprise's base currency, the currency of every stored value (default USD). */
  baseCurrency?: string;
}

/** What `tortie demo` prints. The client secret is shown only here. */
export interface DemoResult {
  enterprise_id: string;
  client_id: string;
  client_secret: string;
  /** Number of users created. */
  users: number;
}

export interface DemoStats {
  accounts: number;
  transactions: number;
  positions: number;
  /** Time spent generating and storing users, accounts, transactions and positions. */
  seconds: number;
  /** `transactions / seconds`. */
  transactionsPerSecond: number;
}

export interface DemoServiceDeps {
  enterprises: EnterprisesService;
  enterprisesRepo: EnterprisesRepository;
  users: UsersRepository;
  consents: ConsentsRepository;
  accounts: AccountsRepository;
  ledger: LedgerRepository;
  pricesRepo: PricesRepository;
  prices: PriceService;
  envelope: CryptoEnvelope;
  clock: Clock;
  /** Runs `fn` in one database transaction. */
  transact: <T>(fn: (ex: Executor) => Promise<T>) => Promise<T>;
}

export const DEMO_DEFAULTS = { users: 25, seed: 'tortie', transactionsPerUser: 300 } as const;
export const DEMO_LIMITS = { users: 100_000, transactionsPerUser: 100_000 } as const;
export const DEMO_CONSENT_VERSION = 'demo-1';
const SCOPES = JSON.stringify(['assets:read', 'transactions:read']);
/** Rows written per database transaction (a write lock is held this long on SQLite). */
const TRANSACTIONS_PER_BATCH = 6_000;
const USERS_PER_BATCH = 500;

interface PreparedUser {
  user: NewUser;
  consent: ConsentRow;
  accounts: NewAccount[];
  ledgers: { scope: { enterpriseId: string; userId: string; accountId: string; providerId: string }; transactions: TransactionRecord[]; positions: PositionRecord[] }[];
}

/** The 10 random bytes of a UUID v7, cut from one large draw (one crypto call per id is a hot spot). */
function randomPool(size = 4096): () => Uint8Array {
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

export class DemoService {
  constructor(private readonly d: DemoServiceDeps) {}

  /** Creates a new demo enterprise with generated users and data. */
  async generate(o: DemoOptions = {}): Promise<DemoResult & { stats: DemoStats }> {
    const users = o.users ?? DEMO_DEFAULTS.users;
    const perUser = o.transactionsPerUser ?? DEMO_DEFAULTS.transactionsPerUser;
    const seed = o.seed ?? DEMO_DEFAULTS.seed;
    if (!Number.isSafeInteger(users) || users < 1 || users > DEMO_LIMITS.users) throw AppError.badRequest('users', `users must be an integer from 1 to ${DEMO_LIMITS.users}`);
    if (!Number.isSafeInteger(perUser) || perUser < 0 || perUser > DEMO_LIMITS.transactionsPerUser) {
      throw AppError.badRequest('transactions_per_user', `transactions per user must be an integer from 0 to ${DEMO_LIMITS.transactionsPerUser}`);
    }

    await ensureSyntheticPrices({ repos: { prices: this.d.pricesRepo }, prices: this.d.prices, clock: this.d.clock });
    const enterprise = await this.d.enterprises.create({ name: `Tortie Demo (seed ${seed})`.slice(0, 200), demo: true, baseCurrency: o.baseCurrency });
    const currency = (o.baseCurrency ?? 'USD').toUpperCase();

    const started = performance.now();
    const nowMs = this.d.clock.now();
    const anchorMs = Math.floor(nowMs / DAY_MS) * DAY_MS;
    const plans = planUsers({ seed, users, anchorMs });
    const stats = { accounts: 0, transactions: 0, positions: 0 };
    let batch: PreparedUser[] = [];
    let batchTransactions = 0;
    for (const plan of plans) {
      const p = this.prepare(plan, enterprise, seed, perUser, currency, anchorMs, nowMs);
      batch.push(p);
      batchTransactions += perUser;
      if (batchTransactions >= TRANSACTIONS_PER_BATCH || batch.length >= USERS_PER_BATCH) {
        await this.write(batch, nowMs, stats);
        batch = [];
        batchTransactions = 0;
      }
    }
    if (batch.length) await this.write(batch, nowMs, stats);
    const seconds = (performance.now() - started) / 1000;
    return {
      enterprise_id: enterprise.enterprise_id,
      client_id: enterprise.client_id,
      client_secret: enterprise.client_secret,
      users,
      stats: { ...stats, seconds, transactionsPerSecond: seconds > 0 ? stats.transactions / seconds : 0 },
    };
  }

  /**
   * For `npm start`: creates the default 25-user demo enterprise when the database holds no
   * enterprise at all, and returns it; returns null (and changes nothing) otherwise.
   */
  async ensureDemo(o: DemoOptions = {}): Promise<(DemoResult & { stats: DemoStats }) | null> {
    if ((await this.d.enterprisesRepo.count()) > 0) return null;
    return this.generate(o);
  }

  /** Turns one user's plan into rows and records (pure generation, no I/O). */
  private prepare(plan: SandboxUserPlan, e: CreatedEnterprise, seed: string, perUser: number, currency: string, anchorMs: number, nowMs: number): PreparedUser {
    const userId = uuidv7(plan.consentedMs);
    const user: NewUser = {
      id: userId,
      enterprise_id: e.enterprise_id,
      email: plan.email,
      full_name: plan.full_name,
      consented_at: isoOf(plan.consentedMs),
      created_at: isoOf(plan.consentedMs),
      deactivated_on: plan.deactivatedMs === null ? null : dateOf(plan.deactivatedMs),
    };
    const consent: ConsentRow = {
      id: uuidv7(plan.consentedMs),
      enterprise_id: e.enterprise_id,
      user_id: userId,
      client_id: e.client_id,
      scopes: SCOPES,
      version: DEMO_CONSENT_VERSION,
      consented_at: isoOf(plan.consentedMs),
      revoked_at: plan.deactivatedMs === null ? null : isoOf(plan.deactivatedMs),
    };
    const accounts: NewAccount[] = plan.accounts.map((a, k) => {
      const id = uuidv7(a.createdMs);
      const lastSynced = a.status === 'disconnected' ? plan.deactivatedMs ?? nowMs : a.status === 'error' ? nowMs - (2 + k) * 3_600_000 : nowMs - ((plan.index * 7 + k * 13) % 55 + 1) * 60_000;
      return {
        id,
        enterprise_id: e.enterprise_id,
        user_id: userId,
        provider_id: a.provider_id,
        display_label: a.display_label,
        connection_type: a.connection_type,
        addresses: a.address ? [a.address] : [],
        status: a.status,
        status_cause: a.status_cause,
        // sandbox API keys are sealed like real ones; a deactivated user's credentials are destroyed
        credentials_enc: a.connection_type === 'api_key' && a.status !== 'disconnected' ? this.d.envelope.seal(JSON.stringify({ api_key: `sbx_${randomToken(12)}`, secret_key: randomToken(24) }), id) : null,
        created_at: isoOf(a.createdMs),
        last_synced_at: isoOf(Math.max(lastSynced, a.createdMs)),
        next_sync_at: a.status === 'disconnected' ? null : isoOf(a.status === 'error' ? nowMs + 10 * 60_000 : lastSynced + 3_600_000),
      };
    });
    const ledgers = generateSandboxLedger({
      rng: Prng.from(`${seed}:ledger:${plan.index}`),
      accounts: accounts.map((a, k) => ({ id: a.id, provider_id: plan.accounts[k]!.provider_id, address: plan.accounts[k]!.address })),
      homeFiat: plan.homeFiat,
      currency,
      transactions: perUser,
      startMs: plan.historyStartMs,
      endMs: plan.historyEndMs,
      pendingFromMs: plan.deactivatedMs === null ? anchorMs - 3 * DAY_MS : null,
      wealth: plan.wealth,
      prices: syntheticSeries,
    });
    return {
      user,
      consent,
      accounts,
      ledgers: ledgers.map((l, k) => ({
        scope: { enterpriseId: e.enterprise_id, userId, accountId: l.accountId, providerId: plan.accounts[k]!.provider_id },
        transactions: l.transactions,
        positions: l.positions,
      })),
    };
  }

  /** Writes a batch of users in one database transaction, through the repositories and the ledger. */
  private async write(batch: PreparedUser[], nowMs: number, stats: { accounts: number; transactions: number; positions: number }): Promise<void> {
    const nowIso = isoOf(nowMs);
    const random = randomPool();
    await this.d.transact(async (ex) => {
      await this.d.users.create(
        batch.map((b) => b.user),
        ex,
      );
      await this.d.consents.create(
        batch.map((b) => b.consent),
        ex,
      );
      const accounts = batch.flatMap((b) => b.accounts);
      for (let i = 0; i < accounts.length; i += 500) await this.d.accounts.create(accounts.slice(i, i + 500), ex);
      for (const b of batch) {
        for (const l of b.ledgers) {
          await this.d.ledger.upsertTransactions(ex, l.scope, l.transactions, nowIso, (r) => uuidv7(Date.parse(r.timestamp), random));
          await this.d.ledger.replacePositions(ex, l.scope, l.positions, nowIso);
          stats.transactions += l.transactions.length;
          stats.positions += l.positions.length;
        }
      }
      stats.accounts += accounts.length;
    });
  }
}
