// What sendWithRetries is given and gives back: the loop itself (send-with-retries.ts) is long
// enough without them.
import type { RetryPolicy } from '../../config.js'
import type { FailureReason, SendOutcome } from '../../senders/sender.js'
import type { DeviceTarget } from '../claims/resolve-devices.js'
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
  /**
   * Called once when nothing is left to claim, start or retry, only answers to requests on the
   * wire (a retry one of them asks for then goes on regardless), or when the send ends before.
   */
  onOnlyAnswersLeft?: () => void
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
