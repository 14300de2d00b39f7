/**
 * Access tokens (SPEC §4): ES256 JWTs with a `kid`, 15 minutes, signed by keys kept in the database
 * (private halves sealed with TORTIE_SECRET_KEY) so every instance shares them. Verification pins
 * the algorithm, issuer and audience, then consults the revocation cache. A token string verified
 * once is remembered (VerifiedTokenCache), so the signature is checked once per token rather than
 * once per request; expiry and revocation are still checked on every request.
 */
import { SignJWT, errors as joseErrors, exportJWK, generateKeyPair, importJWK, jwtVerify, type JWK, type JWTPayload, type CryptoKey } from 'jose';
import type { AuthRepository } from '../../repositories/auth.repository.js';
import type { CryptoEnvelope } from '../../lib/crypto-envelope.js';
import type { Clock } from '../../lib/clock.js';
import { isoOf } from '../../lib/clock.js';
import { randomToken } from '../../lib/ids.js';
import { AppError } from '../../domain/errors.js';
import type { RevocationCache } from './revocation-cache.js';
import { VerifiedTokenCache } from './verified-token-cache.js';

export const ACCESS_TOKEN_TTL_S = 900;
export const AUDIENCES = { enterprise: 'tortie:enterprise', platform: 'tortie:platform' } as const;
export type TokenKind = keyof typeof AUDIENCES;

export interface AccessClaims {
  kind: TokenKind;
  /** client id (enterprise tokens) or user id (platform tokens). */
  sub: string;
  enterpriseId: string;
  clientId: string;
  scope: string;
  jti: string;
  iat: number;
  exp: number;
}

interface LoadedKey {
  kid: string;
  publicJwk: JWK;
  publicKey: CryptoKey | Uint8Array;
  privateKey: CryptoKey | Uint8Array;
  retiredAt: string | null;
}

export class TokenService {
  private keys: LoadedKey[] = [];
  private loadedAt = -Infinity;

  constructor(
    private readonly repo: AuthRepository,
    private readonly envelope: CryptoEnvelope,
    private readonly clock: Clock,
    private readonly issuer: string,
    private readonly revocations: RevocationCache,
    private readonly verified: VerifiedTokenCache = new VerifiedTokenCache(),
  ) {}

  /** Creates the first signing key when the database has none. */
  async ensureSigningKey(): Promise<void> {
    await this.loadKeys(true);
    if (!this.keys.some((k) => k.retiredAt === null)) await this.rotate();
  }

  /** Makes a new signing key current; older keys keep verifying until their tokens expire. */
  async rotate(): Promise<string> {
    const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
    const kid = `k${this.clock.now().toString(36)}${randomToken(4)}`;
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
    const privateJwk = await exportJWK(privateKey);
    const now = isoOf(this.clock.now());
    await this.repo.insertSigningKey(
      { kid, alg: 'ES256', public_jwk: JSON.stringify(publicJwk), private_jwk_enc: this.envelope.seal(JSON.stringify(privateJwk), kid), created_at: now, retired_at: null },
      now,
    );
    await this.loadKeys(true);
    return kid;
  }

  /** Public keys that may still verify a live token. */
  async jwks(): Promise<{ keys: JWK[] }> {
    await this.loadKeys(false);
    return { keys: this.keys.map((k) => k.publicJwk) };
  }

