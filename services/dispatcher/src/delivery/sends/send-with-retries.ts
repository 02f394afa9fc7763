import type { PreparedSend, SendOutcome } from '../../senders/sender.js'
import type { DeviceTarget } from '../claims/resolve-devices.js'
import type { FinalOutcome, RetryContext, SendReport } from './retry-context.js'
import { retryDelayMs } from './retry-schedule.js'
import type { SendSlots } from './send-slots.js'

export type { FinalOutcome, RetryContext, SendReport } from './retry-context.js'

interface Pending { target: DeviceTarget, attempts: number, notBefore: number, lastReason: string, detail?: string }

const NONE_DUE: Pending[] = []

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))
const NO_OUTCOME: SendOutcome = { kind: 'retry', reason: 'NoOutcome' }

/**
 * Sends to every target, retrying transient failures with backoff (and the provider's
 * Retry-After) up to `maxAttempts`, never past validUntil. New devices are claimed a window at a
 * time (the sender's slots / 8) just before their requests, and sent as slots free; retries need
 * no claim (their first attempt made it). Each device is its own request: its slot frees when it
 * is answered.
 */
export async function sendWithRetries (prepared: PreparedSend, targets: DeviceTarget[], context: RetryContext): Promise<SendReport> {
  return await new RetryingSend(prepared, targets, context).run()
}

/**
 * One sendWithRetries call. Its steps are methods, not closures made per call: V8 keeps a
 * function's optimised code only while a closure that runs it is alive, so closures made per
 * chunk or per request (answered in milliseconds) lost theirs at every full collection, about
 * once a second in a campaign, and were compiled again each time (README, "Benchmarks").
 */
class RetryingSend {
  private readonly sleep: (ms: number) => Promise<void>
  private readonly now: () => number
  private readonly slots: SendSlots
  private readonly signal: AbortSignal | undefined
  private readonly deadline: number
  private readonly report: SendReport = { outcomes: new Map(), unclaimed: [], expiredUnattempted: [], waiting: [], inFlight: [], interrupted: false }
  private readonly fresh: DeviceTarget[]
  private readonly waiting: Pending[] = []
  private readonly inFlight = new Map<DeviceTarget, Promise<void>>()
  // What the loop waits on when it has nothing to start: the next answer, claim or stop. An event
  // while the loop is busy is remembered, so its next wait returns at once. The promise is made
  // only when the loop waits (not one per answer: a campaign's answers come by the thousand).
  private wakeLoop: (() => void) | undefined
  private eventPending = false
  // One window of devices is claimed ahead while earlier ones are on the wire: a claim's round
  // trip then never leaves the sender idle, and the claims unanswered stay within the requests in
  // flight plus that one window.
  private readonly claimed: DeviceTarget[] = []
  private claiming: Promise<void> | undefined
  private claimFailure: { error: unknown } | undefined
  // A stop wakes the loop like an answer does. Not a promise raced at every turn: each race would
  // leave a reaction on it until the stop, a few per device of every command of the run.
  private readonly onAbort = () => { this.notify() }
  private onlyAnswersLeft = false

  constructor (private readonly prepared: PreparedSend, targets: DeviceTarget[], private readonly context: RetryContext) {
    this.sleep = context.sleep ?? defaultSleep
    this.now = context.now ?? Date.now
    this.slots = context.slots
    this.signal = context.signal
    this.deadline = context.validUntil?.getTime() ?? Number.POSITIVE_INFINITY
    this.fresh = [...targets]
  }

  async run (): Promise<SendReport> {
    this.signal?.addEventListener('abort', this.onAbort, { once: true })
    try {
      return await this.loop()
    } finally {
      this.signal?.removeEventListener('abort', this.onAbort)
      this.tellOnlyAnswersLeft()
    }
  }

  /** Tells the context, once, that nothing is left to claim, start or retry. */
  private tellOnlyAnswersLeft (): void {
    if (this.onlyAnswersLeft) return
    this.onlyAnswersLeft = true
    this.context.onOnlyAnswersLeft?.()
  }

  private notify (): void {
    const wake = this.wakeLoop
    if (wake === undefined) { this.eventPending = true; return }
    this.wakeLoop = undefined
    wake()
  }

  private nextEvent (): Promise<void> | undefined {
    if (this.eventPending) { this.eventPending = false; return undefined }
    return new Promise<void>((resolve) => { this.wakeLoop = resolve })
  }

  private final (target: DeviceTarget, outcome: FinalOutcome): void {
    this.report.outcomes.set(target, outcome)
    this.context.onFinal?.(target, outcome)
  }

  private settle (item: Pending, outcome: SendOutcome): void {
    if (outcome.kind !== 'retry') { this.final(item.target, { ...outcome, attempts: item.attempts }); return }
    const { policy } = this.context
    item.lastReason = outcome.reason
    const detail = outcome.detail === undefined ? {} : { detail: outcome.detail }
    if (item.attempts >= policy.maxAttempts) {
      this.final(item.target, { kind: 'failed', reason: `${outcome.reason} (after ${item.attempts} attempts)`, ...detail, attempts: item.attempts })
      return
    }
    const delayMs = retryDelayMs(policy, item.attempts, outcome.retryAfterMs)
    item.notBefore = this.now() + delayMs
    if (item.notBefore >= this.deadline) {
      this.final(item.target, { kind: 'expired', reason: `Expired before a retry was due (last: ${outcome.reason})`, ...detail, attempts: item.attempts })
      return
    }
    this.context.onRetry?.(item.target, outcome, item.attempts, delayMs)
    this.waiting.push(item)
  }

