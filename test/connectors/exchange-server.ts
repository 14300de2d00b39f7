/**
 * A local node:http stand-in for an exchange: answers the requests real ccxt code makes with the
 * recorded responses of ../shared/fixtures/ccxt (and the hand-written ones of
 * test/fixtures/exchange), matched by method and path; refuses a request signed with the key
 * `bad-key` the way the exchange documents; and injects faults (429 with Retry-After, 500,
 * truncated JSON, a hang) on demand.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FaultKind } from './contract.js';

const SHARED = new URL('../../../shared/fixtures/ccxt/', import.meta.url);
const LOCAL = new URL('../fixtures/exchange/', import.meta.url);

interface FixtureFile {
  methods: Record<string, { description?: string; input?: unknown[]; httpResponse: unknown }[]>;
}
const cache = new Map<string, FixtureFile>();
function load(url: URL): FixtureFile {
  const k = url.href;
  if (!cache.has(k)) cache.set(k, JSON.parse(readFileSync(url, 'utf8')) as FixtureFile);
  return cache.get(k)!;
}

/** The recorded `httpResponse` of ccxt's static test case `method[index]`. */
export function recorded(id: string, method: string, index = 0): unknown {
  const c = load(new URL(`response/${id}.json`, SHARED)).methods[method]?.[index];
  if (!c) throw new Error(`no recorded ${id}.${method}[${index}]`);
  return structuredClone(c.httpResponse);
}

/** A hand-written response (test/fixtures/exchange/<id>.json, same format), by method and description. */
export function handWritten(id: string, method: string, description?: string): unknown {
  const cases = load(new URL(`${id}.json`, LOCAL)).methods[method] ?? [];
  const c = description === undefined ? cases[0] : cases.find((x) => x.description === description);
  if (!c) throw new Error(`no hand-written ${id}.${method} ${description ?? ''}`);
  return structuredClone(c.httpResponse);
}

/** Markets and currencies of the recorded fixtures, for the exchange constructor. */
export function marketsOf(id: string): { markets: Record<string, unknown>; currencies: Record<string, unknown> } {
  return {
    markets: JSON.parse(readFileSync(new URL(`markets/${id}.json`, SHARED), 'utf8')) as Record<string, unknown>,
    currencies: JSON.parse(readFileSync(new URL(`currencies/${id}.json`, SHARED), 'utf8')) as Record<string, unknown>,
  };
}

export interface ServedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: string;
  headers: http.IncomingHttpHeaders;
}

export interface Route {
  method?: string;
  path: string | RegExp;
  /** The JSON body to answer (or `{ status, body }` for another status). */
  respond: (req: ServedRequest) => unknown;
}

/** A reply with a status other than 200. */
export class Reply {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {}
}

export interface ExchangeServer {
  url: string;
  requests: ServedRequest[];
  faults: { inject(kind: FaultKind): void; clear(): void };
  close(): Promise<void>;
}

export interface ExchangeServerOptions {
  routes: Route[];
  /** What the exchange answers a request signed with an unknown key (status and documented body). */
  authError: Reply;
}

export async function startExchangeServer(o: ExchangeServerOptions): Promise<ExchangeServer> {
  let fault: FaultKind | null = null;
  const hung = new Set<http.ServerResponse>();
  const requests: ServedRequest[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString('utf8')));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://local');
      const r: ServedRequest = { method: req.method ?? 'GET', path: u.pathname, query: u.searchParams, body, headers: req.headers };
      requests.push(r);
      const send = (status: number, text: string, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(text);
      };
      if (fault === 'timeout') {
        hung.add(res);
        return;
      }
      if (fault === 'rate_limited') return send(429, 'Too Many Requests', { 'retry-after': '7', 'content-type': 'text/plain' });
      if (fault === 'server_error') return send(500, 'Internal Server Error', { 'content-type': 'text/plain' });
      if (fault === 'malformed_json') return send(200, '{"data":[{"currency":"BTC","balance":"1.0');
      const signedWith = JSON.stringify(req.headers) + u.search + body;
      if (signedWith.includes('bad-key')) return send(o.authError.status, JSON.stringify(o.authError.body));
      const route = o.routes.find((x) => (!x.method || x.method === r.method) && (typeof x.path === 'string' ? x.path === r.path : x.path.test(r.path)));
      if (!route) return send(404, JSON.stringify({ error: `no fixture for ${r.method} ${r.path}` }));
      const out = route.respond(r);
      if (out instanceof Reply) return send(out.status, JSON.stringify(out.body), out.headers);
      return send(200, typeof out === 'string' ? out : JSON.stringify(out));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const release = () => {
    for (const res of hung) res.destroy();
    hung.clear();
  };
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    faults: {
      inject: (kind) => (fault = kind),
      clear: () => {
        fault = null;
        release();
      },
    },
    close: () =>
      new Promise<void>((resolve) => {
        release();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
