/**
 * The `/oauth/*` error mapping (RFC 6749 §5.2): `{ error, error_description }` instead of the API's
 * ErrorItems. Malformed requests of any kind (missing or repeated parameters, an unsupported media
 * type, bad JSON) are `invalid_request`; `invalid_client` is 401 with `WWW-Authenticate: Basic`.
 * Request bodies here carry secrets: nothing from them is ever logged.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../domain/errors.js';
import { OAuthError, type OAuthErrorCode } from '../../domain/oauth-errors.js';
import { fieldOfValidation } from '../error-handler.js';

export function sendOAuthError(reply: FastifyReply, status: number, error: OAuthErrorCode, description: string): void {
  if (status === 401) void reply.header('WWW-Authenticate', 'Basic realm="tortie", charset="UTF-8"');
  void reply.status(status).send({ error, error_description: description });
}

export function handleOAuthError(err: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): void {
  if (err instanceof OAuthError) return sendOAuthError(reply, err.status, err.error, err.description);
  const fe = err as FastifyError & { validation?: { instancePath?: string; keyword?: string; params?: Record<string, unknown>; message?: string }[]; validationContext?: string };
  if (fe.validation?.length) {
    const first = fe.validation[0]!;
    const field = fieldOfValidation(first, fe.validationContext);
    // a repeated form parameter arrives as an array: RFC 6749 §3.1 forbids repeating one
    const what = first.keyword === 'required' ? 'is required' : first.keyword === 'type' ? 'must be given once, as a string' : (first.message ?? 'is invalid');
    return sendOAuthError(reply, 400, 'invalid_request', field === 'body' ? 'Send the parameters as application/x-www-form-urlencoded (or JSON)' : `"${field}" ${what}`);
  }
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || fe.statusCode === 413) {
    return sendOAuthError(reply, 413, 'invalid_request', 'The request body is too large');
  }
  if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || fe.statusCode === 415) {
    return sendOAuthError(reply, 400, 'invalid_request', 'Send the parameters as application/x-www-form-urlencoded (or JSON)');
  }
  if (fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError) {
    return sendOAuthError(reply, 400, 'invalid_request', 'The request body is not valid JSON');
  }
  if (err instanceof AppError && err.status === 503) return sendOAuthError(reply, 503, 'temporarily_unavailable', err.message);
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    return sendOAuthError(reply, 400, 'invalid_request', 'The request could not be understood');
  }
  // name and stack frames only: the message of an unexpected error (also the stack's first line)
  // could quote the request, and requests here carry secrets
  const frames = (err.stack ?? '').split('\n').slice(1).join('\n');
  request.log.error({ err: { name: err.name, frames } }, 'unhandled error on /oauth');
  sendOAuthError(reply, 500, 'server_error', `Internal error; quote request id ${request.id} when reporting it`);
}
