/**
 * Signed pagination cursors. A cursor is base64url( JSON payload ) + "." + base64url( HMAC ) packed
 * into one base64url token, bound to the endpoint, the enterprise and the sort order, so a cursor
 * from another endpoint, another tenant or with a flipped bit is refused.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface CursorBinding {
  /** Endpoint name, e.g. "users.list". */
  endpoint: string;
  /** Tenant the cursor was issued to. */
  scope: string;
  /** Sort order name, e.g. "seq_asc". */
  order: string;
}

export class CursorCodec {
  constructor(private readonly key: Buffer) {}

  encode(binding: CursorBinding, position: (string | number)[]): string {
    const payload = Buffer.from(JSON.stringify([binding.endpoint, binding.order, position]), 'utf8');
    const mac = this.mac(binding.scope, payload);
    // length-prefixed payload then the 16-byte MAC, all base64url without padding
    const len = Buffer.alloc(2);
    len.writeUInt16BE(payload.length);
    return Buffer.concat([len, payload, mac]).toString('base64url');
  }

  /** Returns the position, or null when the cursor is malformed, forged or bound to something else. */
  decode(binding: CursorBinding, cursor: string): (string | number)[] | null {
    if (!/^[A-Za-z0-9_-]+={0,2}$/.test(cursor) || cursor.length > 2048) return null;
    const buf = Buffer.from(cursor.replace(/=+$/, ''), 'base64url');
    if (buf.length < 2 + 16) return null;
    const n = buf.readUInt16BE(0);
    if (buf.length !== 2 + n + 16) return null;
    const payload = buf.subarray(2, 2 + n);
    const mac = buf.subarray(2 + n);
    if (!timingSafeEqual(mac, this.mac(binding.scope, payload))) return null;
    let parsed: unknown;
    try {
      parsed = JSON.parse(payload.toString('utf8'));
    } catch {
      return null;
    }
    if (!Array.isArray(parsed) || parsed.length !== 3) return null;
    const [endpoint, order, position] = parsed as unknown[];
    if (endpoint !== binding.endpoint || order !== binding.order || !Array.isArray(position)) return null;
    if (!position.every((p) => typeof p === 'string' || typeof p === 'number')) return null;
    return position as (string | number)[];
  }

  private mac(scope: string, payload: Buffer): Buffer {
    return createHmac('sha256', this.key).update(scope).update('\0').update(payload).digest().subarray(0, 16);
  }
}
