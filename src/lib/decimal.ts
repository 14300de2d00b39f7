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

/** Minimal form: no exponent, no trailing zeros, "0" for any zero (including "-0"). */
export function normalize(s: string | number | bigint): string {
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

/** Exact product: bignumber.js multiplication never rounds. */
export function mul(a: string, b: string): string {
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
  let acc = new Dec(0);
  for (const v of values) acc = acc.plus(parse(v));
  return normalize(acc.toFixed());
}

/** Accumulator for hot loops: avoids re-parsing the running total. */
export class DecimalSum {
  private acc: Dec = new Dec(0);
  add(v: string): this {
    this.acc = this.acc.plus(parse(v));
    return this;
  }
  value(): string {
    return normalize(this.acc.toFixed());
  }
}

/**
 * Converts an integer amount of base units (wei, satoshi) to a decimal string: `fromBaseUnits(1n, 18)`
 * is "0.000000000000000001".
 */
export function fromBaseUnits(units: bigint, decimals: number): string {
  return normalize(new Dec(units.toString()).shiftedBy(-decimals).toFixed());
}

/** Rounds to `places` decimals, half-even. Only for generating synthetic data, never for API values. */
export function roundTo(a: string, places: number): string {
  return normalize(parse(a).decimalPlaces(places, Dec.ROUND_HALF_EVEN)!.toFixed());
}

/** Division, rounded to `places` decimals. Only for synthetic data and rates, never for API totals. */
export function div(a: string, b: string, places = 18): string {
  return normalize(parse(a).dividedBy(parse(b)).decimalPlaces(places, Dec.ROUND_HALF_EVEN)!.toFixed());
}
