/**
 * Time is a dependency. Only this file reads the system clock; everything else is handed a Clock,
 * so tests can move time by hand (leases, expiries, "last 30 days").
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock moved by hand, for tests. */
export class TestClock implements Clock {
  constructor(private t: number = Date.parse('2026-01-15T12:00:00.000Z')) {}
  now(): number {
    return this.t;
  }
  set(iso: string | number): void {
    this.t = typeof iso === 'number' ? iso : Date.parse(iso);
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

/** ISO 8601 UTC with milliseconds, the one timestamp format stored and served. */
export function isoOf(ms: number): string {
  return new Date(ms).toISOString();
}

/** `YYYY-MM-DD` (UTC) of a time. */
export function dateOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export const DAY_MS = 86_400_000;
