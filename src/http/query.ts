/**
 * Query-string conventions (SPEC §3): repeated parameters are joined with commas, empty values
 * mean absent, multi-value filters are comma-separated with at most 100 values.
 */
import { AppError } from '../domain/errors.js';
import { isUuid } from '../lib/ids.js';

/** Fastify querystring parser: `a=1&a=2` → `{ a: "1,2" }`; `a=` → absent. */
export function parseQueryString(qs: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(qs)) {
    if (v === '') continue;
    out[k] = k in out ? `${out[k]},${v}` : v;
  }
  return out;
}

export const MAX_FILTER_VALUES = 100;

/** Splits a comma-separated filter; undefined/empty → undefined. */
export function listParam(value: string | undefined, field: string): string[] | undefined {
  if (value === undefined) return undefined;
  const parts = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (parts.length === 0) return undefined;
  if (parts.length > MAX_FILTER_VALUES) throw AppError.badRequest(field, `"${field}" takes at most ${MAX_FILTER_VALUES} values`);
  return [...new Set(parts)];
}

export function uuidListParam(value: string | undefined, field: string): string[] | undefined {
  const list = listParam(value, field);
  if (!list) return undefined;
  const bad = list.find((v) => !isUuid(v));
  if (bad !== undefined) throw AppError.badRequest(field, `"${field}" must be UUIDs; "${bad.slice(0, 60)}" is not`);
  return list.map((v) => v.toLowerCase());
}

/**
 * A time filter: ISO 8601 with Z or an offset (seconds or milliseconds), or all digits meaning
 * epoch milliseconds. Returns normalized ISO (UTC, milliseconds).
 */
export function timeParam(value: string | undefined, field: string): string | undefined {
  if (value === undefined) return undefined;
  let ms: number;
  if (/^\d{1,15}$/.test(value)) ms = Number(value);
  else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i.test(value)) ms = Date.parse(value);
  else throw AppError.badRequest(field, `"${field}" must be an ISO 8601 time with a zone (2024-01-31T12:00:00Z) or epoch milliseconds`);
  if (!Number.isFinite(ms) || ms > 8.64e15) throw AppError.badRequest(field, `"${field}" is not a valid time`);
  return new Date(ms).toISOString();
}

/** Validates a half-open window; `start_time` after `end_time` is a 400. */
export function timeWindow(q: { start_time?: string; end_time?: string }): { start?: string; end?: string } {
  const start = timeParam(q.start_time, 'start_time');
  const end = timeParam(q.end_time, 'end_time');
  if (start && end && start > end) throw AppError.badRequest('start_time', '"start_time" must not be after "end_time"');
  return { start, end };
}

/** Builds `next_uri`: same path, every filter of the request, `limit` always present, the new cursor. */
export function nextUri(path: string, query: Record<string, string | undefined>, limit: number, cursor: string): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || k === 'cursor' || k === 'limit') continue;
    p.set(k, v);
  }
  p.set('limit', String(limit));
  p.set('cursor', cursor);
  return `${path}?${p.toString()}`;
}
