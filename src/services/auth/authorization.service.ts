/**
 * The authorization-code grant with PKCE and the refresh-token grant (SPEC §4, §7; RFC 6749 §4.1,
 * RFC 7636, OAuth 2.0 Security BCP):
 * - Connect validates the launch parameters (`validateAuthorizeRequest`) before showing anything,
 *   and issues a code at the end of the consent step (`issueCode`);
 * - `/oauth/token` redeems a code (`exchangeCode`) or rotates a refresh token (`refresh`);
 * - `/oauth/revoke` revokes an access token or a refresh token's whole family (`revoke`).
 *
 * Codes are single-use, live 60 seconds, and are bound to the client, the redirect URI and the
 * PKCE challenge; a replayed code revokes the tokens issued for it. Refresh tokens are opaque, live
 * one year, are single-use and rotate; presenting a used one revokes its family (the refresh tokens
 * and the access tokens issued with them). Codes and refresh tokens are stored only hashed.
 *
 * `validateAuthorizeRequest` and `issueCode` fail with `AppError`s (Connect shows them, and never
 * redirects on them); the token-endpoint methods fail with `OAuthError`s (the RFC 6749 wire shape).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { AuthRepository, ClientRow } from '../../repositories/auth.repository.js';
import type { GrantsRepository } from '../../repositories/grants.repository.js';
import type { UsersRepository } from '../../repositories/users.repository.js';
import type { Clock } from '../../lib/clock.js';
import { isoOf } from '../../lib/clock.js';
import { randomToken, uuidv7 } from '../../lib/ids.js';
import { AppError } from '../../domain/errors.js';
import { OAuthError } from '../../domain/oauth-errors.js';
import type { TokenService } from './token.service.js';
import type { RevocationCache } from './revocation-cache.js';
import type { OAuthService, TokenResponse } from './oauth.service.js';

/** Scopes a user token may carry (SPEC §2 Consent). A request without `scope` gets all of them. */
export const USER_SCOPES = ['assets:read', 'transactions:read'] as const;
export type UserScope = (typeof USER_SCOPES)[number];

export const CODE_TTL_MS = 60_000;
export const REFRESH_TOKEN_TTL_MS = 365 * 86_400_000;
export type ChallengeMethod = 'S256' | 'plain';

/** RFC 7636 §4.1/§4.2: 43–128 characters of the unreserved set. */
const PKCE_VALUE_RE = /^[A-Za-z0-9._~-]{43,128}$/;
const MAX_STATE_LENGTH = 1000;

export interface AuthorizeQuery {
  client_id: string;
  redirect_uri: string;
  code_challenge?: string;
  code_challenge_method?: string;
  state?: string;
  scope?: string;
}

export interface ValidatedAuthorizeRequest {
  client: { client_id: string; enterprise_id: string };
  /** Exactly one of the client's registered redirect URIs. */
  redirectUri: string;
  codeChallenge: string | null;
  method: ChallengeMethod | null;
  /** Opaque to Tortie: Connect echoes it unchanged on the redirect. */
  state: string | null;
  scopes: string[];
}

export interface IssueCodeOptions {
  clientId: string;
  enterpriseId: string;
  userId: string;
  redirectUri: string;
  codeChallenge: string | null;
  method: ChallengeMethod | null;
  scopes: string[];
}

/** What the client presented to `/oauth/token` or `/oauth/revoke` to identify itself. */
export interface PresentedClient {
  clientId: string | undefined;
  /** Absent for a public client (PKCE only). */
  clientSecret: string | undefined;
}

export interface CodeExchange {
  code: string;
  redirectUri: string;
  codeVerifier: string | undefined;
}

export class AuthorizationService {
  constructor(
    private readonly auth: AuthRepository,
    private readonly grants: GrantsRepository,
    private readonly users: UsersRepository,
    private readonly tokens: TokenService,
    private readonly revocations: RevocationCache,
    private readonly oauth: OAuthService,
    private readonly clock: Clock,
  ) {}

