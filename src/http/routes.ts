/**
 * Registers every route group. Each group is an encapsulated plugin; the Enterprise API group
 * carries the enterprise-token preHandler, so no route inside it can be reached without one.
 */
import type { FastifyInstance } from 'fastify';
import type { Container } from '../container.js';
import { bearerAuth } from './auth.js';
import { usersRoutes } from './enterprise/users.routes.js';
import { accountsRoutes } from './enterprise/accounts.routes.js';
import { transactionsRoutes } from './enterprise/transactions.routes.js';
import { statsRoutes } from './enterprise/stats.routes.js';
import { providersRoutes } from './enterprise/providers.routes.js';
import { invitationsRoutes } from './enterprise/invitations.routes.js';
import { registerOpenApi } from './openapi.js';
import { registerMetrics, registerSyncMetrics } from './metrics.js';
import { operationsRoutes } from './operations/operations.routes.js';
import { oauthRoutes } from './oauth/oauth.routes.js';
import { wellKnownRoutes } from './oauth/well-known.routes.js';
import { connectRoutes } from './connect/connect.routes.js';

export async function registerRoutes(app: FastifyInstance, deps: Container): Promise<void> {
  // first: the OpenAPI generator must see every route, and the metrics hook must count every route
  await registerOpenApi(app);
  registerSyncMetrics(registerMetrics(app), { countJobsByState: () => deps.repos.sync.countJobsByState(), providerStatuses: () => deps.repos.providers.statuses() });
  await app.register(operationsRoutes(deps));
  await app.register(oauthRoutes(deps), { prefix: '/oauth' });
  await app.register(wellKnownRoutes(deps), { prefix: '/.well-known' });
  await app.register(connectRoutes(deps));
  await app.register(async (enterprise) => {
    enterprise.addHook('onRequest', bearerAuth(deps.tokens, 'enterprise'));
    await enterprise.register(usersRoutes(deps));
    await enterprise.register(accountsRoutes(deps));
    await enterprise.register(transactionsRoutes(deps));
    await enterprise.register(statsRoutes(deps));
    await enterprise.register(providersRoutes(deps));
    await enterprise.register(invitationsRoutes(deps));
  }, { prefix: '/enterprise/v2' });
}
