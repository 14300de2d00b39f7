/**
 * Retry delays: exponential backoff with full jitter, capped; a source's Retry-After wins when it
 * asks for longer. `random` is injected so tests are deterministic.
 */
export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 5_000, maxMs: 15 * 60_000 };

/** Delay before attempt `attempt + 1`, after `attempt` failures (1-based). */
export function backoffDelay(attempt: number, retryAfterMs: number | undefined, random: () => number, o: BackoffOptions = DEFAULT_BACKOFF): number {
  const ceiling = Math.min(o.maxMs, o.baseMs * 2 ** Math.max(0, attempt - 1));
  // half fixed, half jitter: never zero, never a thundering herd
  const delay = Math.round(ceiling / 2 + random() * (ceiling / 2));
  return Math.max(delay, retryAfterMs ?? 0);
}
