/**
 * Logger options for the HTTP server: JSON lines (pino) carrying the `request_id` label, with
 * secrets kept out. Fastify's request serializer logs method and URL only (no headers, no bodies);
 * on top of that, credential headers are redacted wherever they appear, and the values of
 * credential-like query parameters are masked — `/oauth/*` bodies, which carry client secrets and
 * tokens, are never logged at all.
 */
import type { FastifyRequest, FastifyServerOptions } from 'fastify';

export const REDACTED = '[redacted]';

/** pino redaction paths: credentials wherever a header object is logged. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["proxy-authorization"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'authorization',
  'client_secret',
  'access_token',
  'refresh_token',
];

const SECRET_PARAM = /^(client_secret|access_token|refresh_token|token|code|code_verifier|password|api_key|secret_key|passphrase|invite)$/i;

/** The URL with the values of credential-like query parameters masked. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const masked = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name);
      } catch {
        // an undecodable name is kept as sent
      }
      return eq >= 0 && SECRET_PARAM.test(decoded) ? `${name}=${REDACTED}` : pair;
    })
    .join('&');
  return `${url.slice(0, q)}?${masked}`;
}

function serializeRequest(req: FastifyRequest): Record<string, unknown> {
  return {
    method: req.method,
    url: redactUrl(req.url),
    host: req.host,
    remoteAddress: req.ip,
  };
}

/** Options for `buildApp({ logger })`: level, redaction, and where the JSON lines go. */
export function loggerOptions(level: string, stream?: { write(line: string): void }): NonNullable<FastifyServerOptions['logger']> {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: REDACTED },
    serializers: { req: serializeRequest },
    ...(stream ? { stream } : {}),
  } as NonNullable<FastifyServerOptions['logger']>;
}
