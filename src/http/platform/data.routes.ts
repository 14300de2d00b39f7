/**
 * Platform API — the user's data (SPEC §6): assets and transactions as the Enterprise API's user
 * reads (§5.4, §5.5; 206 when an account is in error), and on-demand refreshes.
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Container } from '../../container.js';
import { AppError } from '../../domain/errors.js';
import { ErrorResponseSchema, errorResponses } from '../schemas/common.js';
import { TransactionsPageResponse, UserAssetsQuery, UserAssetsResponse, UserTransactionsQuery } from '../schemas/enterprise.js';
import { RefreshIdParams, RefreshQuery, RefreshResponse } from '../schemas/platform.js';
import { listEnvelope, partial } from '../enterprise/envelope.js';
import { USER_TRANSACTIONS_FILTERS, userAssetsRequest, userTransactionsRequest } from '../enterprise/request-filters.js';
import { listParam } from '../query.js';
import type { RefreshKind } from '../../services/refreshes.service.js';

const tags = ['Platform: data'];

/** A route that needs one of the token's scopes (403 otherwise). */
function requireScope(scope: string) {
  return async (req: FastifyRequest): Promise<void> => {
    if (!req.auth.scope.split(' ').includes(scope)) throw new AppError('forbidden', `This token lacks the scope ${scope}`);
  };
}

export function platformDataRoutes(deps: Container): FastifyPluginAsync {
  return async (plugin) => {
    const app = plugin.withTypeProvider<TypeBoxTypeProvider>();
    const responses = { ...errorResponses, 429: ErrorResponseSchema };

    app.get('/assets', {
      preHandler: requireScope('assets:read'),
      schema: {
        tags,
        summary: "The user's assets",
        description: 'As User assets on the Enterprise API, for the user of the token (crypto_sources filters by provider). 206 when an account within the filters is in status error.',
        querystring: UserAssetsQuery,
        response: { 200: UserAssetsResponse, 206: UserAssetsResponse, ...errorResponses },
      },
    }, async (req, reply) => partial(reply, await deps.services.assets.forUser(req.auth.enterpriseId, req.auth.sub, userAssetsRequest(req.query))));

    app.get('/transactions', {
      preHandler: requireScope('transactions:read'),
      schema: {
        tags,
        summary: "The user's transactions",
        description: 'As User transactions on the Enterprise API, for the user of the token: newest first, half-open time window, 206 when an account within the filters is in status error.',
        querystring: UserTransactionsQuery,
        response: { 200: TransactionsPageResponse, 206: TransactionsPageResponse, ...errorResponses },
      },
    }, async (req, reply) => {
      const page = await deps.services.transactions.forUser(req.auth.enterpriseId, req.auth.sub, userTransactionsRequest(req.query));
      return partial(reply, listEnvelope(req, USER_TRANSACTIONS_FILTERS, 'transactions', page, page.errors));
    });

    const refresh = (kind: RefreshKind, scope: string) =>
      app.post(`/${kind}/refresh`, {
        preHandler: requireScope(scope),
        schema: {
          tags,
          summary: `Refresh the user's ${kind}`,
          description: "Queues a sync of the user's connected accounts (or those at crypto_sources): 202 with a refresh_id to follow at GET /refreshes/{refresh_id}. 429 with Retry-After when one of them was refreshed less than a minute ago.",
          querystring: RefreshQuery,
          response: { 202: RefreshResponse, ...responses },
        },
      }, async (req, reply) => {
        const providers = [...(listParam(req.query.crypto_sources, 'crypto_sources') ?? []), ...(listParam(req.query.provider_ids, 'provider_ids') ?? [])];
        const data = await deps.services.refreshes.request(req.auth.enterpriseId, req.auth.sub, kind, providers.length ? [...new Set(providers)] : undefined);
        return reply.status(202).send({ data });
      });
    refresh('assets', 'assets:read');
    refresh('transactions', 'transactions:read');

    app.get('/refreshes/:refresh_id', {
      schema: {
        tags,
        summary: 'Status of a refresh',
        description: "Each account's sync: queued, running, succeeded or failed (with the cause); the refresh is running while any is, then failed if any failed.",
        params: RefreshIdParams,
        response: { 200: RefreshResponse, ...errorResponses },
      },
    }, async (req) => ({ data: await deps.services.refreshes.status(req.auth.enterpriseId, req.auth.sub, req.params.refresh_id.toLowerCase()) }));
  };
}
