/**
 * Exact decimal arithmetic on strings. Every quantity, price and money amount in Tortie is a
 * decimal string in minimal form ("0.1", "1234.000000000000000001", "0" for zero, never an
 * exponent). Values cross this module as strings; nothing is ever a JavaScript number.
 */
import BigNumberBase from 'bignumber.js';

/** A BigNumber constructor that never rounds sums or products and never prints exponents. */
const Dec = BigNumberBase.clone({ DECIMAL_PLACES: 40, EXPONENTIAL_AT: 1e9, ROUNDING_MODE: BigNumberBase.ROUND_HALF_EVEN });
type Dec = InstanceType<typeof Dec>;

const DECIMAL_RE = /^-?(?:\d+(?:\.\d*)?|\.\d+)$/;

/** True when `s` is a plain decimal literal (no exponent, no sign other than a leading minus). */
export function isDecimalString(s: string): boolean {
  return DECIMAL_RE.test(s);
}

function parse(s: string | number | bigint): Dec {
  if (typeof s === 'bigint') return new Dec(s.toString());
  if (typeof s === 'number') {
    // Only integers are accepted from JavaScript numbers (counts, not amounts).
    if (!Number.isSafeInteger(s)) throw new TypeError(`decimal: refusing non-integer number ${s}`);
    return new Dec(s);
  }
  const d = new Dec(s);
  if (!d.isFinite()) throw new TypeError(`decimal: not a finite decimal: ${JSON.stringify(s)}`);
  return d;
}

/** A decimal literal already in minimal form (what every stored and served decimal is). */
const MINIMAL_RE = /^-?(?:0|[1-9]\d*)(?:\.\d*[1-9])?$/;
/** A plain decimal literal, split into sign, integer digits and fraction digits. */
const PLAIN_RE = /^(-?)(\d*)(?:\.(\d*))?$/;

/** `s` as an integer and a decimal scale (`"-1.25"` → -125n, 2), or null when `s` is not a plain literal. */
function toScaled(s: string): { n: bigint; scale: number } | null {
  const m = PLAIN_RE.exec(s);
  if (!m) return null;
  const int = m[2] ?? '';
  const frac = m[3] ?? '';
  if (int === '' && frac === '') return null;
  const n = BigInt((int || '0') + frac);
  return { n: m[1] ? -n : n, scale: frac.length };
}

/** Minimal form of the integer `n` scaled down by `scale` decimal places. */
function fromScaled(n: bigint, scale: number): string {
  const neg = n < 0n;
  let digits = (neg ? -n : n).toString();
  let out = digits;
  if (scale > 0) {
    digits = digits.padStart(scale + 1, '0');
    const int = digits.slice(0, digits.length - scale);
    let end = digits.length;
    while (end > int.length && digits.charCodeAt(end - 1) === 48) end--;
    out = end > int.length ? `${int}.${digits.slice(int.length, end)}` : int;
  }
  if (out === '0') return '0';
  return neg ? `-${out}` : out;
}

/** Minimal form: no exponent, no trailing zeros, "0" for any zero (including "-0"). */
export function normalize(s: string | number | bigint): string {
  // fast path: most decimals are already minimal (parsing them is the hot spot of bulk writes)
  if (typeof s === 'string' && s !== '-0' && MINIMAL_RE.test(s)) return s;
  const d = parse(s);
  if (d.isZero()) return '0';
  return d.toFixed();
}

export function add(a: string, b: string): string {
  return normalize(parse(a).plus(parse(b)).toFixed());
}

export function sub(a: string, b: string): string {
  return normalize(parse(a).minus(parse(b)).toFixed());
}

/** Exact product (integer arithmetic on plain literals; bignumber.js, which never rounds products, otherwise). */
export function mul(a: string, b: string): string {
  const x = toScaled(a);
  const y = toScaled(b);
  if (x && y) return fromScaled(x.n * y.n, x.scale + y.scale);
  return normalize(parse(a).times(parse(b)).toFixed());
}

export function neg(a: string): string {
  return normalize(parse(a).negated().toFixed());
}

export function abs(a: string): string {
  return normalize(parse(a).abs().toFixed());
}

/** -1, 0 or 1. */
export function cmp(a: string, b: string): number {
  return parse(a).comparedTo(parse(b)) ?? 0;
}

export function isZero(a: string): boolean {
  return parse(a).isZero();
}

export function isPositive(a: string): boolean {
  return parse(a).isGreaterThan(0);
}

export function isNegative(a: string): boolean {
  return parse(a).isLessThan(0);
}

/** Exact sum of any number of decimal strings ("0" for none). */
export function sum(values: Iterable<string>): string {
  const acc = new DecimalSum();
  for (const v of values) acc.add(v);
  return acc.value();
}

const POW10: bigint[] = [1n];
function pow10(n: number): bigint {
  for (let i = POW10.length; i <= n; i++) POW10.push(POW10[i - 1]! * 10n);
  return POW10[n]!;
}

/**
 * Accumulator for hot loops (the SQLite `dec_sum` aggregate, totals): an integer and a decimal
 * scale, so adding is one BigInt addition — exact, and several times faster than a BigNumber sum.
 */
export class DecimalSum {
  private n = 0n;
  private scale = 0;
  add(v: string): this {
    let x = toScaled(v);
    if (!x) {
      const fixed = parse(v).toFixed();
      x = toScaled(fixed);
      if (!x) throw new TypeError(`decimal: not a finite decimal: ${JSON.stringify(v)}`);
    }
    if (x.scale > this.scale) {
      this.n *= pow10(x.scale - this.scale);
      this.scale = x.scale;
    }
    this.n += x.scale === this.scale ? x.n : x.n * pow10(this.scale - x.scale);
    return this;
  }
  value(): string {
    return fromScaled(this.n, this.scale);
  }
}

/**
 * Converts an integer amount of base units (wei, satoshi) to a decimal string: `fromBaseUnits(1n, 18)`
 * is "0.000000000000000001".
 */
export function fromBaseUnits(units: bigint, decimals: number): string {
  if (!Number.isSafeInteger(decimals)) throw new RangeError(`decimal: bad number of decimals ${decimals}`);
  return decimals >= 0 ? fromScaled(units, decimals) : fromScaled(units * 10n ** BigInt(-decimals), 0);
}

/** Rounds to `places` decimals, half-even. Only for generating synthetic data, never for API values. */
export function roundTo(a: string, places: number): string {
  return normalize(parse(a).decimalPlaces(places, Dec.ROUND_HALF_EVEN)!.toFixed());
}

/** Division, rounded to `places` decimals. Only for synthetic data and rates, never for API totals. */
export function div(a: string, b: string, places = 18): string {
  return normalize(parse(a).dividedBy(parse(b)).decimalPlaces(places, Dec.ROUND_HALF_EVEN)!.toFixed());
}
