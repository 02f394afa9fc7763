/**
 * How a retry waits: `baseMs` before the first retry, times `factor` per attempt after it, capped
 * at `maxMs`; then `jitter` (a fraction in [0, 1]) of that delay is random so that callers that
 * failed together do not come back together. 0: always the whole delay; 0.5: "equal jitter" (at
 * least half); 1: "full jitter" (anything from 0).
 */
export interface Backoff {
  baseMs: number
  /** Growth per attempt; 2 unless said. */
  factor?: number
  /** The longest delay before jitter; none unless said. */
  maxMs?: number
  /** The random share of the delay, in [0, 1]; 0 unless said. */
  jitter?: number
}

/**
 * The delay before retry number `attempt` (1 after the first failure): min(maxMs,
 * baseMs·factor^(attempt−1)) = d, then d·(1 − jitter) + d·jitter·random(). Fractional
 * milliseconds: each caller rounds as its timer or broker wants. `random` is the jitter's source,
 * in [0, 1) like Math.random.
 */
export function backoffDelay (backoff: Backoff, attempt: number, random: () => number = Math.random): number {
  const { baseMs, factor = 2, maxMs = Infinity, jitter = 0 } = backoff
  if (!(jitter >= 0 && jitter <= 1)) throw new RangeError(`jitter must be within [0, 1], not ${jitter}`)
  const delay = Math.min(maxMs, baseMs * factor ** Math.max(attempt - 1, 0))
  if (jitter === 0) return delay
  return delay * (1 - jitter) + delay * jitter * random()
}
