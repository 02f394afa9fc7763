import type { RetryPolicy } from '../../config.js'
import type { FailureReason, PreparedSend, SendOutcome } from '../../senders/sender.js'
import type { DeviceTarget } from '../claims/resolve-devices.js'
import { retryDelayMs } from './retry-schedule.js'
import type { SendSlots } from './send-slots.js'

/** The last word on one device: a provider outcome, or expiry while waiting to retry. */
export type FinalOutcome = (Exclude<SendOutcome, { kind: 'retry' }> | { kind: 'failed' } & FailureReason | { kind: 'expired' } & FailureReason) & { attempts: number }

export interface RetryContext {
  policy: RetryPolicy
  /** The message's validUntil: no attempt is made at or after it. */
  validUntil: Date | null
  /** Requests in flight this sender may have, shared with the dispatcher's other commands. */
  slots: SendSlots
  /**
   * Claims a window of devices just before their first requests, resolving with those now this
   * holder's (the others were claimed by someone else meanwhile: theirs to send).
   */
  claim: (window: DeviceTarget[]) => Promise<DeviceTarget[]>
  /**
   * Asked before retries are started (they need no claim, so no claim statement stops a holder
   * that was taken over): false means the caller aborted `signal`, and nothing more starts.
   */
  mayRetry?: () => Promise<boolean>
  /** Called while waiting, so the command is not redelivered to another dispatcher meanwhile. */
  heartbeat: () => void
  /** Aborted when the dispatcher stops: no new window or retry is started, what is in flight is awaited. */
  signal?: AbortSignal
  /** Resolves when waiting for requests in flight must end (the shutdown deadline). */
  giveUp?: Promise<void>
  /** Told of each final outcome. */
  onFinal?: (target: DeviceTarget, outcome: FinalOutcome) => void
  /** Told of each attempt that will be retried in `delayMs` (for the log and metrics: the final outcomes are returned). */
  onRetry?: (target: DeviceTarget, outcome: Extract<SendOutcome, { kind: 'retry' }>, attempt: number, delayMs: number) => void
  sleep?: (ms: number) => Promise<void>
  now?: () => number
}

export interface SendReport {
  /** Final outcomes, by device. */
  outcomes: Map<DeviceTarget, FinalOutcome>
  /** Never claimed by us: claimed by someone else, or left when we stopped or validUntil passed. */
  unclaimed: DeviceTarget[]
  /** Never attempted because validUntil passed first (to be recorded EXPIRED without a claim). */
  expiredUnattempted: DeviceTarget[]
  /** Claimed and not on the wire when we stopped (not yet attempted, or waiting for a retry): their claims are to be released. */
  waiting: DeviceTarget[]
  /** Requests still unanswered at the deadline: their claims stay (attempted, unanswered). */
  inFlight: DeviceTarget[]
  /** The dispatcher stopped before every device had an outcome. */
  interrupted: boolean
}

interface Pending { target: DeviceTarget, attempts: number, notBefore: number, lastReason: string, detail?: string }

const NONE_DUE: Pending[] = []

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/**
 * Sends to every target, retrying transient failures with backoff (and the provider's
 * Retry-After) up to `maxAttempts`, never past validUntil. New devices are claimed a window at a
 * time (the sender's slots / 8) just before their requests, and sent as slots free; retries need
 * no claim (their first attempt made it). Each device is its own request: its slot frees when it
 * is answered.
 */
