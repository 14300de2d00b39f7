/**
 * The revocation list every request consults (SPEC §4): revoked token ids, and "revoked before"
 * times per client and per user. Revocations made by this instance apply at once; those made by
 * another instance are picked up within `refreshMs`. Concurrent requests that find the list or a
 * cutoff stale share one reload (a burst of requests does not become a burst of queries); while
 * everything is fresh, a check is a few map lookups and no query.
 */
import type { AuthRepository } from '../../repositories/auth.repository.js';
import type { Clock } from '../../lib/clock.js';
import { isoOf } from '../../lib/clock.js';
import type { AccessClaims } from './token.service.js';

export class RevocationCache {
  /** Revoked token ids → when the token expires (ISO); expired entries are dropped on refresh. */
  private readonly jtis = new Map<string, string>();
  private lastSync: string | null = null;
  private lastSyncAt = -Infinity;
  private readonly before = new Map<string, { value: string | null; at: number }>();
  /** The reload in progress, shared by the requests that wait for it. */
  private refreshing: Promise<void> | null = null;
  private readonly loading = new Map<string, Promise<string | null | undefined>>();

  constructor(
    private readonly repo: AuthRepository,
    private readonly clock: Clock,
    private readonly refreshMs = 1_000,
  ) {}

  async isRevoked(c: AccessClaims): Promise<boolean> {
    await this.refresh();
    if (this.jtis.has(c.jti)) return true;
    const issuedAt = isoOf(c.iat * 1000);
    const clientBefore = await this.cutoff(`c:${c.clientId}`, async () => {
      const client = await this.repo.getClient(c.clientId);
      return client ? client.tokens_revoked_before : undefined;
    }, true);
    if (clientBefore === undefined) return true; // the client no longer exists
    if (clientBefore && issuedAt <= clientBefore) return true;
    if (c.kind === 'platform') {
      const userBefore = await this.cutoff(`u:${c.sub}`, () => this.repo.userTokensRevokedBefore(c.sub), false);
      if (userBefore && issuedAt <= userBefore) return true;
    }
    return false;
  }

  /** Records a revocation made by this instance: effective immediately here. */
  noteRevokedJti(jti: string, expiresAt: string): void {
    this.jtis.set(jti, expiresAt);
  }

  /** Forgets the cached cutoff of a client or user, after this instance changed it. */
  invalidate(kind: 'client' | 'user', id: string): void {
    const key = `${kind === 'client' ? 'c' : 'u'}:${id}`;
    this.before.delete(key);
    // a load already under way may have read the old value: later requests start their own
    this.loading.delete(key);
  }

  private async refresh(): Promise<void> {
    if (this.clock.now() - this.lastSyncAt < this.refreshMs) return;
    this.refreshing ??= this.reload().finally(() => {
      this.refreshing = null;
    });
    await this.refreshing;
  }

  private async reload(): Promise<void> {
    const now = this.clock.now();
    // overlap by a few seconds: rows committed late by another instance are not missed
    const since = this.lastSync ?? '0000';
    const nowIso = isoOf(now);
    const rows = await this.repo.revocationsSince(since, nowIso);
    for (const r of rows) this.jtis.set(r.jti, r.expires_at);
    for (const [jti, expiresAt] of this.jtis) if (expiresAt <= nowIso) this.jtis.delete(jti);
    this.lastSync = isoOf(now - 5_000);
    this.lastSyncAt = now;
  }

  private async cutoff(key: string, load: () => Promise<string | null | undefined>, missingMeansRevoked: boolean): Promise<string | null | undefined> {
    const now = this.clock.now();
    const hit = this.before.get(key);
    if (hit && now - hit.at < this.refreshMs) return hit.value;
    let pending = this.loading.get(key);
    if (!pending) {
      const p = load().then((v) => {
        // an invalidation during the load dropped this promise: its (possibly older) answer is not kept
        if (this.loading.get(key) === p) {
          this.loading.delete(key);
          if (!(v === undefined && missingMeansRevoked)) this.before.set(key, { value: v ?? null, at: now });
        }
        return v;
      }, (e: unknown) => {
        if (this.loading.get(key) === p) this.loading.delete(key);
        throw e;
      });
      pending = p;
      this.loading.set(key, p);
    }
    const v = await pending;
    if (v === undefined && missingMeansRevoked) return undefined;
    return v ?? null;
  }
}
