/**
 * The OAuth 2.0 token and revocation endpoints' decisions (SPEC §4, RFC 6749, RFC 7009): client
 * authentication against the Argon2 hash and the client-credentials grant (the end-user grants and
 * revocation are AuthorizationService's).
 * Failures are `OAuthError`s (the `/oauth/*` wire format), never `AppError`s.
 */
import type { AuthRepository, ClientRow } from '../../repositories/auth.repository.js';
import { randomToken } from '../../lib/ids.js';
import { hashSecret, verifySecret } from '../../lib/secret-hash.js';
import { OAuthError } from '../../domain/oauth-errors.js';
import type { TokenService } from './token.service.js';

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
}

function invalidClient(): OAuthError {
  return new OAuthError('invalid_client', 'Client authentication failed: unknown client or wrong secret');
}
