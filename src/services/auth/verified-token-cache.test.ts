import { describe, expect, it } from 'vitest';
import type { AccessClaims } from './token.service.js';
import { VerifiedTokenCache } from './verified-token-cache.js';

const T0 = Date.parse('2026-06-15T12:00:00.000Z');

function claims(jti: string, exp = T0 / 1000 + 900): AccessClaims {
  return { kind: 'enterprise', sub: 'tc_1', enterpriseId: 'e1', clientId: 'tc_1', scope: 'enterprise', jti, iat: exp - 900, exp };
}

describe('VerifiedTokenCache', () => {
  it('answers only for the exact token string it was given', () => {
    const cache = new VerifiedTokenCache();
    cache.set('a.b.c', claims('j1'));
    expect(cache.get('a.b.c', T0)).toMatchObject({ jti: 'j1' });
    expect(cache.get('a.b.d', T0)).toBeUndefined();
    expect(cache.get('a.b.c ', T0)).toBeUndefined();
  });

  it("drops a token at its exp second, as jose does (exp <= now in whole seconds)", () => {
    const cache = new VerifiedTokenCache();
    const exp = T0 / 1000 + 900;
    cache.set('t', claims('j1', exp));
    expect(cache.get('t', (exp - 1) * 1000 + 999)).toBeDefined();
    expect(cache.get('t', exp * 1000)).toBeUndefined();
    // gone for good: an earlier clock does not bring it back
    expect(cache.get('t', T0)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('holds at most maxEntries tokens, evicting the oldest insertion', () => {
    const cache = new VerifiedTokenCache(3);
    for (const t of ['t1', 't2', 't3']) cache.set(t, claims(t));
    cache.set('t2', claims('t2')); // already present: nothing evicted
    expect(cache.size).toBe(3);
    cache.set('t4', claims('t4'));
    expect(cache.size).toBe(3);
    expect(cache.get('t1', T0)).toBeUndefined();
    expect(['t2', 't3', 't4'].map((t) => cache.get(t, T0)?.jti)).toEqual(['t2', 't3', 't4']);
    cache.clear();
    expect(cache.size).toBe(0);
  });
});