  async issue(kind: TokenKind, sub: string, enterpriseId: string, clientId: string, scope: string): Promise<{ token: string; jti: string; expiresIn: number }> {
    await this.loadKeys(false);
    const key = this.keys.find((k) => k.retiredAt === null);
    if (!key) throw new AppError('service_unavailable', 'no signing key: run `tortie keys rotate`');
    const jti = randomToken(16);
    const iat = Math.floor(this.clock.now() / 1000);
    const token = await new SignJWT({ ent: enterpriseId, scope, cid: clientId })
      .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'at+jwt' })
      .setIssuer(this.issuer)
      .setAudience(AUDIENCES[kind])
      .setSubject(sub)
      .setJti(jti)
      .setIssuedAt(iat)
      .setExpirationTime(iat + ACCESS_TOKEN_TTL_S)
      .sign(key.privateKey);
    return { token, jti, expiresIn: ACCESS_TOKEN_TTL_S };
  }

  /**
   * Verifies signature, algorithm, issuer, audience, expiry and revocation. Any failure is an
   * `unauthorized` AppError; the kind mismatch (a user token on an enterprise route) is `forbidden`.
   */
  async verify(token: string, expected: TokenKind): Promise<AccessClaims> {
    const claims = await this.decode(token);
    if (!claims) throw new AppError('unauthorized', 'The access token is invalid or expired; request a new one from POST /oauth/token');
    if (await this.revocations.isRevoked(claims)) throw new AppError('unauthorized', 'The access token has been revoked');
    if (claims.kind !== expected) {
      throw new AppError('forbidden', claims.kind === 'platform' ? 'A user token cannot call the Enterprise API' : 'An enterprise token cannot call the Platform API');
    }
    return claims;
  }

  /**
   * The claims of a token this server signed and that has not expired, or null — without consulting
   * the revocation list (used by RFC 7009 revocation, which must not trust an unsigned `jti`).
   */
  async inspect(token: string): Promise<AccessClaims | null> {
    return this.decode(token);
  }

  /**
   * Signature (ES256 only, a known `kid`), issuer, expiry and required claims; null when any fails.
   * A token verified before is taken from the cache if it has not expired since.
   */
  private async decode(token: string): Promise<AccessClaims | null> {
    const now = this.clock.now();
    const cached = this.verified.get(token, now);
    if (cached) return cached;
    const verified = await this.verifySignedClaims(token, now);
    if (!verified) return null;
    // the cache re-checks expiry only; we never sign `nbf`, but a token carrying one is not cached
    if (!verified.hasNotBefore) this.verified.set(token, verified.claims);
    return verified.claims;
  }

  private async verifySignedClaims(token: string, now: number): Promise<{ claims: AccessClaims; hasNotBefore: boolean } | null> {
    let payload: JWTPayload;
    try {
      // typ pins the token to its use (RFC 9068): a JWT our keys signed for anything else is refused
      const res = await jwtVerify(token, async (header) => {
        const k = await this.keyFor(header.kid);
        if (!k) throw new joseErrors.JWKSNoMatchingKey();
        return k.publicKey;
      }, { algorithms: ['ES256'], typ: 'at+jwt', issuer: this.issuer, currentDate: new Date(now) });
      payload = res.payload;
    } catch (e) {
      // a bad token is a 401; a database failure while loading keys is not the caller's fault
      if (e instanceof joseErrors.JOSEError) return null;
      throw e;
    }
    const aud = Array.isArray(payload.aud) ? payload.aud[0] : payload.aud;
    const kind = (Object.keys(AUDIENCES) as TokenKind[]).find((k) => AUDIENCES[k] === aud);
    const { sub, jti, iat, exp } = payload;
    const ent = payload.ent;
    const cid = payload.cid;
    const scope = payload.scope;
    if (!kind || !sub || !jti || iat === undefined || exp === undefined || typeof ent !== 'string' || typeof cid !== 'string' || typeof scope !== 'string') {
      return null;
    }
    // frozen: a cached claims object is handed to every request presenting the token
    return { claims: Object.freeze({ kind, sub, enterpriseId: ent, clientId: cid, scope, jti, iat, exp }), hasNotBefore: payload.nbf !== undefined };
  }

  private async keyFor(kid: string | undefined): Promise<LoadedKey | undefined> {
    let k = this.keys.find((x) => x.kid === kid);
    if (!k) {
      // Another instance may have rotated: reload once (rate-limited by loadKeys).
      await this.loadKeys(false, 5_000);
      k = this.keys.find((x) => x.kid === kid);
    }
    return k;
  }

  private async loadKeys(force: boolean, maxAgeMs = 60_000): Promise<void> {
    const now = this.clock.now();
    if (!force && now - this.loadedAt < maxAgeMs) return;
    // keys retired within a token lifetime (plus slack) still verify
    const rows = await this.repo.signingKeys(isoOf(now - (ACCESS_TOKEN_TTL_S + 60) * 1000));
    const loaded: LoadedKey[] = [];
    for (const r of rows) {
      const publicJwk = JSON.parse(r.public_jwk) as JWK;
      const privateJwk = JSON.parse(this.envelope.open(r.private_jwk_enc, r.kid)) as JWK;
      loaded.push({
        kid: r.kid,
        publicJwk,
        publicKey: await importJWK(publicJwk, 'ES256'),
        privateKey: await importJWK(privateJwk, 'ES256'),
        retiredAt: r.retired_at,
      });
    }
    // a key that is gone no longer verifies anything, cached or not
    if (this.keys.some((k) => !loaded.some((l) => l.kid === k.kid))) this.verified.clear();
    this.keys = loaded;
    this.loadedAt = now;
  }
}