  /**
   * Checks Connect's launch parameters. Throws `bad_request` naming the field for an unknown client,
   * a redirect URI not registered for it (exact string match: no open redirect), a bad PKCE
   * challenge or method, an unknown scope, or an over-long state.
   */
  async validateAuthorizeRequest(q: AuthorizeQuery): Promise<ValidatedAuthorizeRequest> {
    const client = q.client_id ? await this.auth.getClient(q.client_id) : undefined;
    if (!client) throw AppError.badRequest('client_id', 'Unknown client_id');
    if (!q.redirect_uri || !client.redirect_uris.includes(q.redirect_uri)) {
      throw AppError.badRequest('redirect_uri', 'redirect_uri is not registered for this client');
    }
    const challenge = q.code_challenge || null;
    let method: ChallengeMethod | null = null;
    if (challenge === null) {
      if (q.code_challenge_method) throw AppError.badRequest('code_challenge', 'code_challenge_method was given without a code_challenge');
    } else {
      const m = q.code_challenge_method || 'plain'; // RFC 7636 §4.3: plain when absent
      if (m !== 'S256' && m !== 'plain') throw AppError.badRequest('code_challenge_method', 'code_challenge_method must be S256 or plain');
      method = m;
      if (!PKCE_VALUE_RE.test(challenge) || (m === 'S256' && !/^[A-Za-z0-9_-]{43}$/.test(challenge))) {
        throw AppError.badRequest('code_challenge', m === 'S256' ? 'code_challenge must be the base64url SHA-256 of the verifier (43 characters)' : 'code_challenge must be 43 to 128 unreserved characters');
      }
    }
    if (q.state !== undefined && q.state.length > MAX_STATE_LENGTH) throw AppError.badRequest('state', `state is at most ${MAX_STATE_LENGTH} characters`);
    return {
      client: { client_id: client.client_id, enterprise_id: client.enterprise_id },
      redirectUri: q.redirect_uri,
      codeChallenge: challenge,
      method,
      state: q.state ?? null,
      scopes: parseScopes(q.scope),
    };
  }

  /** A single-use code, valid 60 seconds, bound to the client, redirect URI and challenge. */
  async issueCode(a: IssueCodeOptions): Promise<string> {
    const client = await this.auth.getClient(a.clientId);
    if (!client || client.enterprise_id !== a.enterpriseId) throw AppError.badRequest('client_id', 'Unknown client_id');
    if (!client.redirect_uris.includes(a.redirectUri)) throw AppError.badRequest('redirect_uri', 'redirect_uri is not registered for this client');
    if ((a.codeChallenge === null) !== (a.method === null)) throw AppError.badRequest('code_challenge', 'code_challenge and its method go together');
    const scopes = a.scopes.length ? a.scopes : [...USER_SCOPES];
    for (const s of scopes) if (!(USER_SCOPES as readonly string[]).includes(s)) throw AppError.badRequest('scope', `Unknown scope ${s}`);
    const code = randomToken(32);
    const now = this.clock.now();
    await this.grants.insertCode({
      code_hash: sha256(code),
      client_id: a.clientId,
      enterprise_id: a.enterpriseId,
      user_id: a.userId,
      redirect_uri: a.redirectUri,
      code_challenge: a.codeChallenge,
      code_challenge_method: a.method,
      scopes: JSON.stringify(scopes),
      created_at: isoOf(now),
      expires_at: isoOf(now + CODE_TTL_MS),
      used_at: null,
      family_id: null,
    });
    return code;
  }

