/**
 * Where a client's credentials come from on `/oauth/*` (RFC 6749 §2.3.1): HTTP Basic
 * (`client_secret_basic`, each half form-urlencoded before base64) or the `client_id` and
 * `client_secret` body parameters (`client_secret_post`) — one method per request.
 */
import { OAuthError } from '../../domain/oauth-errors.js';
import type { ClientCredentials } from '../../services/auth/oauth.service.js';
import type { PresentedClient } from '../../services/auth/authorization.service.js';

export interface ClientCredentialParams {
  client_id?: string;
  client_secret?: string;
}

export function clientCredentialsOf(authorization: string | undefined, body: ClientCredentialParams): ClientCredentials {
  const basic = authorization ? /^Basic\s+([A-Za-z0-9+/=._~-]*)\s*$/i.exec(authorization) : null;
  if (basic) {
    const creds = decodeBasic(basic[1]!);
    if (body.client_secret !== undefined) {
      throw new OAuthError('invalid_request', 'Authenticate the client one way: HTTP Basic or client_id and client_secret in the body, not both');
    }
    if (body.client_id !== undefined && body.client_id !== creds.clientId) {
      throw new OAuthError('invalid_request', 'client_id in the body differs from the one in the Authorization header');
    }
    return creds;
  }
  if (body.client_id === undefined || body.client_secret === undefined) {
    throw new OAuthError('invalid_client', 'Client authentication is required: HTTP Basic, or client_id and client_secret in the body');
  }
  return { clientId: body.client_id, clientSecret: body.client_secret };
}

function decodeBasic(b64: string): ClientCredentials {
  const text = Buffer.from(b64, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 0) throw new OAuthError('invalid_client', 'The Basic credentials must be client_id:client_secret');
  try {
    return { clientId: formDecode(text.slice(0, colon)), clientSecret: formDecode(text.slice(colon + 1)) };
  } catch {
    throw new OAuthError('invalid_client', 'The Basic credentials are not form-urlencoded');
  }
}

function formDecode(s: string): string {
  return decodeURIComponent(s.replace(/\+/g, ' '));
}

/**
 * The client of an end-user grant request (`authorization_code`, `refresh_token`, revocation): a
 * confidential client authenticates as above; a public client sends only `client_id` and relies on
 * PKCE (RFC 6749 §2.1, RFC 7636). No secret at all leaves `clientSecret` undefined.
 */
export function presentedClientOf(authorization: string | undefined, body: ClientCredentialParams): PresentedClient {
  if (authorization && /^Basic\s/i.test(authorization)) return clientCredentialsOf(authorization, body);
  return { clientId: body.client_id, clientSecret: body.client_secret };
}
