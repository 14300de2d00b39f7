/**
 * The one mapping from failures to HTTP responses (SPEC §3): AppError → its status and ErrorItems;
 * Fastify validation errors → 400 naming the field; body/media errors → 413/415; anything else →
 * 500 with the request id, logged once, never a stack trace or a secret.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, type ErrorItem } from '../domain/errors.js';

interface AjvErrorLike {
  instancePath?: string;
  keyword?: string;
  params?: Record<string, unknown>;
  message?: string;
}

/** Name of the input a validation error is about: `limit`, `provider_ids`, `body`… */
export function fieldOfValidation(err: AjvErrorLike, context: string | undefined): string {
  const path = (err.instancePath ?? '').replace(/^\//, '').split('/').filter(Boolean);
  const extra = (err.params?.additionalProperty ?? err.params?.missingProperty) as string | undefined;
  if (extra) path.push(extra);
  // arrays: `user_ids/3` → `user_ids`
  const name = path.filter((p) => !/^\d+$/.test(p)).join('.');
  return name || (context === 'body' ? 'body' : context ?? 'request');
}

function messageOf(err: AjvErrorLike, field: string): string {
  switch (err.keyword) {
    case 'additionalProperties':
      return `Unknown field "${field}"`;
    case 'required':
      return `"${field}" is required`;
    case 'minimum':
    case 'maximum':
    case 'type':
    case 'format':
    case 'pattern':
    case 'enum':
    case 'minLength':
    case 'maxLength':
    case 'minItems':
    case 'maxItems':
    case 'const':
    case 'anyOf':
      return `"${field}" ${err.message ?? 'is invalid'}`;
    default:
      return `"${field}" is invalid${err.message ? `: ${err.message}` : ''}`;
  }
}

export function errorBody(items: ErrorItem[]): { errors: ErrorItem[] } {
  return { errors: items };
}

export function handleError(error: FastifyError | AppError | Error, request: FastifyRequest, reply: FastifyReply): void {
  if (error instanceof AppError) {
    if (error.retryAfterSeconds !== undefined) reply.header('Retry-After', String(error.retryAfterSeconds));
    if (error.status === 401) reply.header('WWW-Authenticate', 'Bearer realm="tortie"');
    void reply.status(error.status).send(errorBody(error.items));
    return;
  }
  const fe = error as FastifyError & { validation?: AjvErrorLike[]; validationContext?: string };
  if (fe.validation && fe.validation.length) {
    const first = fe.validation[0]!;
    const field = fieldOfValidation(first, fe.validationContext);
    void reply.status(400).send(errorBody([{ cause: 'bad_request', message: messageOf(first, field), field }]));
    return;
  }
  const code = fe.code;
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE' || fe.statusCode === 413) {
    void reply.status(413).send(errorBody([{ cause: 'payload_too_large', message: 'The request body is too large', field: 'body' }]));
    return;
  }
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || fe.statusCode === 415) {
    void reply.status(415).send(errorBody([{ cause: 'unsupported_media_type', message: 'Send the body as application/json', field: 'body' }]));
    return;
  }
  if (code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError || (fe.statusCode === 400 && /JSON/i.test(fe.message))) {
    void reply.status(400).send(errorBody([{ cause: 'bad_request', message: 'The request body is not valid JSON', field: 'body' }]));
    return;
  }
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    void reply.status(fe.statusCode).send(errorBody([{ cause: 'bad_request', message: 'The request could not be understood' }]));
    return;
  }
  request.log.error({ err: { message: error.message, name: error.name, stack: error.stack } }, 'unhandled error');
  void reply.status(500).send(errorBody([{ cause: 'internal_error', message: `Internal error; quote request id ${request.id} when reporting it` }]));
}
