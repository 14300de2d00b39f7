/**
 * A local node:http server for the chain connector tests (EVM, Bitcoin, Solana): answers through a
 * handler (recorded responses, or a proxy to a real local node) and injects the contract suite's
 * faults on demand — 429 with Retry-After, 500, a truncated JSON body, a hang.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FaultKind } from './contract.js';

export interface ChainRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: string;
}

export interface ChainReply {
  status?: number;
  /** Serialized as JSON unless `text` is given. */
  json?: unknown;
  text?: string;
  headers?: Record<string, string>;
}

export interface ChainServer {
  url: string;
  requests: ChainRequest[];
  faults: { inject(kind: FaultKind): void; clear(): void };
  close(): Promise<void>;
}

/** Starts a server on a free local port; every request goes through `handler` unless a fault is set. */
export async function startChainServer(handler: (req: ChainRequest) => ChainReply | Promise<ChainReply>): Promise<ChainServer> {
  let fault: FaultKind | null = null;
  const requests: ChainRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://local');
      const r: ChainRequest = { method: req.method ?? 'GET', path: u.pathname, query: u.searchParams, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(r);
      if (fault === 'timeout') return; // hang: never answer
      if (fault === 'rate_limited') {
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '2' });
        return res.end('{"error":"Too Many Requests"}');
      }
      if (fault === 'server_error') {
        res.writeHead(500, { 'content-type': 'text/plain' });
        return res.end('Internal Server Error');
      }
      if (fault === 'malformed_json') {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end('{"jsonrpc":"2.0","id":1,"result":{"chain_stats":{"funded_txo_sum":12');
      }
      Promise.resolve()
        .then(() => handler(r))
        .then((reply) => {
          const body = reply.text ?? JSON.stringify(reply.json ?? null);
          res.writeHead(reply.status ?? 200, { 'content-type': reply.text !== undefined ? 'text/plain' : 'application/json', ...reply.headers });
          res.end(body);
        })
        .catch((e: unknown) => {
          res.writeHead(599, { 'content-type': 'text/plain' });
          res.end(String(e));
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    faults: {
      inject: (k) => {
        fault = k;
      },
      clear: () => {
        fault = null;
      },
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
