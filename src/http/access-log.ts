/**
 * Records reads of one user's data in the access log (SPEC §6, issue #4 item 5): an `onSend` hook
 * on a route group, so the handlers stay one-liners, and the entry is committed before the answer
 * leaves (a client that reads the log right after sees its read). Only successful (200/206) GETs of
 * the routes named in `resources` count — one insert per request; lists over all users are not
 * named and record nothing.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AccessLogService, AccessResource, AccessSurface } from '../services/access-log.service.js';

/** Full route pattern (as registered, e.g. `/enterprise/v2/users/:user_id/assets`) → what it reads. */
export type ReadRoutes = Record<string, AccessResource>;

export function recordReads(log: AccessLogService, surface: AccessSurface, resources: ReadRoutes) {
  return async function onSend<P>(request: FastifyRequest, reply: FastifyReply, payload: P): Promise<P> {
    if (request.method !== 'GET' || (reply.statusCode !== 200 && reply.statusCode !== 206)) return payload;
    const resource = resources[request.routeOptions.url ?? ''];
    if (!resource || !request.auth) return payload;
    const params = request.params as { user_id?: string } | undefined;
    const userId = surface === 'platform' ? request.auth.sub : params?.user_id?.toLowerCase();
    if (!userId) return payload;
    try {
      await log.record({ enterpriseId: request.auth.enterpriseId, userId, clientId: request.auth.clientId, surface, resource });
    } catch (err) {
      // the read itself succeeded: a failed log write is reported, never hidden, and does not fail it
      request.log.error({ err }, 'access log write failed');
    }
    return payload;
  };
}
