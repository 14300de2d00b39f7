/**
 * Connect (SPEC §7) at `/connect`: the launch, the JSON API the Connect app calls, and the built
 * app's files. Registered as its own plugin; hidden from the OpenAPI document (it is a web app, not
 * an API for integrators — they use the launch URL and `connect.js`).
 *
 * - `GET /connect?client_id&redirect_uri&code_challenge&code_challenge_method&state[&scope]` or
 *   `?invite=…`: validates, starts a session (cookie `tortie_connect`: HttpOnly, SameSite=Strict,
 *   path /connect) and sends the browser to `/connect/app`. Invalid parameters get an error page,
 *   never a redirect.
 * - `/connect/api/*`: every POST and DELETE needs the session's CSRF token in `X-CSRF-Token`
 *   (403 without it); errors are `{ errors: [ErrorItem] }` whose messages are written for people.
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { Container } from '../../container.js';
import { AppError } from '../../domain/errors.js';
import { errorPage, securityHeaders, sendBuilt } from './connect-static.js';

export const SESSION_COOKIE = 'tortie_connect';
const hide = true;

const LaunchQuery = Type.Object({
  client_id: Type.Optional(Type.String()),
  redirect_uri: Type.Optional(Type.String()),
  code_challenge: Type.Optional(Type.String()),
  code_challenge_method: Type.Optional(Type.String()),
  state: Type.Optional(Type.String()),
  scope: Type.Optional(Type.String()),
  invite: Type.Optional(Type.String()),
});

const SourceBody = Type.Object(
  {
    provider_id: Type.String({ maxLength: 100 }),
    display_label: Type.Optional(Type.String({ maxLength: 200 })),
    connection: Type.Object(
      {
        type: Type.String({ maxLength: 20 }),
        api_key: Type.Optional(Type.String({ maxLength: 1000 })),
        secret_key: Type.Optional(Type.String({ maxLength: 4000 })),
        passphrase: Type.Optional(Type.String({ maxLength: 1000 })),
        address: Type.Optional(Type.String({ maxLength: 10_000 })),
        xpub: Type.Optional(Type.String({ maxLength: 200 })),
        format: Type.Optional(Type.String({ maxLength: 40 })),
        content: Type.Optional(Type.String({ maxLength: 12_000_000 })),
        seed: Type.Optional(Type.String({ maxLength: 200 })),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

function sessionToken(request: FastifyRequest): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === SESSION_COOKIE) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

export function connectRoutes(deps: Container): FastifyPluginAsync {
  const secure = deps.config.baseUrl.startsWith('https:');
  const cookie = (token: string) => `${SESSION_COOKIE}=${token}; Path=/connect; HttpOnly; SameSite=Strict; Max-Age=3600${secure ? '; Secure' : ''}`;

  return async (plugin) => {
    const app = plugin.withTypeProvider<TypeBoxTypeProvider>();
    const svc = deps.services.connect;

    app.get('/connect', { schema: { hide, querystring: LaunchQuery } }, async (request, reply) => {
      const q = request.query;
      securityHeaders(reply).header('Cache-Control', 'no-store');
      try {
        const rest = { code_challenge: q.code_challenge, code_challenge_method: q.code_challenge_method, state: q.state, scope: q.scope };
        const token = q.invite !== undefined ? await svc.launchInvite(q.invite, rest) : await svc.launch({ ...rest, client_id: q.client_id ?? '', redirect_uri: q.redirect_uri ?? '' });
        return reply.header('Set-Cookie', cookie(token)).redirect('/connect/app', 303);
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        return reply.status(400).type('text/html; charset=utf-8').send(errorPage(e.message));
      }
    });

    app.get('/connect/app', { schema: { hide } }, async (_request, reply) => sendBuilt(reply.header('Cache-Control', 'no-store'), 'index.html'));
    // the demo enterprise's launch page and registered redirect page (one page, two addresses)
    app.get('/connect/demo', { schema: { hide } }, async (_request, reply) => sendBuilt(reply.header('Cache-Control', 'no-store'), 'demo.html'));
    app.get('/connect/demo-callback', { schema: { hide } }, async (_request, reply) => sendBuilt(reply.header('Cache-Control', 'no-store'), 'demo.html'));
    app.get('/connect/connect.js', { schema: { hide } }, async (_request, reply) => sendBuilt(reply.header('Access-Control-Allow-Origin', '*').header('Cross-Origin-Resource-Policy', 'cross-origin'), 'connect.js'));
    app.get('/connect/error.css', { schema: { hide } }, async (_request, reply) => sendBuilt(reply, 'error.css'));
    app.get('/connect/assets/*', { schema: { hide } }, async (request, reply) => sendBuilt(reply, `assets/${(request.params as { '*': string })['*']}`));

    await app.register(async (api) => {
      const r = api.withTypeProvider<TypeBoxTypeProvider>();
      r.addHook('onRequest', async (request, reply) => {
        void securityHeaders(reply).header('Cache-Control', 'no-store');
        if (request.method !== 'GET' && request.method !== 'HEAD') svc.checkCsrf(sessionToken(request), headerOf(request, 'x-csrf-token'));
      });
      r.get('/session', { schema: { hide } }, async (request) => ({ data: await svc.view(sessionToken(request)) }));
      r.post('/email', { schema: { hide, body: Type.Object({ email: Type.String({ maxLength: 320 }) }, { additionalProperties: false }) } }, async (request) => ({ data: await svc.sendCode(sessionToken(request), request.body.email) }));
      r.post('/verify', { schema: { hide, body: Type.Object({ code: Type.String({ maxLength: 20 }) }, { additionalProperties: false }) } }, async (request) => ({ data: await svc.verifyCode(sessionToken(request), request.body.code) }));
      r.post('/name', { schema: { hide, body: Type.Object({ full_name: Type.String({ maxLength: 400 }) }, { additionalProperties: false }) } }, async (request) => ({ data: await svc.setName(sessionToken(request), request.body.full_name) }));
      r.get('/providers', { schema: { hide } }, async (request) => ({ data: { providers: await svc.providers(sessionToken(request)) } }));
      r.post('/sources', { bodyLimit: 16 * 1024 * 1024, schema: { hide, body: SourceBody } }, async (request) => ({ data: await svc.addSource(sessionToken(request), request.body) }));
      r.delete('/sources/:id', { schema: { hide, params: Type.Object({ id: Type.String({ maxLength: 64 }) }) } }, async (request) => ({ data: await svc.removeSource(sessionToken(request), request.params.id) }));
      r.post('/consent', { schema: { hide } }, async (request) => ({ data: await svc.consent(sessionToken(request)) }));
      r.post('/deny', { schema: { hide } }, async (request) => ({ data: await svc.deny(sessionToken(request)) }));
    }, { prefix: '/connect/api' });
  };
}

function headerOf(request: FastifyRequest, name: string): string | undefined {
  const v = request.headers[name];
  return typeof v === 'string' ? v : undefined;
}

