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
import { recordReads } from './access-log.js';
import { platformUserRoutes } from './platform/user.routes.js';
import { platformProvidersRoutes } from './platform/providers.routes.js';
import { platformDataRoutes } from './platform/data.routes.js';
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
    // reads of one user's data go to that user's access log (lists over all users do not)
    enterprise.addHook(
      'onSend',
      recordReads(deps.services.accessLog, 'enterprise', {
        '/enterprise/v2/users/:user_id': 'user',
        '/enterprise/v2/users/:user_id/assets': 'assets',
        '/enterprise/v2/users/:user_id/transactions': 'transactions',
      }),
    );
    await enterprise.register(usersRoutes(deps));
    await enterprise.register(accountsRoutes(deps));
    await enterprise.register(transactionsRoutes(deps));
    await enterprise.register(statsRoutes(deps));
    await enterprise.register(providersRoutes(deps));
    await enterprise.register(invitationsRoutes(deps));
  }, { prefix: '/enterprise/v2' });
  // the Platform API: user tokens only, for an active user; JSON bodies only
  await app.register(async (platform) => {
    platform.addHook('onRequest', bearerAuth(deps.tokens, 'platform'));
    platform.addHook('onRequest', async (request) => deps.services.platformUser.assertActive(request.auth.enterpriseId, request.auth.sub));
    platform.addHook(
      'onSend',
      recordReads(deps.services.accessLog, 'platform', {
        '/platform/v2/user': 'user',
        '/platform/v2/providers': 'accounts',
        '/platform/v2/assets': 'assets',
        '/platform/v2/transactions': 'transactions',
      }),
    );
    platform.removeContentTypeParser(['application/x-www-form-urlencoded', 'text/plain']);
    await platform.register(platformUserRoutes(deps));
    await platform.register(platformProvidersRoutes(deps));
    await platform.register(platformDataRoutes(deps));
  }, { prefix: '/platform/v2' });
}
