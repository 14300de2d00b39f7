/**
 * Operations endpoints (SPEC §11), unauthenticated: `/healthz` (the process answers), `/readyz`
 * (the database answers and no migration is pending), `/metrics` (Prometheus text) and
 * `/openapi.json`.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { Container } from '../../container.js';
import { AppError } from '../../domain/errors.js';
import { ErrorResponseSchema } from '../schemas/common.js';

/** How long /readyz waits for the database before calling it unreachable. */
export const READINESS_TIMEOUT_MS = 2_000;

const StatusSchema = Type.Object({ status: Type.String() });

export function operationsRoutes(deps: Container): FastifyPluginAsync {
  return async (plugin) => {
    const app = plugin.withTypeProvider<TypeBoxTypeProvider>();

    app.get('/healthz', {
      schema: { tags: ['Operations'], summary: 'The process is up', response: { 200: StatusSchema } },
    }, async () => ({ status: 'ok' }));

    app.get('/readyz', {
      schema: {
        tags: ['Operations'],
        summary: 'Ready to serve: the database answers and its migrations are current',
        response: { 200: StatusSchema, 503: ErrorResponseSchema },
      },
    }, async (request) => {
      const pending = await withTimeout(deps.dbh.pendingMigrations(), READINESS_TIMEOUT_MS).catch((e: unknown) => {
        request.log.warn({ err: { message: (e as Error).message } }, 'readiness: database check failed');
        throw new AppError('service_unavailable', 'The database does not answer');
      });
      if (pending.length) throw new AppError('service_unavailable', `Migrations are pending (${pending.join(', ')}); run \`tortie migrate\``);
      return { status: 'ready' };
    });

    app.get('/metrics', {
      schema: {
        tags: ['Operations'],
        summary: 'Prometheus metrics',
        produces: ['text/plain'],
        response: { 200: Type.String({ description: 'Prometheus text exposition format' }) },
      },
    }, async (_request, reply) => {
      const text = await app.metrics.metrics();
      return reply.type(app.metrics.contentType).send(text);
    });

    app.get('/openapi.json', {
      // the document does not describe itself
      schema: { hide: true, response: { 200: Type.Unknown() } },
    }, async () => app.swagger());
  };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
