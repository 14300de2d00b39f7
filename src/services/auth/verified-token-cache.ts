/**
 * Access tokens whose signature, algorithm, type and issuer were verified, keyed by the exact token
 * string, so a client sending the same token on every request pays for one ES256 verification, not
 * one per request (a verification costs more than the rest of a list page). Only what does not
 * change for a given string is cached: the claims. What does change is checked on every lookup —
 * expiry here (a cached token past its `exp` is dropped and reported absent, so the caller refuses
 * it as expired), revocation by the caller (TokenService.verify consults the revocation cache on
 * every request, cached or not) — and the signing key: TokenService clears the cache when a key it
 * had loaded is gone, so a token verifies from the cache only while its key would verify it.
 *
 * Bounded: at most `maxEntries` tokens; when full, the oldest insertion is evicted (a token that
 * is still in use is verified again and re-inserted). Every token lives the same 15 minutes, so the
 * oldest insertion is also, nearly always, the first to expire; expired entries met on lookup are
 * dropped at once.
 */
import type { AccessClaims } from './token.service.js';

export const DEFAULT_VERIFIED_TOKENS = 10_000;

export class VerifiedTokenCache {
  private readonly entries = new Map<string, AccessClaims>();

  constructor(private readonly maxEntries = DEFAULT_VERIFIED_TOKENS) {}

  /**
   * The claims of a verified token that has not expired at `nowMs`, or undefined. Expired means
   * `exp <= floor(nowMs / 1000)` — jose's own rule, so a cached token expires at the same second
   * as one verified afresh.
   */
  get(token: string, nowMs: number): AccessClaims | undefined {
    const claims = this.entries.get(token);
    if (claims === undefined) return undefined;
    if (claims.exp <= Math.floor(nowMs / 1000)) {
      this.entries.delete(token);
      return undefined;
    }
    return claims;
  }

  /** Remembers a token that was just verified in full. */
  set(token: string, claims: AccessClaims): void {
    if (this.entries.size >= this.maxEntries && !this.entries.has(token)) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(token, claims);
  }

  /** Forgets every token (a signing key they may depend on is gone). */
  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
