/**
 * Platform API — the user (SPEC §6): their record and consent, revoking consent, and who read
 * their data. Registered inside the platform group (user-token auth).
 */
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Container } from '../../container.js';
import { errorResponses } from '../schemas/common.js';
import { DeactivateResponse } from '../schemas/enterprise.js';
import { AccessLogQuery, AccessLogResponse, PlatformUserResponse } from '../schemas/platform.js';
import { listEnvelope } from '../enterprise/envelope.js';
import { DEFAULT_LIMIT } from '../enterprise/request-filters.js';

const tags = ['Platform: user'];

export function platformUserRoutes(deps: Container): FastifyPluginAsync {
  return async (plugin) => {
    const app = plugin.withTypeProvider<TypeBoxTypeProvider>();

    app.get('/user', {
      schema: { tags, summary: 'The user', description: 'The user of the token and their consent.', response: { 200: PlatformUserResponse, ...errorResponses } },
    }, async (req) => ({ data: await deps.services.platformUser.get(req.auth.enterpriseId, req.auth.sub) }));

    app.delete('/user', {
      schema: {
        tags,
        summary: 'Revoke consent',
        description:
          'The user withdraws their consent: as Deactivate account on the Enterprise API — every token of the user (this one included) stops working at once, syncs stop, stored credentials are destroyed; the enterprise keeps the history it already has.',
        response: { 200: DeactivateResponse, ...errorResponses },
      },
    }, async (req) => ({ data: await deps.services.userLifecycle.deactivate(req.auth.enterpriseId, req.auth.sub) }));

    app.get('/user/access-log', {
      schema: {
        tags,
        summary: "Who read the user's data",
        description: "Every read of the user's data by a client (the enterprise's backend or an app acting for the user), newest first.",
        querystring: AccessLogQuery,
        response: { 200: AccessLogResponse, ...errorResponses },
      },
    }, async (req) => listEnvelope(req, [], 'entries', await deps.services.accessLog.list(req.auth.enterpriseId, req.auth.sub, { limit: req.query.limit ?? DEFAULT_LIMIT, cursor: req.query.cursor })));
  };
}
