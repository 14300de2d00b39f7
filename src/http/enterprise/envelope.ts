/**
 * Response envelopes of the Enterprise API reads (SPEC §3): `{ page, data, errors }` for lists,
 * with `next_uri` repeating every filter of the request, and 206 for a user-scoped read that lists
 * failing accounts in `errors`.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorItem } from '../../domain/errors.js';
import type { Page } from '../../services/pagination.js';
import { nextUri } from '../query.js';
import { DEFAULT_LIMIT } from './request-filters.js';

export interface ListEnvelope<K extends string, T> {
  page: { next_uri: string | null; next_cursor: string | null };
  data: Record<K, T[]>;
  errors: ErrorItem[];
}

/** A GET list: `next_uri` is the host-relative path of the next page, null with `next_cursor` on the last page. */
export function listEnvelope<K extends string, T>(request: FastifyRequest, filters: readonly string[], key: K, page: Page<T>, errors: ErrorItem[] = []): ListEnvelope<K, T> {
  const query = (request.query ?? {}) as Record<string, unknown>;
  const kept: Record<string, string | undefined> = {};
  for (const f of filters) if (typeof query[f] === 'string') kept[f] = query[f];
  const limit = typeof query.limit === 'number' ? query.limit : DEFAULT_LIMIT;
  const path = request.url.split('?')[0] ?? request.url;
  return {
    page: { next_uri: page.nextCursor === null ? null : nextUri(path, kept, limit, page.nextCursor), next_cursor: page.nextCursor },
    data: { [key]: page.items } as Record<K, T[]>,
    errors,
  };
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
