import type { RetryPolicy } from '../config.js'
import type { FailureReason, PreparedSend, SendOutcome } from '../senders/sender.js'
import type { DeviceTarget } from './resolve-devices.js'
import { retryDelayMs } from './retry-schedule.js'

/** The last word on one device: a provider outcome, or expiry while waiting to retry. */
export type FinalOutcome = (Exclude<SendOutcome, { kind: 'retry' }> | { kind: 'failed' } & FailureReason | { kind: 'expired' } & FailureReason) & { attempts: number }

export interface RetryContext {
  policy: RetryPolicy
  /** The message's validUntil: no attempt is made at or after it. */
  validUntil: Date | null
  /** Called while waiting, so the command is not redelivered to another dispatcher meanwhile. */
  heartbeat: () => void
  /** Told of each attempt that will be retried (for the log: the final outcomes are returned). */
  onRetry?: (target: DeviceTarget, outcome: Extract<SendOutcome, { kind: 'retry' }>, attempt: number) => void
  sleep?: (ms: number) => Promise<void>
  now?: () => number
}

interface Pending { target: DeviceTarget, attempts: number, notBefore: number, lastReason: string }

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/**
 * Sends to every target, retrying transient failures with backoff (and the provider's
 * Retry-After) up to `maxAttempts`, never past validUntil. Resolves with one outcome per target,
 * in the targets' order.
 */
export async function sendWithRetries (prepared: PreparedSend, targets: DeviceTarget[], context: RetryContext): Promise<FinalOutcome[]> {
  const sleep = context.sleep ?? defaultSleep
  const now = context.now ?? Date.now
  const deadline = context.validUntil?.getTime() ?? Number.POSITIVE_INFINITY
  const results = new Map<DeviceTarget, FinalOutcome>()
  let pending: Pending[] = targets.map((target) => ({ target, attempts: 0, notBefore: 0, lastReason: '' }))

  while (pending.length > 0) {
    const wake = Math.min(...pending.map((item) => item.notBefore))
    if (wake > now()) {
      context.heartbeat()
      await sleep(Math.min(wake - now(), 5000))
      continue
    }
    if (now() >= deadline) {
      for (const item of pending) results.set(item.target, { kind: 'expired', reason: `Expired before delivery (last: ${item.lastReason})`, attempts: item.attempts })
      break
    }
    const due = pending.filter((item) => item.notBefore <= now())
    pending = pending.filter((item) => item.notBefore > now())
    for (const item of due) item.attempts++
    const outcomes = await prepared.send(due.map((item) => item.target))
    due.forEach((item, index) => {
      const outcome = outcomes[index] ?? { kind: 'retry', reason: 'NoOutcome' }
      if (outcome.kind !== 'retry') {
        results.set(item.target, { ...outcome, attempts: item.attempts })
        return
      }
      item.lastReason = outcome.reason
      const detail = outcome.detail === undefined ? {} : { detail: outcome.detail }
      if (item.attempts >= context.policy.maxAttempts) {
        results.set(item.target, { kind: 'failed', reason: `${outcome.reason} (after ${item.attempts} attempts)`, ...detail, attempts: item.attempts })
        return
      }
      item.notBefore = now() + retryDelayMs(context.policy, item.attempts, outcome.retryAfterMs)
      if (item.notBefore >= deadline) {
        results.set(item.target, { kind: 'expired', reason: `Expired before a retry was due (last: ${outcome.reason})`, ...detail, attempts: item.attempts })
        return
      }
      context.onRetry?.(item.target, outcome, item.attempts)
      pending.push(item)
    })
  }
  return targets.map((target) => results.get(target)!)
}
