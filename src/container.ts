/**
 * The composition root: the only place that constructs concrete parts (database, repositories,
 * services, crypto, clock) and wires them together. Everything else receives what it needs.
 */
import type { Config } from './config.js';
import { createDb, type DbHandle } from './db/create-db.js';
import { dbContext, type DbContext } from './repositories/db-context.js';
import { systemClock, type Clock } from './lib/clock.js';
import { CryptoEnvelope, secretKeyFromBase64 } from './lib/crypto-envelope.js';
import { CursorCodec } from './lib/cursor-codec.js';
import { EnterprisesRepository } from './repositories/enterprises.repository.js';
import { AuthRepository } from './repositories/auth.repository.js';
import { LedgerRepository } from './repositories/ledger.repository.js';
import { UsersRepository } from './repositories/users.repository.js';
import { ConsentsRepository } from './repositories/consents.repository.js';
import { AccountsRepository } from './repositories/accounts.repository.js';
import { PricesRepository } from './repositories/prices.repository.js';
import { StatsRepository } from './repositories/stats.repository.js';
import { ProvidersRepository } from './repositories/providers.repository.js';
import { PositionsRepository } from './repositories/positions.repository.js';
import { TransactionsRepository } from './repositories/transactions.repository.js';
import { PriceService } from './prices/price.service.js';
import { Valuation } from './services/valuation.js';
import { TokenService } from './services/auth/token.service.js';
import { RevocationCache } from './services/auth/revocation-cache.js';
import { EnterprisesService } from './services/enterprises.service.js';
import { StatsService } from './services/stats.service.js';
import { ProvidersService } from './services/providers.service.js';
import { AccountValuer } from './services/account-valuer.js';
import { UsersService } from './services/users.service.js';
import { UserProfileService } from './services/user-profile.service.js';
import { UserLifecycleService } from './services/user-lifecycle.service.js';
import { AssetsService } from './services/assets.service.js';
import { TransactionsService } from './services/transactions.service.js';
import { AccountsService } from './services/accounts.service.js';
import { DemoService } from './services/demo.service.js';
import { OAuthService } from './services/auth/oauth.service.js';
import { AuthorizationService } from './services/auth/authorization.service.js';
import { GrantsRepository } from './repositories/grants.repository.js';
import { AccessLogRepository } from './repositories/access-log.repository.js';
import { RefreshesRepository } from './repositories/refreshes.repository.js';
import { AccessLogService } from './services/access-log.service.js';
import { PlatformUserService } from './services/platform-user.service.js';
import { PlatformAccountsService } from './services/platform-accounts.service.js';
import { RefreshesService } from './services/refreshes.service.js';
import { SyncRepository } from './repositories/sync.repository.js';
import { ConnectionsService } from './services/connections.service.js';
import { connectorFor } from './connectors/registry.js';
import type { Connector } from './connectors/connector.js';
import { SyncWorker, type WorkerOptions } from './sync/worker.js';
import { CoinGeckoClient } from './prices/coingecko/coingecko.client.js';
import { CoinGeckoSource } from './prices/coingecko/coingecko.source.js';
import { ConnectRepository } from './repositories/connect.repository.js';
import { InvitationsRepository } from './repositories/invitations.repository.js';
import { ConnectService } from './services/connect/connect.service.js';
import { InvitationsService } from './services/connect/invitations.service.js';
import { OutboxMailer, SmtpMailer } from './services/connect/mailer.js';

/** Progress and diagnostics of syncs (never a secret). */
type SyncLog = (message: string, data?: Record<string, unknown>) => void;

export interface ContainerOptions {
  clock?: Clock;
  /** PostgreSQL schema to use (tests). */
  schema?: string;
  /** An already-open database (tests share one across apps). */
  dbHandle?: DbHandle;
}

