import { backoffDelay, type Backoff } from '@beacon/backoff'
import type { RetryPolicy } from '../../config.js'

/**
 * A send's backoff: exponential from the base, capped, with "equal jitter" (half fixed, half
 * random) so that dispatchers retrying after the same outage do not stampede.
 */
export function sendBackoff (policy: RetryPolicy): Backoff {
  return { baseMs: policy.baseDelayMs, maxMs: policy.maxDelayMs, jitter: 0.5 }
}

/**
 * Delay before attempt `attempt + 1`: the send backoff, whole milliseconds up. A provider's
 * Retry-After is a floor up to `retryAfterMaxMs`: we never come back sooner than it asked, but a
 * wait holds a command slot, so `Retry-After: 86400` is not obeyed for a day. (The caller still
 * expires a device whose next attempt would fall at or past validUntil.)
 */
export function retryDelayMs (policy: RetryPolicy, attempt: number, retryAfterMs?: number, random = Math.random): number {
  const jittered = backoffDelay(sendBackoff(policy), attempt, random)
  return Math.ceil(Math.max(jittered, Math.min(retryAfterMs ?? 0, policy.retryAfterMaxMs)))
}
