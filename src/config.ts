/**
 * Configuration, parsed and validated once from the environment (SPEC §11). Nothing else reads
 * process.env. A missing TORTIE_SECRET_KEY is generated into the data directory on first start.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { ConnectorEndpoints } from './connectors/connector.js';

export interface Config {
  databaseUrl: string;
  dataDir: string;
  host: string;
  port: number;
  baseUrl: string;
  /** 32 bytes, base64. */
  secretKey: string;
  smtpUrl: string | null;
  logLevel: string;
  /** Largest request body accepted, in bytes. */
  bodyLimit: number;
  /** Endpoints of every connector's source (SPEC §10). */
  endpoints: ConnectorEndpoints;
  /** Scheduled sync interval (TORTIE_SYNC_INTERVAL_MINUTES, default 60). */
  syncIntervalMs: number;
  /**
   * How long a worker's claim on a sync job lasts without a heartbeat (TORTIE_SYNC_LEASE_SECONDS,
   * default 60): after a worker dies, its job runs again this long after its last heartbeat.
   */
  syncLeaseMs: number;
  /**
   * Whether `serve` on SQLite runs the sync worker in its own process (TORTIE_SYNC_WORKER, `on` by
   * default; `off` leaves syncs to `tortie worker` processes or to none).
   */
  inProcessSyncWorker: boolean;
  /** A CoinGecko-compatible live price API (TORTIE_PRICES_COINGECKO_URL, TORTIE_PRICES_COINGECKO_KEY); null when not configured. */
  coingecko: { baseUrl: string; apiKey: string | null } | null;
}

/**
 * `TORTIE_RPC_<ID>`, `TORTIE_EXPLORER_<ID>`, `TORTIE_EXCHANGE_URL_<ID>`, `TORTIE_TOKENS_<ID>` (ID =
 * provider id in upper case, `-` as `_`) and `TORTIE_ESPLORA_BITCOIN`.
 */
export function loadEndpoints(env: NodeJS.ProcessEnv): ConnectorEndpoints {
  const byPrefix = (prefix: string): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(env)) {
      if (!k.startsWith(prefix) || !v) continue;
      const id = k.slice(prefix.length).toLowerCase().replace(/_/g, '-');
      if (id) out[id] = v.replace(/\/+$/, '');
    }
    return out;
  };
  const tokens: Record<string, string[]> = {};
  for (const [id, list] of Object.entries(byPrefix('TORTIE_TOKENS_'))) {
    const addresses = list.split(',').map((a) => a.trim().toLowerCase()).filter(Boolean);
    const bad = addresses.find((a) => !/^0x[0-9a-f]{40}$/.test(a));
    if (bad) throw new ConfigError(`TORTIE_TOKENS_${id.toUpperCase().replace(/-/g, '_')} must be comma-separated 0x… contract addresses; "${bad}" is not one`);
    tokens[id] = addresses;
  }
  return {
    tokens,
    rpc: byPrefix('TORTIE_RPC_'),
    explorer: byPrefix('TORTIE_EXPLORER_'),
    exchange: byPrefix('TORTIE_EXCHANGE_URL_'),
    esplora: env.TORTIE_ESPLORA_BITCOIN ? env.TORTIE_ESPLORA_BITCOIN.replace(/\/+$/, '') : null,
  };
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const dataDir = resolve(env.TORTIE_DATA_DIR || './data');
  const host = env.HOST || '127.0.0.1';
  const portText = env.PORT || '8080';
  if (!/^\d+$/.test(portText) || Number(portText) > 65535) throw new ConfigError(`PORT must be a port number, got ${portText}`);
  const port = Number(portText);
  const databaseUrl = env.DATABASE_URL || `sqlite:${join(dataDir, 'tortie.db')}`;
  const baseUrl = (env.BASE_URL || `http://${host.includes(':') ? `[${host}]` : host}:${port}`).replace(/\/+$/, '');
  let secretKey = env.TORTIE_SECRET_KEY || '';
  if (!secretKey) secretKey = loadOrCreateSecretKey(dataDir);
  if (Buffer.from(secretKey, 'base64').length !== 32) {
    throw new ConfigError('TORTIE_SECRET_KEY must be 32 bytes encoded in base64 (generate one with: openssl rand -base64 32)');
  }
  return {
    databaseUrl,
    dataDir,
    host,
    port,
    baseUrl,
    secretKey,
    smtpUrl: env.SMTP_URL || null,
    logLevel: env.LOG_LEVEL || 'info',
    bodyLimit: 1024 * 1024,
    endpoints: loadEndpoints(env),
    syncIntervalMs: positiveInt(env.TORTIE_SYNC_INTERVAL_MINUTES, 'TORTIE_SYNC_INTERVAL_MINUTES', 60) * 60_000,
    syncLeaseMs: positiveInt(env.TORTIE_SYNC_LEASE_SECONDS, 'TORTIE_SYNC_LEASE_SECONDS', 60) * 1_000,
    inProcessSyncWorker: onOff(env.TORTIE_SYNC_WORKER, 'TORTIE_SYNC_WORKER', true),
    coingecko: env.TORTIE_PRICES_COINGECKO_URL ? { baseUrl: env.TORTIE_PRICES_COINGECKO_URL.replace(/\/+$/, ''), apiKey: env.TORTIE_PRICES_COINGECKO_KEY || null } : null,
  };
}

function onOff(value: string | undefined, name: string, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  if (value === 'on') return true;
  if (value === 'off') return false;
  throw new ConfigError(`${name} must be on or off (got ${value.slice(0, 20)})`);
}

function positiveInt(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new ConfigError(`${name} must be a whole number, at least 1 (got ${value})`);
  return Number(value);
}

function loadOrCreateSecretKey(dataDir: string): string {
  const file = join(dataDir, 'secret.key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32).toString('base64');
  writeFileSync(file, key + '\n', { mode: 0o600, flag: 'wx' });
  return key;
}
