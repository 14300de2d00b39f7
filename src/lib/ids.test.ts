import { describe, expect, it } from 'vitest';
import { isUuid, monotonicUuidv7, uuidv7 } from './ids.js';

const msOf = (id: string) => parseInt(id.replace(/-/g, '').slice(0, 12), 16);

describe('monotonicUuidv7', () => {
  it('mints valid UUID v7 carrying the given millisecond', () => {
    const next = monotonicUuidv7();
    const ms = Date.UTC(2026, 10, 29, 10, 0, 0, 123);
    const id = next(ms);
    expect(isUuid(id)).toBe(true);
    expect(id[14]).toBe('7'); // version
    expect(['8', '9', 'a', 'b']).toContain(id[19]); // RFC 9562 variant
    expect(msOf(id)).toBe(ms);
  });

  it('is strictly increasing within one millisecond, across milliseconds and when the clock steps back', () => {
    const next = monotonicUuidv7();
    const t0 = Date.UTC(2026, 0, 1);
    const times = [...Array.from({ length: 5_000 }, () => t0), t0 + 1, t0 + 1, t0 - 50, t0 + 2, ...Array.from({ length: 100 }, (_, i) => t0 + 2 + (i % 3))];
    const ids = times.map((t) => next(t));
    for (let i = 1; i < ids.length; i++) expect(ids[i]! > ids[i - 1]!, `id ${i}`).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    // a clock that stepped back keeps the last time rather than minting an older id
    expect(msOf(ids[5_002]!)).toBe(t0 + 1);
    for (const id of ids) expect(id[14]).toBe('7');
  });

  it('sorts like plain uuidv7 by time across generators', () => {
    const a = monotonicUuidv7()(1_000_000);
    const b = uuidv7(1_000_001);
    expect(a < b).toBe(true);
  });
});
