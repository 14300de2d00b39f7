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
  const b = timePrefixed(ms);
  b[6] = 0x70 | ((r[0] ?? 0) & 0x0f);
  b[7] = r[1] ?? 0;
  b[8] = 0x80 | ((r[2] ?? 0) & 0x3f);
  for (let i = 9; i < 16; i++) b[i] = r[i - 6] ?? 0;
  return uuidText(b);
}

/** 16 bytes whose first 6 hold `ms` big-endian (the UUID v7 timestamp). */
function timePrefixed(ms: number): Uint8Array {
  const b = new Uint8Array(16);
  let t = ms;
  for (let i = 5; i >= 0; i--) {
    b[i] = t % 256;
    t = Math.floor(t / 256);
  }
  return b;
}

function uuidText(b: Uint8Array): string {
  const h = Buffer.from(b).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * A source of UUID v7 that never goes backwards within this process (RFC 9562 §6.2, method 1):
 * ids minted in the same millisecond (or with a clock that stepped back) keep the last time and
 * increment a 42-bit counter held in `rand_a` and the top of `rand_b`, seeded randomly at each new
 * millisecond with its top bit clear so it cannot overflow in practice.
 *
 * Why: a row's id is a unique index key, and keys minted in increasing order are appended to the
 * index's last page, where random or historical keys land on a different page per row.
 */
export function monotonicUuidv7(rand: () => Uint8Array = () => randomBytes(10)): (ms: number) => string {
  let lastMs = -1;
  let counter = 0;
  return (ms: number) => {
    const r = rand();
    if (ms > lastMs) {
      lastMs = ms;
      // 41 random bits: the counter starts in the lower half of its 42-bit range
      counter = (((r[0] ?? 0) & 0x01) * 2 ** 40) + (r[1] ?? 0) * 2 ** 32 + (((r[2] ?? 0) << 24) >>> 0) + ((r[3] ?? 0) << 16) + ((r[4] ?? 0) << 8) + (r[5] ?? 0);
    } else {
      counter += 1;
    }
    const b = timePrefixed(lastMs);
    const hi = Math.floor(counter / 2 ** 30); // 12 bits → rand_a
    const lo = counter % 2 ** 30; // 30 bits → the top of rand_b
    b[6] = 0x70 | ((hi >> 8) & 0x0f);
    b[7] = hi & 0xff;
    b[8] = 0x80 | ((lo >>> 24) & 0x3f);
    b[9] = (lo >>> 16) & 0xff;
    b[10] = (lo >>> 8) & 0xff;
    b[11] = lo & 0xff;
    for (let i = 12; i < 16; i++) b[i] = r[i - 6] ?? 0;
    return uuidText(b);
  };
}

/** A random opaque token (client secrets, refresh tokens), base64url. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
