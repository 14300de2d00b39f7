/**
 * The OAuth 2.0 endpoints (SPEC §4), registered under `/oauth` as an encapsulated plugin with its
 * own error and not-found handlers, so every answer here — success or failure — has the RFC 6749
 * shape rather than the API's ErrorItems. Responses are never cached (RFC 6749 §5.1).
 */
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { Container } from '../../container.js';
import { OAuthError } from '../../domain/oauth-errors.js';
import { SUPPORTED_GRANT_TYPES } from '../../services/auth/oauth.service.js';
import { OAuthErrorSchema, RevokeRequestSchema, TokenRequestSchema, TokenResponseSchema, oauthErrorResponses } from '../schemas/oauth.js';
import { clientCredentialsOf } from './client-auth.js';
import { handleOAuthError, sendOAuthError } from './oauth-error-handler.js';

const FORM_OR_JSON = ['application/x-www-form-urlencoded', 'application/json'];

export function oauthRoutes(deps: Container): FastifyPluginAsync {
  return async (plugin) => {
    const app = plugin.withTypeProvider<TypeBoxTypeProvider>();
    app.setErrorHandler(handleOAuthError);
    app.setNotFoundHandler((request, reply) => {
      const path = request.url.split('?')[0] ?? '/';
      const methods = app.knownMethods(path);
      if (methods.length) {
        void reply.header('Allow', methods.join(', '));
        return sendOAuthError(reply, 405, 'invalid_request', `${request.method} is not allowed here; use ${methods.join(' or ')}`);
      }
      sendOAuthError(reply, 404, 'invalid_request', `No OAuth endpoint ${path}`);
    });
    app.addHook('onRequest', async (_request, reply) => {
      void reply.header('Cache-Control', 'no-store').header('Pragma', 'no-cache');
    });

    app.post('/token', {
      schema: {
        tags: ['OAuth'],
        summary: 'Get an access token',
        description: 'grant_type=client_credentials with the client id and secret (HTTP Basic, or in the body) returns an enterprise token for the Enterprise API, valid 15 minutes.',
        consumes: FORM_OR_JSON,
        body: TokenRequestSchema,
        response: { 200: TokenResponseSchema, ...oauthErrorResponses },
      },
    }, async (request) => {
      const body = request.body;
      if (!(SUPPORTED_GRANT_TYPES as readonly string[]).includes(body.grant_type)) {
        throw new OAuthError('unsupported_grant_type', `grant_type must be one of: ${SUPPORTED_GRANT_TYPES.join(', ')}`);
      }
      return deps.services.oauth.clientCredentialsGrant(clientCredentialsOf(request.headers.authorization, body), { scope: body.scope });
    });

    app.post('/revoke', {
      schema: {
        tags: ['OAuth'],
        summary: 'Revoke an access token (RFC 7009)',
        description: 'Takes effect at once. Answers 200 also for a token that is invalid, expired, or not issued to the calling client (which is then left alone).',
        consumes: FORM_OR_JSON,
        body: RevokeRequestSchema,
        response: { 200: Type.Unknown({ description: 'Revoked, or nothing to revoke (empty body)' }), ...oauthErrorResponses, 413: OAuthErrorSchema },
      },
    }, async (request, reply) => {
      const body = request.body;
      await deps.services.oauth.revoke(clientCredentialsOf(request.headers.authorization, body), body.token);
      return reply.status(200).send();
    });
  };
}
