/** Enterprise API — Accounts list (SPEC §5.7). Registered inside the enterprise group (bearer auth). */
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Container } from '../../container.js';
import { errorResponses } from '../schemas/common.js';
import { AccountsListQuery, AccountsPageResponse } from '../schemas/enterprise.js';
import { listEnvelope } from './envelope.js';
import { ACCOUNTS_LIST_FILTERS, accountsListRequest } from './request-filters.js';

export function accountsRoutes(deps: Container): FastifyPluginAsync {
  return async (plugin) => {
    const app = plugin.withTypeProvider<TypeBoxTypeProvider>();
    app.get('/accounts/all', {
      schema: {
        tags: ['Accounts'],
        summary: 'Accounts list',
        description: "Every account of the enterprise's users (deactivated users' included), in pagination-id order, with its total value at current prices in the enterprise's base currency.",
        querystring: AccountsListQuery,
        response: { 200: AccountsPageResponse, ...errorResponses },
      },
    }, async (req) => listEnvelope(req, ACCOUNTS_LIST_FILTERS, 'accounts', await deps.services.accounts.list(req.auth.enterpriseId, accountsListRequest(req.query))));
  };
}
