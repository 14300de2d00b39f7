import { randomBytes } from 'node:crypto';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(s: string): boolean {
  return UUID_RE.test(s);
}

/**
 * A UUID v7 (RFC 9562): 48 bits of milliseconds then random bits, so ids sort by creation time.
 * `rand` may be supplied for deterministic generation (demo data); it must return 10 bytes.
 */
export function uuidv7(ms: number, rand: () => Uint8Array = () => randomBytes(10)): string {
  const r = rand();
  const b = new Uint8Array(16);
  let t = BigInt(ms);
  for (let i = 5; i >= 0; i--) {
    b[i] = Number(t & 0xffn);
    t >>= 8n;
  }
  b[6] = 0x70 | ((r[0] ?? 0) & 0x0f);
  b[7] = r[1] ?? 0;
  b[8] = 0x80 | ((r[2] ?? 0) & 0x3f);
  for (let i = 9; i < 16; i++) b[i] = r[i - 6] ?? 0;
  const h = Buffer.from(b).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** A random opaque token (client secrets, refresh tokens), base64url. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
