/**
 * Bearer-token authentication for route groups: registered as a preHandler on a plugin, it puts
 * the verified claims on `request.auth`. Tokens are read from the Authorization header only.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../domain/errors.js';
import type { AccessClaims, TokenKind, TokenService } from '../services/auth/token.service.js';

declare module 'fastify' {
  interface FastifyRequest {
    auth: AccessClaims;
  }
}

export function bearerAuth(tokens: TokenService, kind: TokenKind) {
  return async function authenticate(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
    const header = request.headers.authorization;
    const m = typeof header === 'string' ? /^Bearer\s+([A-Za-z0-9._~+/-]+=*)\s*$/i.exec(header) : null;
    if (!m) throw new AppError('unauthorized', 'Send an access token as "Authorization: Bearer <token>"; get one from POST /oauth/token');
    request.auth = await tokens.verify(m[1]!, kind);
  };
}