  /** `grant_type=authorization_code` → a user token and a refresh token. */
  async exchangeCode(presented: PresentedClient, x: CodeExchange): Promise<TokenResponse> {
    const { client, authenticated } = await this.identifyClient(presented);
    const codeHash = sha256(x.code);
    const row = await this.grants.getCode(codeHash);
    if (!row) throw invalidGrant('The authorization code is invalid');
    const nowMs = this.clock.now();
    const now = isoOf(nowMs);
    // the code is spent by any presentation, right or wrong: it cannot be tried twice. The family
    // its tokens will belong to is recorded in the same update, so a replay racing the first
    // exchange still finds what to revoke.
    const familyId = uuidv7(nowMs);
    if (!(await this.grants.useCode(codeHash, now, familyId))) {
      // RFC 6749 §4.1.2: a replayed code may have been stolen; revoke what it was exchanged for
      if (row.family_id) await this.revokeFamily(row.family_id, now);
      throw invalidGrant('The authorization code has already been used');
    }
    if (row.client_id !== client.client_id) throw invalidGrant('The authorization code was issued to another client');
    if (now >= row.expires_at) throw invalidGrant('The authorization code has expired');
    if (row.redirect_uri !== x.redirectUri) throw invalidGrant('redirect_uri differs from the one the code was issued for');
    if (row.code_challenge) {
      if (!x.codeVerifier) throw new OAuthError('invalid_request', '"code_verifier" is required: the code was issued with a PKCE challenge');
      if (!PKCE_VALUE_RE.test(x.codeVerifier) || !challengeMatches(row.code_challenge, row.code_challenge_method === 'S256' ? 'S256' : 'plain', x.codeVerifier)) {
        throw invalidGrant('code_verifier does not match the code_challenge');
      }
    } else {
      if (x.codeVerifier) throw invalidGrant('The code was issued without a PKCE challenge: send no code_verifier');
      if (!authenticated) throw new OAuthError('invalid_client', 'The code was issued without a PKCE challenge: authenticate with the client secret');
    }
    await this.activeUser(row.enterprise_id, row.user_id, null);
    const scopes = JSON.parse(row.scopes) as string[];
    return this.issuePair(client, row.user_id, scopes, scopes, familyId, authenticated);
  }

  /** `grant_type=refresh_token` → a new access token and a rotated refresh token. */
  async refresh(presented: PresentedClient, refreshToken: string, scope?: string): Promise<TokenResponse> {
    const { client, authenticated } = await this.identifyClient(presented);
    const hash = sha256(refreshToken);
    const row = await this.grants.getRefreshToken(hash);
    if (!row || row.client_id !== client.client_id) throw invalidGrant('The refresh token is invalid');
    if (row.confidential === 1 && !authenticated) throw new OAuthError('invalid_client', 'This grant belongs to a confidential client: authenticate with the client secret');
    const now = isoOf(this.clock.now());
    if (row.revoked_at) throw invalidGrant('The refresh token has been revoked');
    if (now >= row.expires_at) throw invalidGrant('The refresh token has expired');
    // checked before the token is spent: a bad request does not burn it
    const granted = JSON.parse(row.scopes) as string[];
    let scopes = granted;
    if (scope !== undefined && scope.trim() !== '') {
      scopes = scope.split(' ').filter(Boolean);
      const extra = scopes.filter((s) => !granted.includes(s));
      if (extra.length) throw new OAuthError('invalid_scope', `Scopes not granted: ${extra.join(' ')}`);
    }
    if (!(await this.grants.useRefreshToken(hash, now))) {
      // a used refresh token presented again: one of the two holders is not the user
      await this.revokeFamily(row.family_id, now);
      throw invalidGrant('The refresh token has already been used; every token of this grant is now revoked');
    }
    try {
      await this.activeUser(row.enterprise_id, row.user_id, row.created_at);
    } catch (e) {
      await this.revokeFamily(row.family_id, now);
      throw e;
    }
    // RFC 6749 §6: a narrowed refresh narrows the access token; the grant keeps its scopes
    return this.issuePair(client, row.user_id, scopes, granted, row.family_id, row.confidential === 1);
  }

  /**
   * RFC 7009: revokes an access token, or a refresh token with its whole family (refresh and access
   * tokens), when it was issued to the presenting client. Anything else is left alone silently.
   * A public client identifies itself by `client_id` alone (RFC 7009 §2.1).
   */
  async revoke(presented: PresentedClient, token: string): Promise<void> {
    const { client } = await this.identifyClient(presented);
    const now = isoOf(this.clock.now());
    const row = await this.grants.getRefreshToken(sha256(token));
    if (row) {
      if (row.client_id === client.client_id) await this.revokeFamily(row.family_id, now);
      return;
    }
    const claims = await this.tokens.inspect(token);
    if (!claims || claims.clientId !== client.client_id) return;
    const expiresAt = isoOf(claims.exp * 1000);
    await this.auth.revokeToken(claims.jti, now, expiresAt);
    this.revocations.noteRevokedJti(claims.jti, expiresAt);
  }

