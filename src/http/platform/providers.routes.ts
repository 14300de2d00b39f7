/**
 * Platform API — the user's sources (SPEC §6): connected accounts, what can be added, adding (one
 * or several; 200 with per-provider errors) and removing, and the exchange OAuth callback.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Container } from '../../container.js';
import { AppError } from '../../domain/errors.js';
import { ErrorResponseSchema, errorResponses } from '../schemas/common.js';
import { AddProvidersBody, AddProvidersResponse, OAuthCallbackBody, PlatformAccountsResponse, RemoveProvidersBody, RemoveProvidersResponse, SupportedProvidersResponse } from '../schemas/platform.js';
import { addProvidersRequest } from './request-bodies.js';
import { partial } from '../enterprise/envelope.js';

const tags = ['Platform: providers'];

export function platformProvidersRoutes(deps: Container): FastifyPluginAsync {
  return async (plugin) => {
    const app = plugin.withTypeProvider<TypeBoxTypeProvider>();

    app.get('/providers', {
      schema: {
        tags,
        summary: "The user's connected accounts",
        description: 'In pagination-id order. 206 when an account is in status error: it is listed in errors with its cause.',
        response: { 200: PlatformAccountsResponse, 206: PlatformAccountsResponse, ...errorResponses },
      },
    }, async (req, reply) => partial(reply, await deps.services.platformAccounts.list(req.auth.enterpriseId, req.auth.sub)));

    app.get('/providers/supported', {
      schema: {
        tags,
        summary: 'Providers the user can add',
        description: "The enterprise's enabled providers that this deployment can connect, with the credential fields each asks for.",
        response: { 200: SupportedProvidersResponse, ...errorResponses },
      },
    }, async (req) => ({ data: { providers: await deps.services.providers.supported(req.auth.enterpriseId) } }));

    app.post('/providers', {
      schema: {
        tags,
        summary: 'Add sources',
        description:
          'One source ({ provider_id, display_label?, connection }) or several ({ providers: [...] }). Credentials and addresses are checked against the source before they are stored (encrypted); the first sync is queued at once. Always 200: each source that could not be added is an item of errors with its provider_id and cause (invalid_credentials, bad_request with the field, provider_unavailable, not_implemented for oauth2).',
        body: AddProvidersBody,
        response: { 200: AddProvidersResponse, ...errorResponses, 413: ErrorResponseSchema, 415: ErrorResponseSchema },
      },
    }, async (req) => {
      const { items, batch } = addProvidersRequest(req.body);
      return deps.services.platformAccounts.add(req.auth.enterpriseId, req.auth.sub, items, batch);
    });

    app.delete('/providers', {
      schema: {
        tags,
        summary: 'Remove sources',
        description: 'Removes the named accounts (by id, or every account at the named providers) with their positions, transactions and sync jobs, and destroys their credentials.',
        body: RemoveProvidersBody,
        response: { 200: RemoveProvidersResponse, ...errorResponses, 415: ErrorResponseSchema },
      },
    }, async (req) => ({ data: await deps.services.platformAccounts.remove(req.auth.enterpriseId, req.auth.sub, req.body) }));

    app.post('/oauth/callback', {
      schema: {
        // not implemented yet, so not documented (SPEC §11): it answers 501 with an ErrorItem
        hide: true,
        tags,
        summary: "Complete an exchange's OAuth connection (not available yet)",
        description: 'Answers 501 not_implemented: connecting an exchange through its own OAuth needs each exchange\'s consent page and app registration, which this deployment does not have yet. Connect with an API key instead.',
        body: OAuthCallbackBody,
        response: { 501: ErrorResponseSchema, ...errorResponses },
      },
    }, async (req) => {
      throw new AppError('not_implemented', "Connecting an exchange through its OAuth is not available yet; add it with an API key", { provider_id: req.body.provider_id });
    });
  };
}