export async function sendWithRetries (prepared: PreparedSend, targets: DeviceTarget[], context: RetryContext): Promise<SendReport> {
  const sleep = context.sleep ?? defaultSleep
  const now = context.now ?? Date.now
  const { slots, signal } = context
  const deadline = context.validUntil?.getTime() ?? Number.POSITIVE_INFINITY
  const report: SendReport = { outcomes: new Map(), unclaimed: [], expiredUnattempted: [], waiting: [], inFlight: [], interrupted: false }
  const fresh = [...targets]
  const waiting: Pending[] = []
  const inFlight = new Map<DeviceTarget, Promise<void>>()
  // What the loop waits on when it has nothing to start: the next answer, claim or stop. An event
  // while the loop is busy is remembered, so its next wait returns at once. The promise is made
  // only when the loop waits (not one per answer: a campaign's answers come by the thousand).
  let wakeLoop: (() => void) | undefined
  let eventPending = false
  const notify = () => {
    const wake = wakeLoop
    if (wake === undefined) { eventPending = true; return }
    wakeLoop = undefined
    wake()
  }
  const nextEvent = (): Promise<void> | undefined => {
    if (eventPending) { eventPending = false; return undefined }
    return new Promise<void>((resolve) => { wakeLoop = resolve })
  }

  const final = (target: DeviceTarget, outcome: FinalOutcome) => {
    report.outcomes.set(target, outcome)
    context.onFinal?.(target, outcome)
  }
  const settle = (item: Pending, outcome: SendOutcome) => {
    if (outcome.kind !== 'retry') { final(item.target, { ...outcome, attempts: item.attempts }); return }
    item.lastReason = outcome.reason
    const detail = outcome.detail === undefined ? {} : { detail: outcome.detail }
    if (item.attempts >= context.policy.maxAttempts) {
      final(item.target, { kind: 'failed', reason: `${outcome.reason} (after ${item.attempts} attempts)`, ...detail, attempts: item.attempts })
      return
    }
    const delayMs = retryDelayMs(context.policy, item.attempts, outcome.retryAfterMs)
    item.notBefore = now() + delayMs
    if (item.notBefore >= deadline) {
      final(item.target, { kind: 'expired', reason: `Expired before a retry was due (last: ${outcome.reason})`, ...detail, attempts: item.attempts })
      return
    }
    context.onRetry?.(item.target, outcome, item.attempts, delayMs)
    waiting.push(item)
  }
  // Each item already holds a slot.
  const attempt = (item: Pending) => {
    item.attempts++
    const request = prepared.send([item.target])
      .then(([outcome]) => settle(item, outcome ?? { kind: 'retry', reason: 'NoOutcome' }),
        (error: unknown) => settle(item, { kind: 'retry', reason: 'SendError', detail: String(error) }))
      .finally(() => {
        inFlight.delete(item.target)
        slots.give(1)
        notify()
      })
    inFlight.set(item.target, request)
  }

  // One window of devices is claimed ahead while earlier ones are on the wire: a claim's round
  // trip then never leaves the sender idle, and the claims unanswered stay within the requests in
  // flight plus that one window.
  const claimed: DeviceTarget[] = []
  let claiming: Promise<void> | undefined
  let claimFailure: { error: unknown } | undefined
  const claimNext = () => {
    if (claiming !== undefined || claimed.length > 0 || fresh.length === 0 || signal?.aborted === true) return
    const window = fresh.splice(0, slots.batch)
    claiming = context.claim(window).then((mine) => {
      const ours = new Set(mine)
      report.unclaimed.push(...window.filter((target) => !ours.has(target)))
      claimed.push(...mine)
    }, (error: unknown) => {
      claimFailure ??= { error }
      fresh.unshift(...window)
    }).finally(() => {
      claiming = undefined
      notify()
    })
  }

  // A stop wakes the loop like an answer does. Not a promise raced at every turn: each race would
  // leave a reaction on it until the stop, a few per device of every command of the run.
  const stopRequested = (): boolean => signal?.aborted === true
  signal?.addEventListener('abort', notify, { once: true })
  try {
    return await loop()
  } finally {
    signal?.removeEventListener('abort', notify)
  }

  async function loop (): Promise<SendReport> {
    while (signal?.aborted !== true) {
      if (claimFailure !== undefined) throw claimFailure.error
      if (now() >= deadline) {
        report.expiredUnattempted.push(...fresh.splice(0))
        for (const target of claimed.splice(0)) final(target, { kind: 'expired', reason: 'Expired: validUntil passed before sending', attempts: 0 })
        for (const item of waiting.splice(0)) final(item.target, { kind: 'expired', reason: `Expired before delivery (last: ${item.lastReason})`, attempts: item.attempts })
      }
      claimNext()
      const due = waiting.length === 0 ? NONE_DUE : waiting.filter((item) => item.notBefore <= now())
      if (due.length > 0) {
        if (context.mayRetry !== undefined && !await context.mayRetry()) continue
        const n = await slots.take(due.length, 1, signal)
        for (const item of due.slice(0, n)) {
          waiting.splice(waiting.indexOf(item), 1)
          attempt(item)
        }
        continue
      }
      if (claimed.length > 0) {
        const n = await slots.take(claimed.length, 1, signal)
        for (const target of claimed.splice(0, n)) attempt({ target, attempts: 0, notBefore: 0, lastReason: '' })
        continue
      }
      if (claiming === undefined && fresh.length === 0 && waiting.length === 0 && inFlight.size === 0) break
      context.heartbeat()
      // A stop fired during this turn (from a callback above) is also a pending event; checked first anyway.
      if (stopRequested()) break
      const event = nextEvent()
      if (event === undefined) continue
      if (waiting.length === 0) {
        await event
        continue
      }
      const wake = Math.min(...waiting.map((item) => item.notBefore))
      await Promise.race([event, sleep(Math.max(0, Math.min(wake - now(), 5000)))])
      // Woken by the timer: the loop's next wait must not leave this promise's resolver behind.
      wakeLoop = undefined
    }

    if (signal?.aborted === true) {
      // Stopping: nothing new starts; the requests on the wire are awaited until the deadline.
      const giveUp = context.giveUp ?? new Promise<void>(() => {})
      if (claiming !== undefined) await Promise.race([claiming, giveUp])
      report.interrupted = fresh.length + claimed.length + waiting.length + inFlight.size > 0
      report.unclaimed.push(...fresh.splice(0))
      const allAnswered = Promise.all(inFlight.values()).then(() => {})
      await Promise.race([allAnswered, context.giveUp ?? allAnswered])
      // Claimed and not on the wire: never attempted, or waiting for a retry. Their claims go back.
      report.waiting.push(...claimed.splice(0), ...waiting.map((item) => item.target))
      report.inFlight.push(...inFlight.keys())
    }
    return report
  }
}
