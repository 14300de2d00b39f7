/**
 * Prometheus metrics of one app (SPEC §11): requests by route and status, and their latency. Each
 * app owns its Registry (never prom-client's global one), so several apps in one process — tests,
 * or a worker beside the server — do not clash. Other parts add their gauges to `app.metrics`.
 */
import type { FastifyInstance } from 'fastify';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Label for requests that matched no route: keeps label cardinality bounded whatever URLs arrive. */
export const UNMATCHED_ROUTE = 'unmatched';

/** Registers the request hooks on the root instance (so every route group is counted). */
export function registerMetrics(app: FastifyInstance): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const labelNames = ['method', 'route', 'status_code'] as const;
  const requests = new Counter({ name: 'http_requests_total', help: 'HTTP requests answered, by route template and status', labelNames, registers: [registry] });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from request received to response sent, by route template and status',
    labelNames,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  app.decorate('metrics', registry);
  app.addHook('onResponse', async (request, reply) => {
    const labels = { method: request.method, route: request.routeOptions.url ?? UNMATCHED_ROUTE, status_code: String(reply.statusCode) };
    requests.inc(labels);
    duration.observe(labels, reply.elapsedTime / 1000);
  });
  return registry;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** This app's Prometheus registry (served at /metrics). */
    metrics: Registry;
  }
}
