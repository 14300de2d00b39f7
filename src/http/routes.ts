/**
 * Registers every route group. Each group is an encapsulated plugin; the Enterprise API group
 * carries the enterprise-token preHandler, so no route inside it can be reached without one.
 */
import type { FastifyInstance } from 'fastify';
import type { Container } from '../container.js';
import { bearerAuth } from './auth.js';

export async function registerRoutes(app: FastifyInstance, deps: Container): Promise<void> {
  await app.register(async (enterprise) => {
    enterprise.addHook('onRequest', bearerAuth(deps.tokens, 'enterprise'));
  }, { prefix: '/enterprise/v2' });
}