export interface Container {
  config: Config;
  clock: Clock;
  dbh: DbHandle;
  ctx: DbContext;
  envelope: CryptoEnvelope;
  cursors: CursorCodec;
  repos: {
    enterprises: EnterprisesRepository;
    auth: AuthRepository;
    ledger: LedgerRepository;
    users: UsersRepository;
    consents: ConsentsRepository;
    accounts: AccountsRepository;
    prices: PricesRepository;
    stats: StatsRepository;
    providers: ProvidersRepository;
    positions: PositionsRepository;
    transactions: TransactionsRepository;
    sync: SyncRepository;
    grants: GrantsRepository;
    accessLog: AccessLogRepository;
    refreshes: RefreshesRepository;
    connect: ConnectRepository;
    invitations: InvitationsRepository;
  };
  prices: PriceService;
  /** The live price API filling the local store, when configured. */
  livePrices: CoinGeckoSource | null;
  valuation: Valuation;
  revocations: RevocationCache;
  tokens: TokenService;
  services: {
    enterprises: EnterprisesService;
    stats: StatsService;
    providers: ProvidersService;
    users: UsersService;
    userProfile: UserProfileService;
    userLifecycle: UserLifecycleService;
    assets: AssetsService;
    transactions: TransactionsService;
    accounts: AccountsService;
    demo: DemoService;
    oauth: OAuthService;
    /** Authorization codes (Connect), the code and refresh-token grants, revocation of user grants. */
    authorization: AuthorizationService;
    connections: ConnectionsService;
    /** Connect's sessions: sign-in by e-mail code or invitation, sources before consent, consent. */
    connect: ConnectService;
    invitations: InvitationsService;
    /** Who read a user's data (Enterprise and Platform reads scoped to one user). */
    accessLog: AccessLogService;
    /** Platform API: the user and their consent; their sources; on-demand refreshes. */
    platformUser: PlatformUserService;
    platformAccounts: PlatformAccountsService;
    refreshes: RefreshesService;
  };
  /** The connector of a provider, with this deployment's endpoints. */
  connectorFor(providerId: string): Connector | undefined;
  /** A sync worker over this container's database (started by `serve` on SQLite and by `worker`). */
  createWorker(options?: Partial<WorkerOptions> & { log?: SyncLog }): SyncWorker;
  /** Closes the database and anything else holding resources. */
  close(): Promise<void>;
}

