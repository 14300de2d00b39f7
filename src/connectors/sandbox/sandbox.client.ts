/**
 * The sandbox "source": a deterministic synthetic account history (the same generator the demo
 * uses) built from the connection's seed, over a fixed window so every sync sees the same history.
 *
 * Magic seeds and keys, for trying failure paths (documented in the README):
 * - a seed containing `<N>tx` (e.g. `alice-5000tx`) has N transactions (default 120, at most 100,000);
 * - a seed containing `unavailable` makes every call fail as a retryable `provider_unavailable`;
 * - a seed containing `ratelimited` fails as retryable `rate_limited` (Retry-After 30 s);
 * - a secret key `wrong`, or a seed starting with `invalid`, is refused as `invalid_credentials`.
 */
import { Prng } from '../../lib/prng.js';
import { syntheticSeries } from '../../prices/synthetic-series.js';
import { generateSandboxLedger } from '../../sandbox/sandbox-ledger.js';
import type { SandboxProviderId } from '../../sandbox/sandbox-assets.js';
import { PermanentConnectorError, RetryableConnectorError, type Connection } from '../connector.js';
import type { SandboxHistory } from './sandbox.types.js';

export const SANDBOX_WINDOW = { startMs: Date.parse('2024-01-01T00:00:00.000Z'), endMs: Date.parse('2026-01-01T00:00:00.000Z') };
export const MAX_SANDBOX_TRANSACTIONS = 100_000;

export function sandboxSeed(c: Connection): string {
  return c.seed ?? c.api_key ?? c.addresses?.[0] ?? c.xpub ?? 'sandbox';
}

export class SandboxClient {
  private readonly cache = new Map<string, SandboxHistory>();

  constructor(private readonly providerId: SandboxProviderId) {}

  /** Refuses credentials the way the seed asks to (see the file comment). */
  checkCredentials(c: Connection): void {
    const seed = sandboxSeed(c);
    if (c.secret_key === 'wrong' || seed.startsWith('invalid')) throw new PermanentConnectorError('The sandbox refused these credentials (secret "wrong" or a seed starting with "invalid")', 'invalid_credentials');
  }

  /** Fails a data call the way the seed asks to (see the file comment). */
  check(c: Connection): void {
    const seed = sandboxSeed(c);
    this.checkCredentials(c);
    if (seed.includes('unavailable')) throw new RetryableConnectorError('The sandbox is unavailable for this seed (it contains "unavailable")', 'provider_unavailable');
    if (seed.includes('ratelimited')) throw new RetryableConnectorError('The sandbox rate-limits this seed (it contains "ratelimited")', 'rate_limited', 30_000);
  }

  history(c: Connection): SandboxHistory {
    const seed = sandboxSeed(c);
    const key = `${this.providerId}|${seed}`;
    let h = this.cache.get(key);
    if (!h) {
      const m = /(\d+)tx/.exec(seed);
      const n = Math.min(MAX_SANDBOX_TRANSACTIONS, m ? Number(m[1]) : 120);
      const [ledger] = generateSandboxLedger({
        rng: Prng.from(key),
        accounts: [{ id: 'sandbox-account', provider_id: this.providerId, address: this.providerId === 'sandbox-wallet' ? (c.addresses?.[0] ?? null) : null }],
        homeFiat: 'USD',
        currency: 'USD',
        transactions: n,
        startMs: SANDBOX_WINDOW.startMs,
        endMs: SANDBOX_WINDOW.endMs,
        pendingFromMs: null,
        wealth: 1,
        prices: syntheticSeries,
      });
      h = { transactions: ledger?.transactions ?? [], positions: ledger?.positions ?? [] };
      if (this.cache.size > 32) this.cache.clear();
      this.cache.set(key, h);
    }
    return h;
  }
}
