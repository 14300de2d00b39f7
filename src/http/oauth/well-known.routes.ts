/**
 * Public discovery documents of the OAuth server (SPEC §4): the signing keys (RFC 7517) and the
 * authorization server metadata (RFC 8414). Both are derived from configuration and the key table;
 * the response schemas name only public members, so a private key can never be served.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Container } from '../../container.js';
import { ENTERPRISE_SCOPE, SUPPORTED_GRANT_TYPES } from '../../services/auth/oauth.service.js';
import { USER_SCOPES } from '../../services/auth/authorization.service.js';
import { errorResponses } from '../schemas/common.js';
import { AuthorizationServerMetadataSchema, JwksSchema } from '../schemas/oauth.js';

const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post'];

export function wellKnownRoutes(deps: Container): FastifyPluginAsync {
  return async (plugin) => {
    const app = plugin.withTypeProvider<TypeBoxTypeProvider>();
    const base = deps.config.baseUrl;

    app.get('/jwks.json', {
      schema: {
        tags: ['OAuth'],
        summary: 'Public keys that verify access tokens',
        response: { 200: JwksSchema, 500: errorResponses[500] },
      },
    }, async (_request, reply) => {
      // short: a verifier that meets an unknown kid refetches anyway
      void reply.header('Cache-Control', 'public, max-age=60');
      // jose types every JWK member as optional; ours are EC P-256 public keys with kid, alg and use
      // set at creation (TokenService.rotate), and the response schema drops anything else
      return deps.tokens.jwks() as Promise<{ keys: { kty: string; crv: string; x: string; y: string; kid: string; alg: string; use: string }[] }>;
    });

    app.get('/oauth-authorization-server', {
      schema: {
        tags: ['OAuth'],
        summary: 'OAuth 2.0 authorization server metadata (RFC 8414)',
        response: { 200: AuthorizationServerMetadataSchema },
      },
    }, async () => ({
      issuer: base,
      authorization_endpoint: `${base}/connect`,
      token_endpoint: `${base}/oauth/token`,
      revocation_endpoint: `${base}/oauth/revoke`,
      jwks_uri: `${base}/.well-known/jwks.json`,
      grant_types_supported: [...SUPPORTED_GRANT_TYPES],
      response_types_supported: ['code'],
      code_challenge_methods_supported: ['S256', 'plain'],
      scopes_supported: [ENTERPRISE_SCOPE, ...USER_SCOPES],
      token_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
      revocation_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
      service_documentation: `${base}/docs`,
    }));
  };
}
