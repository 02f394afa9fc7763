import type { RetryPolicy } from '../../config.js'

/**
 * Delay before attempt `attempt + 1`: exponential from the base, capped, with "equal jitter"
 * (half fixed, half random) so that dispatchers retrying after the same outage do not stampede.
 * A provider's Retry-After is a floor up to `retryAfterMaxMs`: we never come back sooner than it
 * asked, but a wait holds a command slot, so `Retry-After: 86400` is not obeyed for a day. (The
 * caller still expires a device whose next attempt would fall at or past validUntil.)
 */
export function retryDelayMs (policy: RetryPolicy, attempt: number, retryAfterMs?: number, random = Math.random): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(attempt - 1, 0))
  const jittered = exponential / 2 + random() * (exponential / 2)
  return Math.ceil(Math.max(jittered, Math.min(retryAfterMs ?? 0, policy.retryAfterMaxMs)))
}
