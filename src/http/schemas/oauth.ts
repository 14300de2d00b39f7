/**
 * Wire schemas of the OAuth server (SPEC §4): `/oauth/*` and `/.well-known/*`. Only implemented
 * parameters are documented; unknown parameters are ignored, as RFC 6749 §3.2 requires, so these
 * bodies allow additional properties (unlike the API's bodies).
 */
import Type from 'typebox';
import { OAUTH_ERROR_CODES } from '../../domain/oauth-errors.js';

const Enum = (values: readonly string[]) => Type.Union(values.map((v) => Type.Literal(v)));

export const OAuthErrorSchema = Type.Object(
  {
    error: Enum(OAUTH_ERROR_CODES),
    error_description: Type.String(),
  },
  { description: 'RFC 6749 §5.2 error' },
);

export const oauthErrorResponses = {
  400: OAuthErrorSchema,
  401: OAuthErrorSchema,
  500: OAuthErrorSchema,
  503: OAuthErrorSchema,
};

const ClientIdField = Type.String({ minLength: 1, maxLength: 200, description: 'Client id (or send it with HTTP Basic)' });
const ClientSecretField = Type.String({ minLength: 1, maxLength: 500, description: 'Client secret (or send it with HTTP Basic)' });

export const TokenRequestSchema = Type.Object({
  grant_type: Type.String({ description: 'client_credentials, authorization_code or refresh_token' }),
  client_id: Type.Optional(ClientIdField),
  client_secret: Type.Optional(ClientSecretField),
  scope: Type.Optional(Type.String({ maxLength: 1000, description: 'Optional; enterprise tokens carry the scope "enterprise"; a refresh may narrow the granted scopes' })),
  code: Type.Optional(Type.String({ maxLength: 200, description: 'authorization_code: the code Connect sent to the redirect URI (single use, 60 seconds)' })),
  redirect_uri: Type.Optional(Type.String({ maxLength: 2000, description: 'authorization_code: exactly the redirect URI the code was issued for' })),
  code_verifier: Type.Optional(Type.String({ maxLength: 200, description: 'authorization_code: the PKCE verifier (RFC 7636) whose S256 hash, or itself (plain), was the code_challenge' })),
  refresh_token: Type.Optional(Type.String({ maxLength: 200, description: 'refresh_token: the refresh token to rotate (single use)' })),
});

export const TokenResponseSchema = Type.Object({
  access_token: Type.String({ description: 'ES256 JWT; send it as "Authorization: Bearer <token>"' }),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer({ description: 'Seconds until the token expires (900)' }),
  refresh_token: Type.Optional(Type.String()),
  scope: Type.String(),
});

export const RevokeRequestSchema = Type.Object({
  token: Type.String({ maxLength: 8192, description: 'The access token, or the refresh token (its whole grant is revoked), to revoke' }),
  token_type_hint: Type.Optional(Type.String({ description: 'access_token or refresh_token (ignored: both kinds are tried)' })),
  client_id: Type.Optional(ClientIdField),
  client_secret: Type.Optional(ClientSecretField),
});

export const PublicJwkSchema = Type.Object({
  kty: Type.String(),
  crv: Type.String(),
  x: Type.String(),
  y: Type.String(),
  kid: Type.String(),
  alg: Type.String(),
  use: Type.String(),
});

/** Public keys only: the schema names no private member (`d`), so none can be serialized. */
export const JwksSchema = Type.Object({ keys: Type.Array(PublicJwkSchema) });

export const AuthorizationServerMetadataSchema = Type.Object(
  {
    issuer: Type.String(),
    authorization_endpoint: Type.String(),
    token_endpoint: Type.String(),
    revocation_endpoint: Type.String(),
    jwks_uri: Type.String(),
    grant_types_supported: Type.Array(Type.String()),
    response_types_supported: Type.Array(Type.String()),
    code_challenge_methods_supported: Type.Array(Type.String()),
    scopes_supported: Type.Array(Type.String()),
    token_endpoint_auth_methods_supported: Type.Array(Type.String()),
    revocation_endpoint_auth_methods_supported: Type.Array(Type.String()),
    service_documentation: Type.String(),
  },
  { description: 'RFC 8414 authorization server metadata' },
);
