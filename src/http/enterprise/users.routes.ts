/**
 * Enterprise API — users (SPEC §5.1–§5.6): Users list, Search users, User account, User assets,
 * User transactions, Deactivate account. Registered inside the enterprise group (bearer auth).
 * The two hot lists (Users list, User transactions) are written as JSON text equal to what their
 * response schemas would write (`listEnvelopeJson`); the schemas still document them and
 * serialize their errors.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Container } from '../../container.js';
import { ErrorResponseSchema, errorResponses } from '../schemas/common.js';
import {
  DeactivateQuery,
  DeactivateResponse,
  TransactionsPageResponse,
  UserAssetsQuery,
  UserAssetsResponse,
  UserIdParams,
  UserProfileResponse,
  UserSearchBody,
  UserTransactionsQuery,
  UsersListQuery,
  UsersPageResponse,
} from '../schemas/enterprise.js';
import { Nullable } from '../schemas/common.js';
import { listEnvelopeJson, partial, searchEnvelope, sendJson } from './envelope.js';
import { USERS_LIST_FILTERS, USER_TRANSACTIONS_FILTERS, userAssetsRequest, userSearchRequest, userTransactionsRequest, usersListRequest } from './request-filters.js';

const tags = ['Users'];

export function usersRoutes(deps: Container): FastifyPluginAsync {
  return async (plugin) => {
    const app = plugin.withTypeProvider<TypeBoxTypeProvider>();
    // the Enterprise API takes JSON bodies only: a form or text body here is a 415, not a parsed value
    app.removeContentTypeParser(['application/x-www-form-urlencoded', 'text/plain']);

    app.get('/users/all', {
      schema: {
        tags,
        summary: 'Users list',
        description:
          'All users associated with an enterprise. Deactivated accounts may be deactivated by the end-user or the enterprise. Page data uses the last user_id as the marker for the next page. Order by pagination Id in table.',
        querystring: UsersListQuery,
        response: { 200: UsersPageResponse, ...errorResponses },
      },
    }, async (req, reply) => {
      const users = deps.services.users;
      const enterpriseId = req.auth.enterpriseId;
      // the page, its filters and its next_uri follow from the path and query alone
      return sendJson(reply, await users.listPage(enterpriseId, req.url, async () => listEnvelopeJson(req, USERS_LIST_FILTERS, 'users', await users.listJson(enterpriseId, usersListRequest(req.query)))));
    });

    app.post('/users/search', {
      schema: {
        tags,
        summary: 'Search users',
        description: 'Every filter is optional; filters combine with AND, a list matches any of its values. In pagination-id order; post next_cursor back as cursor for the next page.',
        body: Nullable(UserSearchBody),
        response: { 200: UsersPageResponse, ...errorResponses, 413: ErrorResponseSchema, 415: ErrorResponseSchema },
      },
    }, async (req) => searchEnvelope('users', await deps.services.users.search(req.auth.enterpriseId, userSearchRequest(req.body))));

    app.get('/users/:user_id', {
      schema: {
        tags,
        summary: 'User account',
        description: 'The user, their consent and their accounts. 206 when an account is in status error: its last-known data is returned and it is listed in errors.',
        params: UserIdParams,
        response: { 200: UserProfileResponse, 206: UserProfileResponse, ...errorResponses },
      },
    }, async (req, reply) => partial(reply, await deps.services.userProfile.get(req.auth.enterpriseId, req.params.user_id.toLowerCase())));

    app.get('/users/:user_id/assets', {
      schema: {
        tags,
        summary: 'User assets',
        description: "The user's current positions (quantity ≠ 0) valued at current prices, totals per asset_id and the exact total value. 206 when an account within the filters is in status error.",
        params: UserIdParams,
        querystring: UserAssetsQuery,
        response: { 200: UserAssetsResponse, 206: UserAssetsResponse, ...errorResponses },
      },
    }, async (req, reply) => partial(reply, await deps.services.assets.forUser(req.auth.enterpriseId, req.params.user_id.toLowerCase(), userAssetsRequest(req.query))));

    app.get('/users/:user_id/transactions', {
      schema: {
        tags,
        summary: 'User transactions',
        description: 'Newest first (timestamp, then pagination id, both descending); the time window is half-open [start_time, end_time). 206 when an account within the filters is in status error.',
        params: UserIdParams,
        querystring: UserTransactionsQuery,
        response: { 200: TransactionsPageResponse, 206: TransactionsPageResponse, ...errorResponses },
      },
    }, async (req, reply) => {
      const page = await deps.services.transactions.forUserJson(req.auth.enterpriseId, req.params.user_id.toLowerCase(), userTransactionsRequest(req.query));
      return sendJson(reply, listEnvelopeJson(req, USER_TRANSACTIONS_FILTERS, 'transactions', page, page.errors), page.errors);
    });

    app.delete('/users/:user_id', {
      schema: {
        tags,
        summary: 'Deactivate account',
        description:
          'Deactivated accounts may be deactivated by the end-user or the enterprise. Revokes consent and every token of the user, disconnects its accounts and destroys their stored credentials; history stays readable. Idempotent. With erase=true the user is purged and then answers 404.',
        params: UserIdParams,
        querystring: DeactivateQuery,
        response: { 200: DeactivateResponse, ...errorResponses },
      },
    }, async (req) => ({ data: await deps.services.userLifecycle.deactivate(req.auth.enterpriseId, req.params.user_id.toLowerCase(), { erase: req.query.erase === true }) }));
  };
}
