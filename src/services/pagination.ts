/**
 * Keyset pages: fetch `limit + 1` rows, serve `limit`, and when the extra row exists sign the last
 * served row's position into the next cursor. A cursor that does not decode for this endpoint,
 * this enterprise and this order is a 400 on `cursor`.
 */
import type { CursorBinding, CursorCodec } from '../lib/cursor-codec.js';
import { AppError } from '../domain/errors.js';

export interface PageRequest {
  /** 1–100, validated at the edge. */
  limit: number;
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  /** null on the last page. */
  nextCursor: string | null;
}

export const badCursor = (): AppError =>
  AppError.badRequest('cursor', '"cursor" is not a cursor of this list; pass the next_cursor of the previous page, or omit it to start again');

/** Decodes a signed cursor into a position that `check` accepts, or throws the 400. */
export function decodeCursor<P>(codec: CursorCodec, binding: CursorBinding, cursor: string, check: (pos: (string | number)[]) => P | null): P {
  const pos = codec.decode(binding, cursor);
  const p = pos && check(pos);
  if (p === null || p === undefined) throw badCursor();
  return p;
}

/** Trims a `limit + 1` fetch to a page and signs the position of its last row. */
export function toPage<R, T>(rows: readonly R[], limit: number, map: (r: R) => T, positionOf: (last: R) => (string | number)[], sign: (pos: (string | number)[]) => string): Page<T> {
  const more = rows.length > limit;
  const served = more ? rows.slice(0, limit) : rows;
  const last = served[served.length - 1];
  return { items: served.map(map), nextCursor: more && last !== undefined ? sign(positionOf(last)) : null };
}

/** Position checks. */
export const seqPosition = (pos: (string | number)[]): number | null => {
  const [seq] = pos;
  return pos.length === 1 && typeof seq === 'number' && Number.isSafeInteger(seq) ? seq : null;
};

export const timeSeqPosition = (pos: (string | number)[]): { timestamp: string; seq: number } | null => {
  const [timestamp, seq] = pos;
  return pos.length === 2 && typeof timestamp === 'string' && typeof seq === 'number' && Number.isSafeInteger(seq) ? { timestamp, seq } : null;
};
