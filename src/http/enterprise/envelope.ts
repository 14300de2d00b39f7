/**
 * Response envelopes of the Enterprise API reads (SPEC §3): `{ page, data, errors }` for lists,
 * with `next_uri` repeating every filter of the request, and 206 for a user-scoped read that lists
 * failing accounts in `errors`.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorItem } from '../../domain/errors.js';
import type { Page } from '../../services/pagination.js';
import { asJsonText, jsonString, jsonStringOrNull, type JsonText } from '../../lib/json-text.js';
import { nextUri } from '../query.js';
import { DEFAULT_LIMIT } from './request-filters.js';

export interface ListEnvelope<K extends string, T> {
  page: { next_uri: string | null; next_cursor: string | null };
  data: Record<K, T[]>;
  errors: ErrorItem[];
}

/** A GET list: `next_uri` is the host-relative path of the next page, null with `next_cursor` on the last page. */
export function listEnvelope<K extends string, T>(request: FastifyRequest, filters: readonly string[], key: K, page: Page<T>, errors: ErrorItem[] = []): ListEnvelope<K, T> {
  return { page: pageLinks(request, filters, page), data: { [key]: page.items } as Record<K, T[]>, errors };
}

/**
 * As `listEnvelope`, written as JSON text around items that already are JSON text (a hot list
 * rendered by hand, e.g. `transactionJson`): byte for byte what the response schema writes for
 * `listEnvelope` of the same items as objects. Send it with `sendJson`.
 */
export function listEnvelopeJson(request: FastifyRequest, filters: readonly string[], key: string, page: Page<JsonText>, errors: readonly ErrorItem[] = []): JsonText {
  const links = pageLinks(request, filters, page);
  return asJsonText(
    `{"page":{"next_uri":${jsonStringOrNull(links.next_uri)},"next_cursor":${jsonStringOrNull(links.next_cursor)}},"data":{${jsonString(key)}:[${page.items.join(',')}]},"errors":${errorItemsJson(errors)}}`,
  );
}

/** Sends JSON text as it is (Fastify serializes only objects), with the status of `partial` when `errors` is given. */
export function sendJson(reply: FastifyReply, body: JsonText | Buffer, errors: readonly ErrorItem[] = []): FastifyReply {
  return reply
    .status(errors.length ? 206 : 200)
    .type('application/json; charset=utf-8')
    .send(body);
}

function pageLinks(request: FastifyRequest, filters: readonly string[], page: Page<unknown>): ListEnvelope<string, unknown>['page'] {
  const query = (request.query ?? {}) as Record<string, unknown>;
  const kept: Record<string, string | undefined> = {};
  for (const f of filters) if (typeof query[f] === 'string') kept[f] = query[f];
  const limit = typeof query.limit === 'number' ? query.limit : DEFAULT_LIMIT;
  const path = request.url.split('?')[0] ?? request.url;
  return { next_uri: page.nextCursor === null ? null : nextUri(path, kept, limit, page.nextCursor), next_cursor: page.nextCursor };
}

/** ErrorItems in ErrorItemSchema's field order; absent optional fields are left out, as the schema does. */
function errorItemsJson(errors: readonly ErrorItem[]): string {
  const one = (e: ErrorItem): string =>
    `{"cause":${jsonString(e.cause)},"message":${jsonString(e.message)}` +
    (e.provider_id === undefined ? '' : `,"provider_id":${jsonString(e.provider_id)}`) +
    (e.account_id === undefined ? '' : `,"account_id":${jsonString(e.account_id)}`) +
    (e.field === undefined ? '' : `,"field":${jsonString(e.field)}`) +
    '}';
  return `[${errors.map(one).join(',')}]`;
}

/** A POST search: the client posts `next_cursor` back, so `next_uri` is always null. */
export function searchEnvelope<K extends string, T>(key: K, page: Page<T>): ListEnvelope<K, T> {
  return { page: { next_uri: null, next_cursor: page.nextCursor }, data: { [key]: page.items } as Record<K, T[]>, errors: [] };
}

/** 206 Partial Content when the result names failing accounts, 200 otherwise. */
export function partial<R extends { errors: readonly ErrorItem[] }>(reply: FastifyReply, result: R): R {
  void reply.status(result.errors.length ? 206 : 200);
  return result;
}
