/**
 * Prometheus metrics of one app (SPEC §11): requests by route and status, and their latency. Each
 * app owns its Registry (never prom-client's global one), so several apps in one process — tests,
 * or a worker beside the server — do not clash. Other parts add their gauges to `app.metrics`.
 */
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { PROVIDERS, PROVIDER_STATUSES } from '../domain/providers.js';

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

/** What the sync gauges read, at scrape time. */
export interface SyncMetricsSource {
  countJobsByState(): Promise<Record<string, number>>;
  providerStatuses(): Promise<Map<string, string>>;
}

export const SYNC_JOB_STATES = ['queued', 'running', 'succeeded', 'failed'] as const;

/** Sync jobs by state and each provider's circuit-breaker status (1 for its current status). */
export function registerSyncMetrics(registry: Registry, source: SyncMetricsSource): void {
  new Gauge({
    name: 'tortie_sync_jobs',
    help: 'Sync jobs in the queue, by state',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      const counts = await source.countJobsByState();
      for (const state of SYNC_JOB_STATES) this.set({ state }, counts[state] ?? 0);
    },
  });
  new Gauge({
    name: 'tortie_provider_status',
    help: "Each provider's status as its circuit breaker sees it: 1 for the current status, 0 for the others",
    labelNames: ['provider_id', 'status'],
    registers: [registry],
    async collect() {
      const statuses = await source.providerStatuses();
      for (const p of PROVIDERS) {
        const current = statuses.get(p.provider_id) ?? 'operational';
        for (const status of PROVIDER_STATUSES) this.set({ provider_id: p.provider_id, status }, status === current ? 1 : 0);
      }
    },
  });
}

declare module 'fastify' {
  interface FastifyInstance {
    /** This app's Prometheus registry (served at /metrics). */
    metrics: Registry;
  }
}