export function createContainer(config: Config, options: ContainerOptions = {}): Container {
  const clock = options.clock ?? systemClock;
  const dbh = options.dbHandle ?? createDb(config.databaseUrl, { schema: options.schema });
  const ctx = dbContext(dbh.db, dbh.dialect, () => dbh.dataChanges());
  const envelope = new CryptoEnvelope(secretKeyFromBase64(config.secretKey));
  const cursors = new CursorCodec(envelope.deriveKey('cursor'));
  const repos = {
    enterprises: new EnterprisesRepository(ctx),
    auth: new AuthRepository(ctx),
    ledger: new LedgerRepository(ctx),
    users: new UsersRepository(ctx),
    consents: new ConsentsRepository(ctx),
    accounts: new AccountsRepository(ctx),
    prices: new PricesRepository(ctx),
    stats: new StatsRepository(ctx),
    providers: new ProvidersRepository(ctx),
    positions: new PositionsRepository(ctx),
    transactions: new TransactionsRepository(ctx),
    sync: new SyncRepository(ctx),
    grants: new GrantsRepository(ctx),
    accessLog: new AccessLogRepository(ctx),
    refreshes: new RefreshesRepository(ctx),
    invitations: new InvitationsRepository(ctx),
  };
  const connectRepo = new ConnectRepository(ctx, repos.users, repos.consents, repos.accounts);
  const prices = new PriceService(repos.prices, clock);
  const valuation = new Valuation(prices);
  const livePrices = config.coingecko ? new CoinGeckoSource(new CoinGeckoClient({ ...config.coingecko, timeoutMs: 15_000 }), repos.prices, clock) : null;
  const revocations = new RevocationCache(repos.auth, clock);
  const tokens = new TokenService(repos.auth, envelope, clock, config.baseUrl, revocations);
  const oauth = new OAuthService(repos.auth, tokens);
  const accountValuer = new AccountValuer(repos.positions, valuation, prices, repos.enterprises);
  const coreServices = {
    enterprises: new EnterprisesService(repos.enterprises, repos.auth, clock),
    stats: new StatsService(repos.stats, repos.enterprises, valuation, prices, clock),
    providers: new ProvidersService(repos.enterprises, repos.providers, (id) => connectorFor(id, config.endpoints)?.describe()),
    users: new UsersService(repos.users, repos.positions, valuation, accountValuer, cursors),
    userProfile: new UserProfileService(repos.users, repos.consents, repos.accounts, accountValuer),
    userLifecycle: new UserLifecycleService(repos.users, revocations, clock),
    assets: new AssetsService(repos.users, repos.accounts, repos.positions, accountValuer, valuation, clock),
    transactions: new TransactionsService(repos.users, repos.accounts, repos.transactions, cursors),
    accounts: new AccountsService(repos.accounts, accountValuer, cursors),
    demo: new DemoService({
      enterprises: new EnterprisesService(repos.enterprises, repos.auth, clock), // stateless: a second instance is harmless
      enterprisesRepo: repos.enterprises,
      users: repos.users,
      consents: repos.consents,
      ledger: repos.ledger,
      pricesRepo: repos.prices,
      prices,
      envelope,
      clock,
      bulkLoad: (fn) => dbh.bulkLoad(fn),
      dialect: dbh.dialect,
    }),
    oauth,
    authorization: new AuthorizationService(repos.auth, repos.grants, repos.users, tokens, revocations, oauth, clock),
    connections: new ConnectionsService({
      users: repos.users,
      enterprises: repos.enterprises,
      accounts: repos.accounts,
      sync: repos.sync,
      envelope,
      clock,
      valuer: accountValuer,
      connectorFor: (id) => connectorFor(id, config.endpoints),
      onEnqueued: () => workers.forEach((w) => w.poke()),
    }),
  };
  const services = {
    ...coreServices,
    invitations: new InvitationsService(repos.invitations, repos.auth, cursors, clock, config.baseUrl),
    accessLog: new AccessLogService(repos.accessLog, cursors, clock),
    platformUser: new PlatformUserService(repos.users, repos.consents),
    platformAccounts: new PlatformAccountsService(repos.accounts, accountValuer, coreServices.connections),
    refreshes: new RefreshesService(repos.accounts, repos.refreshes, coreServices.connections, clock),
    connect: new ConnectService({
      repo: connectRepo,
      invitations: repos.invitations,
      enterprises: repos.enterprises,
      authorization: coreServices.authorization,
      connections: coreServices.connections,
      providers: coreServices.providers,
      envelope,
      mailer: config.smtpUrl ? new SmtpMailer(config.smtpUrl) : new OutboxMailer(config.dataDir, clock, config.logLevel === 'silent' ? () => undefined : undefined),
      clock,
    }),
  };
  const workers = new Set<SyncWorker>();
  const createWorker = ({ log, ...o }: Partial<WorkerOptions> & { log?: SyncLog } = {}): SyncWorker => {
    const w = new SyncWorker(
      {
        db: dbh.db,
        sync: repos.sync,
        ledger: repos.ledger,
        prices,
        envelope,
        clock,
        connectorFor: (id) => connectorFor(id, config.endpoints),
        intervalMs: config.syncIntervalMs,
        leaseMs: config.syncLeaseMs,
        log,
      },
      o,
    );
    workers.add(w);
    return w;
  };
  return {
    config,
    clock,
    dbh,
    ctx,
    envelope,
    cursors,
    repos: { ...repos, connect: connectRepo },
    prices,
    livePrices,
    valuation,
    revocations,
    tokens,
    services,
    connectorFor: (id) => connectorFor(id, config.endpoints),
    createWorker,
    async close() {
      await Promise.all([...workers].map((w) => w.stop()));
      if (!options.dbHandle) await dbh.destroy();
    },
  };
}