  /** Starts one request (the item already holds a slot); in flight until answered. */
  private attempt (item: Pending): void {
    item.attempts++
    // Sent here, not inside the async method: its answer is awaited only once it is in flight.
    this.inFlight.set(item.target, this.answered(item, this.prepared.send([item.target])))
  }

  private async answered (item: Pending, answer: Promise<SendOutcome[]>): Promise<void> {
    let outcome: SendOutcome
    try {
      outcome = (await answer)[0] ?? NO_OUTCOME
    } catch (error) {
      outcome = { kind: 'retry', reason: 'SendError', detail: String(error) }
    }
    try {
      this.settle(item, outcome)
    } finally {
      // One turn after the outcome, as the promise chain this replaced did: a stop that comes with
      // the answer is seen before the slot frees for the next device (handle-campaign-chunk.test).
      await undefined
      this.inFlight.delete(item.target)
      this.slots.give(1)
      this.notify()
    }
  }

  private claimNext (): void {
    if (this.claiming !== undefined || this.claimed.length > 0 || this.fresh.length === 0 || this.stopped()) return
    const window = this.fresh.splice(0, this.slots.batch)
    this.claiming = this.windowClaimed(window, this.context.claim(window))
  }

  private async windowClaimed (window: DeviceTarget[], claim: Promise<DeviceTarget[]>): Promise<void> {
    try {
      const mine = await claim
      const ours = new Set(mine)
      for (const target of window) if (!ours.has(target)) this.report.unclaimed.push(target)
      this.claimed.push(...mine)
    } catch (error) {
      this.claimFailure ??= { error }
      this.fresh.unshift(...window)
    } finally {
      this.claiming = undefined
      this.notify()
    }
  }

  /**
   * Whether validUntil passed while the loop waited for `taken` slots (or for mayRetry): then it
   * gives them back, and the loop's next turn expires what was to be attempted. No attempt starts
   * at or after validUntil, however long the sender's slots were full.
   */
  private passedDeadline (taken: number): boolean {
    if (this.now() < this.deadline) return false
    this.slots.give(taken)
    return true
  }

  private async loop (): Promise<SendReport> {
    const { signal, report, fresh, claimed, waiting, inFlight, context } = this
    while (!this.stopped()) {
      if (this.claimFailure !== undefined) throw this.claimFailure.error
      if (this.now() >= this.deadline) {
        report.expiredUnattempted.push(...fresh.splice(0))
        for (const target of claimed.splice(0)) this.final(target, { kind: 'expired', reason: 'Expired: validUntil passed before sending', attempts: 0 })
        for (const item of waiting.splice(0)) this.final(item.target, { kind: 'expired', reason: `Expired before delivery (last: ${item.lastReason})`, attempts: item.attempts })
      }
      this.claimNext()
      const due = waiting.length === 0 ? NONE_DUE : this.due()
      if (due.length > 0) {
        if (context.mayRetry !== undefined && !await context.mayRetry()) continue
        const n = await this.slots.take(due.length, 1, signal)
        if (this.passedDeadline(n)) continue
        for (const item of due.slice(0, n)) {
          waiting.splice(waiting.indexOf(item), 1)
          this.attempt(item)
        }
        continue
      }
      if (claimed.length > 0) {
        const n = await this.slots.take(claimed.length, 1, signal)
        if (this.passedDeadline(n)) continue
        for (const target of claimed.splice(0, n)) this.attempt({ target, attempts: 0, notBefore: 0, lastReason: '' })
        continue
      }
      if (this.claiming === undefined && fresh.length === 0 && waiting.length === 0) {
        // Nothing left to claim or retry, and every claimed device started (the branch above took them).
        if (inFlight.size === 0) break
        this.tellOnlyAnswersLeft()
      }
      context.heartbeat()
      // A stop fired during this turn (from a callback above) is also a pending event; checked first anyway.
      if (this.stopped()) break
      const event = this.nextEvent()
      if (event === undefined) continue
      if (waiting.length === 0) {
        await event
        continue
      }
      await Promise.race([event, this.sleep(Math.max(0, Math.min(this.earliestRetry() - this.now(), 5000)))])
      // Woken by the timer: the loop's next wait must not leave this promise's resolver behind.
      this.wakeLoop = undefined
    }

    if (this.stopped()) {
      // Stopping: nothing new starts; the requests on the wire are awaited until the deadline.
      const giveUp = context.giveUp ?? new Promise<void>(() => {})
      if (this.claiming !== undefined) await Promise.race([this.claiming, giveUp])
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

  /** The dispatcher stops (read afresh: a callback may abort the signal during the loop's turn). */
  private stopped (): boolean {
    return this.signal?.aborted === true
  }

  /** The retries due now. */
  private due (): Pending[] {
    const now = this.now()
    const due: Pending[] = []
    for (const item of this.waiting) if (item.notBefore <= now) due.push(item)
    return due
  }

  private earliestRetry (): number {
    let earliest = Number.POSITIVE_INFINITY
    for (const item of this.waiting) earliest = Math.min(earliest, item.notBefore)
    return earliest
  }
}
