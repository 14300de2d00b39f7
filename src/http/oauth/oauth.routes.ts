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
import { clientCredentialsOf, presentedClientOf } from './client-auth.js';
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
        description:
          'grant_type=client_credentials with the client id and secret (HTTP Basic, or in the body) returns an enterprise token for the Enterprise API, valid 15 minutes. ' +
          'grant_type=authorization_code with code, redirect_uri (exactly the one authorized), client_id, and code_verifier (PKCE) and/or the client secret returns a user token for the Platform API and a refresh token (opaque, one year, single use). ' +
          'grant_type=refresh_token with refresh_token and client_id (plus the secret when the grant was obtained with it) returns a new user token and a rotated refresh token; presenting a used refresh token revokes every token of its grant.',
        consumes: FORM_OR_JSON,
        body: TokenRequestSchema,
        response: { 200: TokenResponseSchema, ...oauthErrorResponses },
      },
    }, async (request) => {
      const body = request.body;
      const auth = request.headers.authorization;
      switch (body.grant_type) {
        case 'client_credentials':
          return deps.services.oauth.clientCredentialsGrant(clientCredentialsOf(auth, body), { scope: body.scope });
        case 'authorization_code':
          return deps.services.authorization.exchangeCode(presentedClientOf(auth, body), {
            code: required(body.code, 'code'),
            redirectUri: required(body.redirect_uri, 'redirect_uri'),
            codeVerifier: body.code_verifier,
          });
        case 'refresh_token':
          return deps.services.authorization.refresh(presentedClientOf(auth, body), required(body.refresh_token, 'refresh_token'), body.scope);
        default:
          throw new OAuthError('unsupported_grant_type', `grant_type must be one of: ${SUPPORTED_GRANT_TYPES.join(', ')}`);
      }
    });

    app.post('/revoke', {
      schema: {
        tags: ['OAuth'],
        summary: 'Revoke an access or refresh token (RFC 7009)',
        description: 'Takes effect at once. A refresh token is revoked with its whole grant (every refresh and access token issued from the same code). A public client sends client_id alone. Answers 200 also for a token that is invalid, expired, or not issued to the calling client (which is then left alone).',
        consumes: FORM_OR_JSON,
        body: RevokeRequestSchema,
        response: { 200: Type.Unknown({ description: 'Revoked, or nothing to revoke (empty body)' }), ...oauthErrorResponses, 413: OAuthErrorSchema },
      },
    }, async (request, reply) => {
      const body = request.body;
      await deps.services.authorization.revoke(presentedClientOf(request.headers.authorization, body), body.token);
      return reply.status(200).send();
    });
  };
}

/** A parameter the grant type needs (RFC 6749 §5.2 `invalid_request` when missing). */
function required(value: string | undefined, name: string): string {
  if (value === undefined || value === '') throw new OAuthError('invalid_request', `"${name}" is required`);
  return value;
}
