/**
 * The built Connect app (`connect/dist`, made by `npm run build`) and the headers every Connect
 * page carries: a strict Content-Security-Policy (own origin only, no inline script or style),
 * no framing, no referrer (launch and callback URLs carry codes and state), no caching of pages.
 */
import { existsSync, readFileSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyReply } from 'fastify';
import { ROOT_URL } from '../../lib/paths.js';

/** `connect/dist` of the installation, whether the server runs from src/, dist/ or its bundle. */
export const CONNECT_DIST = fileURLToPath(new URL('connect/dist/', ROOT_URL));

export const CONNECT_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
};

export function securityHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('Content-Security-Policy', CONNECT_CSP)
    .header('X-Frame-Options', 'DENY')
    .header('X-Content-Type-Options', 'nosniff')
    .header('Referrer-Policy', 'no-referrer');
}

/**
 * A file of the built app, or null when it does not exist (or the path tries to leave the folder).
 * Hashed assets are cached for a year; everything else is revalidated.
 */
export function builtFile(relative: string): { body: Buffer; type: string; immutable: boolean } | null {
  const path = normalize(join(CONNECT_DIST, relative));
  if (!path.startsWith(CONNECT_DIST.endsWith(sep) ? CONNECT_DIST : CONNECT_DIST + sep) || !existsSync(path)) return null;
  try {
    return { body: readFileSync(path), type: TYPES[extname(path)] ?? 'application/octet-stream', immutable: relative.startsWith('assets/') };
  } catch {
    return null; // a directory
  }
}

export function sendBuilt(reply: FastifyReply, relative: string): FastifyReply {
  const f = builtFile(relative);
  securityHeaders(reply);
  if (!f) {
    return reply.status(relative.endsWith('.html') ? 503 : 404).type('text/html; charset=utf-8').send(relative.endsWith('.html') ? page('Connect is not built', '<p>Build it with <code>npm run build</code>, then restart Tortie.</p>') : page('Not found', '<p>There is nothing here.</p>'));
  }
  return reply.header('Cache-Control', f.immutable ? 'public, max-age=31536000, immutable' : 'no-cache').type(f.type).send(f.body);
}

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A self-contained page (no script, styles from the built app when present) for errors. */
export function page(title: string, bodyHtml: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)} — Tortie Connect</title>
<link rel="stylesheet" href="/connect/error.css"></head>
<body><main class="card" role="main"><h1>${escapeHtml(title)}</h1>${bodyHtml}</main></body></html>`;
}

/**
 * The page shown when Connect cannot start (unknown client, unregistered redirect URI, bad
 * invitation…). It never redirects anywhere: the redirect URI is not trusted.
 */
export function errorPage(message: string): string {
  return page("Connect cannot start", `<p role="alert">${escapeHtml(message)}</p><p>Go back to the service that sent you here and try again, or contact them. You have not shared anything.</p>`);
}