  /**
   * The client behind a request: authenticated by its secret when one is sent (a wrong one is
   * `invalid_client`), else identified by `client_id` alone (a public client; PKCE protects it).
   */
  private async identifyClient(p: PresentedClient): Promise<{ client: ClientRow; authenticated: boolean }> {
    if (!p.clientId) throw new OAuthError('invalid_client', 'client_id is required (in the body or with HTTP Basic)');
    if (p.clientSecret !== undefined) {
      return { client: await this.oauth.authenticateClient({ clientId: p.clientId, clientSecret: p.clientSecret }), authenticated: true };
    }
    const client = await this.auth.getClient(p.clientId);
    if (!client) throw new OAuthError('invalid_client', 'Client authentication failed: unknown client or wrong secret');
    return { client, authenticated: false };
  }

  /** The user must still exist, be active, and not have had their tokens revoked since `since`. */
  private async activeUser(enterpriseId: string, userId: string, since: string | null): Promise<void> {
    const u = await this.users.getById(enterpriseId, userId);
    if (!u || u.deactivated === 1) throw invalidGrant('The user has revoked their consent or been deactivated');
    if (since && u.tokens_revoked_before && since <= u.tokens_revoked_before) throw invalidGrant('The grant has been revoked');
  }

  private async issuePair(client: ClientRow, userId: string, scopes: string[], grantScopes: string[], familyId: string, confidential: boolean): Promise<TokenResponse> {
    const scope = scopes.join(' ');
    const { token, jti, expiresIn } = await this.tokens.issue('platform', userId, client.enterprise_id, client.client_id, scope);
    const refreshToken = randomToken(32);
    const nowMs = this.clock.now();
    await this.grants.insertRefreshToken({
      token_hash: sha256(refreshToken),
      family_id: familyId,
      client_id: client.client_id,
      enterprise_id: client.enterprise_id,
      user_id: userId,
      scopes: JSON.stringify(grantScopes),
      confidential: confidential ? 1 : 0,
      access_jti: jti,
      access_expires_at: isoOf(nowMs + expiresIn * 1000),
      created_at: isoOf(nowMs),
      expires_at: isoOf(nowMs + REFRESH_TOKEN_TTL_MS),
      used_at: null,
      revoked_at: null,
    });
    return { access_token: token, token_type: 'Bearer', expires_in: expiresIn, refresh_token: refreshToken, scope };
  }

  private async revokeFamily(familyId: string, nowIso: string): Promise<void> {
    const revoked = await this.grants.revokeFamily(familyId, nowIso);
    for (const r of revoked) this.revocations.noteRevokedJti(r.jti, r.expiresAt);
  }
}

/** Space-separated scopes; absent or empty means every user scope. Unknown ones are a 400. */
function parseScopes(scope: string | undefined): string[] {
  const list = (scope ?? '').split(' ').filter(Boolean);
  if (!list.length) return [...USER_SCOPES];
  const unknown = list.filter((s) => !(USER_SCOPES as readonly string[]).includes(s));
  if (unknown.length) throw AppError.badRequest('scope', `Unknown scope ${unknown.join(' ')}; allowed: ${USER_SCOPES.join(' ')}`);
  return [...new Set(list)];
}

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

function challengeMatches(challenge: string, method: ChallengeMethod, verifier: string): boolean {
  const computed = method === 'S256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
  const a = Buffer.from(computed);
  const b = Buffer.from(challenge);
  return a.length === b.length && timingSafeEqual(a, b);
}

function invalidGrant(description: string): OAuthError {
  return new OAuthError('invalid_grant', description);
}
