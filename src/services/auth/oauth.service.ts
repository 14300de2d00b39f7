/**
 * The OAuth 2.0 token and revocation endpoints' decisions (SPEC §4, RFC 6749, RFC 7009): client
 * authentication against the Argon2 hash, the client-credentials grant, and token revocation.
 * Failures are `OAuthError`s (the `/oauth/*` wire format), never `AppError`s.
 */
import type { AuthRepository, ClientRow } from '../../repositories/auth.repository.js';
import type { Clock } from '../../lib/clock.js';
import { isoOf } from '../../lib/clock.js';
import { randomToken } from '../../lib/ids.js';
import { hashSecret, verifySecret } from '../../lib/secret-hash.js';
import { OAuthError } from '../../domain/oauth-errors.js';
import type { TokenService } from './token.service.js';
import type { RevocationCache } from './revocation-cache.js';

/**
 * The scope of every enterprise token: the whole Enterprise API of the client's enterprise. A
 * client may ask for it explicitly (`scope=enterprise`) or omit `scope`; anything else is
 * `invalid_scope`.
 */
export const ENTERPRISE_SCOPE = 'enterprise';

/** Grant types `/oauth/token` answers; the others are `unsupported_grant_type`. */
export const SUPPORTED_GRANT_TYPES = ['client_credentials', 'authorization_code', 'refresh_token'] as const;

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

/** The RFC 6749 §5.1 success body. */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
  refresh_token?: string;
}

export interface ClientCredentialsGrantOptions {
  /** Space-separated scopes requested, if any. */
  scope?: string;
}

export class OAuthService {
  /** A hash verified when the client id is unknown, so timing does not reveal which ids exist. */
  private decoyHash: Promise<string> | undefined;

  constructor(
    private readonly auth: AuthRepository,
    private readonly tokens: TokenService,
    private readonly revocations: RevocationCache,
    private readonly clock: Clock,
  ) {}

  /** The client whose secret matches, or `invalid_client`. */
  async authenticateClient(creds: ClientCredentials): Promise<ClientRow> {
    const client = creds.clientId ? await this.auth.getClient(creds.clientId) : undefined;
    if (!client) {
      this.decoyHash ??= hashSecret(randomToken(16));
      await verifySecret(await this.decoyHash, creds.clientSecret);
      throw invalidClient();
    }
    if (!(await verifySecret(client.secret_hash, creds.clientSecret))) throw invalidClient();
    return client;
  }

  /** `grant_type=client_credentials` → an enterprise token for the client's enterprise. */
  async clientCredentialsGrant(creds: ClientCredentials, o: ClientCredentialsGrantOptions = {}): Promise<TokenResponse> {
    const client = await this.authenticateClient(creds);
    const requested = (o.scope ?? '').split(' ').filter(Boolean);
    const unknown = requested.filter((s) => s !== ENTERPRISE_SCOPE);
    if (unknown.length) throw new OAuthError('invalid_scope', `Unknown scope ${unknown.join(' ')}; enterprise tokens carry the scope "${ENTERPRISE_SCOPE}"`);
    const { token, expiresIn } = await this.tokens.issue('enterprise', client.client_id, client.enterprise_id, client.client_id, ENTERPRISE_SCOPE);
    return { access_token: token, token_type: 'Bearer', expires_in: expiresIn, scope: ENTERPRISE_SCOPE };
  }

  /**
   * RFC 7009: revokes an access token issued to the authenticated client, at once on this instance
   * (other instances pick it up within the revocation cache's refresh interval). A token that is
   * invalid, expired, unknown, or issued to another client is left alone and still answers success:
   * the caller learns nothing about tokens that are not its own.
   */
  async revoke(creds: ClientCredentials, token: string): Promise<void> {
    const client = await this.authenticateClient(creds);
    const claims = await this.tokens.inspect(token);
    if (!claims || claims.clientId !== client.client_id) return;
    const expiresAt = isoOf(claims.exp * 1000);
    await this.auth.revokeToken(claims.jti, isoOf(this.clock.now()), expiresAt);
    this.revocations.noteRevokedJti(claims.jti, expiresAt);
  }
}

function invalidClient(): OAuthError {
  return new OAuthError('invalid_client', 'Client authentication failed: unknown client or wrong secret');
}
