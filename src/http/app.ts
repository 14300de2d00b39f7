/**
 * buildApp(deps): the Fastify application with every route group registered. It never listens;
 * `main.ts` does, and tests use `app.inject()`.
 */
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import formbody from '@fastify/formbody';
import { randomUUID } from 'node:crypto';
import type { Container } from '../container.js';
import { AppError } from '../domain/errors.js';
import { errorBody, handleError } from './error-handler.js';
import { parseQueryString } from './query.js';
import { registerRoutes } from './routes.js';
import { schemaControllerOptions, type SchemaCompilation } from './schema-compilers.js';

export interface BuildAppOptions {
  /** Pino logger options or false; tests pass false or a stream. */
  logger?: FastifyServerOptions['logger'];
  /** When route schemas compile: on first use (default, a fast start), or all while building. */
  schemas?: SchemaCompilation;
}

const REQUEST_ID_RE = /^[A-Za-z0-9._:-]{1,128}$/;

export async function buildApp(deps: Container, options: BuildAppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: deps.config.bodyLimit,
    routerOptions: { querystringParser: parseQueryString },
    genReqId: (req) => {
      const h = req.headers['x-request-id'];
      return typeof h === 'string' && REQUEST_ID_RE.test(h) ? h : randomUUID();
    },
    logController: new LogController({ requestIdLogLabel: 'request_id' }),
    // query strings and path params are coerced from text; JSON bodies are validated strictly
    schemaController: schemaControllerOptions(options.schemas ?? 'lazy'),
  });

  app.addHook('onRequest', async (request, reply) => {
    void reply.header('X-Request-Id', request.id);
  });

  const known: { re: RegExp; methods: string[] }[] = [];
  app.addHook('onRoute', (route) => {
    const pattern = '^' + route.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z_]+/g, '[^/]+') + '/?$';
    const methods = (Array.isArray(route.method) ? route.method : [route.method]).filter((m) => m !== 'HEAD');
    const hit = known.find((k) => k.re.source === pattern);
    if (hit) hit.methods.push(...methods);
    else known.push({ re: new RegExp(pattern), methods: [...methods] });
  });
  app.decorate('knownMethods', (path: string) => known.filter((k) => k.re.test(path)).flatMap((k) => k.methods));

  await app.register(formbody);
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) => {
    const methods = app.knownMethods(request.url.split('?')[0] ?? '/');
    if (methods.length) {
      void reply
        .header('Allow', methods.join(', '))
        .status(405)
        .send(errorBody([{ cause: 'bad_request', message: `${request.method} is not allowed here; use ${methods.join(' or ')}` }]));
      return;
    }
    void reply.status(404).send(errorBody(new AppError('not_found', `No route ${request.method} ${request.url.split('?')[0]}`).items));
  });

  await registerRoutes(app, deps);
  return app;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Methods registered for a path (for 405 answers). */
    knownMethods(path: string): string[];
  }
}
