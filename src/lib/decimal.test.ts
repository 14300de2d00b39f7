import { describe, expect, it } from 'vitest';
import BigNumber from 'bignumber.js';
import { DecimalSum, fromBaseUnits, mul, normalize, sum } from './decimal.js';
import { Prng } from './prng.js';

const Ref = BigNumber.clone({ EXPONENTIAL_AT: 1e9 });
const ref = (s: string) => {
  const d = new Ref(s);
  return d.isZero() ? '0' : d.toFixed();
};

/** A random plain decimal literal, sometimes with redundant zeros or a sign. */
function literal(rng: Prng): string {
  const int = rng.chance(0.3) ? '0' : String(rng.int(0, 10 ** rng.int(0, 9)));
  const frac = rng.chance(0.3) ? '' : rng.hex(rng.int(1, 20)).replace(/[a-f]/g, () => String(rng.int(0, 9)));
  const pad = rng.chance(0.1) ? '00' : '';
  const sign = rng.chance(0.2) ? '-' : '';
  return `${sign}${pad}${int}${frac ? `.${frac}` : rng.chance(0.05) ? '.' : ''}`;
}

describe('exact decimals: fast paths agree with bignumber.js', () => {
  it('normalize', () => {
    const rng = Prng.from('normalize');
    for (let i = 0; i < 5000; i++) {
      const s = literal(rng);
      expect(normalize(s), s).toBe(ref(s));
    }
    expect(normalize('-0')).toBe('0');
    expect(normalize('-0.000')).toBe('0');
    expect(normalize('1e-10')).toBe('0.0000000001');
    expect(normalize('1.500')).toBe('1.5');
  });

  it('mul', () => {
    const rng = Prng.from('mul');
    for (let i = 0; i < 5000; i++) {
      const a = literal(rng);
      const b = literal(rng);
      expect(mul(a, b), `${a} × ${b}`).toBe(ref(new Ref(a).times(new Ref(b)).toFixed()));
    }
    expect(mul('1.000000000000000001', '123456789.123456789')).toBe('123456789.123456789123456789123456789');
    expect(mul('-0.5', '0')).toBe('0');
    expect(mul('1e2', '3')).toBe('300');
    expect(() => mul('abc', '1')).toThrow();
  });

  it('fromBaseUnits', () => {
    expect(fromBaseUnits(1n, 18)).toBe('0.000000000000000001');
    expect(fromBaseUnits(-1500n, 3)).toBe('-1.5');
    expect(fromBaseUnits(0n, 8)).toBe('0');
    expect(fromBaseUnits(123n, 0)).toBe('123');
    expect(fromBaseUnits(12n, -2)).toBe('1200');
    expect(fromBaseUnits(100000000n, 8)).toBe('1');
  });

  it('sum (DecimalSum)', () => {
    const rng = Prng.from('sum');
    for (let i = 0; i < 500; i++) {
      const values = Array.from({ length: rng.int(0, 40) }, () => literal(rng));
      const expected = values.reduce((acc, v) => acc.plus(new Ref(v)), new Ref(0));
      expect(sum(values), values.join(' + ')).toBe(expected.isZero() ? '0' : expected.toFixed());
    }
    // exponent forms and zero-sum results
    expect(new DecimalSum().add('1e-18').add('2.5E3').add('-2500.000000000000000001').value()).toBe('0');
    expect(sum(['0.1', '0.2'])).toBe('0.3');
    expect(sum([])).toBe('0');
    expect(() => new DecimalSum().add('abc')).toThrow();
  });
});
