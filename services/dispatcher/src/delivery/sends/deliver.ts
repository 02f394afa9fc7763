import type { ProviderPlatform } from '@beacon/contracts'
import type { Db } from '@beacon/db'
import type { Transport } from '@beacon/transport'
import type { Logger } from 'pino'
import type { RetryPolicy } from '../../config.js'
import type { ApplicationCredentials, CredentialStore } from '../../credentials.js'
import type { Health } from '../../health.js'
import type { Notification, PlatformSender } from '../../senders/sender.js'
import { recordUnattemptedOutcomes, releaseClaims, type ClaimScope, type Unattempted } from '../claims/claims.js'
import { createClaimer } from '../claims/claimer.js'
import { leaseTakenOver, type LeaseTiming } from '../commands/lease.js'
import type { CommandRun } from '../commands/run.js'
import { sendRetries } from '../../metrics/retries.js'
import { countSend } from '../../metrics/sends.js'
import { logFailures, logRetry } from './failure-log.js'
import { toDeviceResult, unreadableCredentialsReason, type ResultSource } from './outcomes.js'
import type { DeviceTarget } from '../claims/resolve-devices.js'
import type { SendSlots, SendSlotsRegistry } from './send-slots.js'
import { sendWithRetries } from './send-with-retries.js'
import { afterCalls, once, throttle } from './call-gates.js'

// The send loop tells JetStream it is working each time it waits for an answer; the dispatcher's
// own timer beats too (dispatcher.ts). Each beat is a NATS publish: one per answer was a socket
// write per device, 11 % of a campaign dispatcher's CPU. One a second is plenty for an ack wait
// of several seconds. None in the first second either: the command was just handed over (or the
// dispatcher's timer beat for it), and a single message, done in milliseconds, would otherwise
// spend a NATS publish of its three on it.
const HEARTBEAT_MIN_GAP_MS = 1000

const PLATFORMS = ['APNS', 'FCM'] as const

/** The targets of one platform (a loop, not a filter's closure made per command: see send-with-retries.ts). */
function ofPlatform (targets: DeviceTarget[], platform: ProviderPlatform): DeviceTarget[] {
  const found: DeviceTarget[] = []
  for (const target of targets) if (target.platform === platform) found.push(target)
  return found
}

export interface DispatchDeps {
  db: Db
  transport: Transport
  credentials: CredentialStore
  senders: Record<ProviderPlatform, PlatformSender>
  /** Requests in flight per sender, shared by the commands in hand: claims follow them. */
  slots: SendSlotsRegistry
  /** Places for the campaign chunks sending at once (DISPATCHER_CHUNKS_SENDING); absent: no limit. */
  chunksSending?: SendSlots
  health: Health
  retry: RetryPolicy
  /** How long a command's lease lasts and how often it is renewed. */
  lease: LeaseTiming
  /** Where providers' own words go: results carry stable reasons only. */
  log: Logger
}

export interface Delivered {
  /** The reason that failed the whole send for a platform, if any (credentials refused, unreadable, not configured, payload too large). */
  reason?: string
  /** The dispatcher stopped first: these claimed devices wait for a retry (to release), these are on the wire. */
  interrupted: boolean
  waiting: DeviceTarget[]
  inFlight: DeviceTarget[]
}

/**
 * Sends one notification to the devices its look-up found to send, APNs and FCM side by side, each
 * device claimed just before its first request (a device claimed by someone else is refused
 * there). Every result lands in the run. `onOnlyAnswersLeft` is called once both platforms have
 * nothing left to claim, start or retry (only answers to requests on the wire are awaited), or
 * have ended.
 */
export async function deliver (
  deps: DispatchDeps, run: CommandRun, credentials: ApplicationCredentials,
  notification: Notification, targets: DeviceTarget[], source: ResultSource, scope: ClaimScope,
  onOnlyAnswersLeft?: () => void
): Promise<Delivered> {
  const claim = createClaimer(deps.db, scope, run)
  const platformsLeft = afterCalls(PLATFORMS.length, () => onOnlyAnswersLeft?.())
  // A platform that fails stops the other one (which then only waits for its requests on the
  // wire): nothing may go on sending for a command that is given back.
  // One controller that the run's signal also aborts: AbortSignal.any built two more signals per
  // command, and registered them for the garbage collector to clean up.
  const stop = new AbortController()
  const stopWithRun = () => { stop.abort() }
  if (run.signal.aborted) stop.abort()
  else run.signal.addEventListener('abort', stopWithRun, { once: true })
  const settled = await Promise.allSettled(PLATFORMS.map((platform) =>
    sendPlatform(deps, run, stop.signal, credentials, notification, platform, ofPlatform(targets, platform), source, scope, claim, once(platformsLeft))
      .catch((error: unknown) => { stop.abort(); throw error })))
    .finally(() => { run.signal.removeEventListener('abort', stopWithRun) })
  const failure = settled.find((outcome) => outcome.status === 'rejected')
  if (failure !== undefined) {
    // Devices waiting for a retry had a retryable failure: the next holder sends them.
    const waiting = settled.flatMap((outcome) => (outcome.status === 'fulfilled' ? outcome.value.waiting : []))
    await releaseClaims(deps.db, scope, waiting.map((target) => target.id)).catch(() => {})
    throw failure.reason
  }
  const groups = settled.map((outcome) => (outcome as PromiseFulfilledResult<Delivered>).value)
  const reason = groups.find((group) => group.reason !== undefined)?.reason
  return {
    ...(reason === undefined ? {} : { reason }),
    interrupted: groups.some((group) => group.interrupted),
    waiting: groups.flatMap((group) => group.waiting),
    inFlight: groups.flatMap((group) => group.inFlight)
  }
}

async function sendPlatform (
  deps: DispatchDeps, run: CommandRun, signal: AbortSignal, credentials: ApplicationCredentials, notification: Notification,
  platform: ProviderPlatform, group: DeviceTarget[], source: ResultSource, scope: ClaimScope,
  claim: (window: DeviceTarget[]) => Promise<DeviceTarget[]>, onlyAnswersLeft: () => void
): Promise<Delivered> {
  try {
    return await sendPlatformDevices(deps, run, signal, credentials, notification, platform, group, source, scope, claim, onlyAnswersLeft)
  } finally {
    // Every way out (nothing to send, expired, credentials refused, a failure): nothing left to start.
    onlyAnswersLeft()
  }
}

async function sendPlatformDevices (
  deps: DispatchDeps, run: CommandRun, signal: AbortSignal, credentials: ApplicationCredentials, notification: Notification,
  platform: ProviderPlatform, group: DeviceTarget[], source: ResultSource, scope: ClaimScope,
  claim: (window: DeviceTarget[]) => Promise<DeviceTarget[]>, onlyAnswersLeft: () => void
): Promise<Delivered> {
  const done: Delivered = { interrupted: false, waiting: [], inFlight: [] }
  if (group.length === 0) return done
  const record = async (entries: Unattempted[]) => {
    const { written: writtenIds, overtaken } = await run.hold(() => recordUnattemptedOutcomes(deps.db, scope, run.claimant, entries))
    if (overtaken) run.overtake()
    const written = entries.filter((e) => writtenIds.has(e.target.id.toString()))
    for (const e of written) countSend(platform, e.status, e.reason)
    run.addResults(written.map((e) =>
      toDeviceResult(source, e.target.id, platform, { kind: e.status === 'EXPIRED' ? 'expired' : 'rejected', reason: e.reason, attempts: 0 }, credentials.appId)))
  }
  const validUntil = notification.body.validUntil === undefined ? null : new Date(notification.body.validUntil)
  if (validUntil !== null && validUntil.getTime() <= Date.now()) {
    await record(group.map((target) => ({ target, status: 'EXPIRED', reason: 'Expired: validUntil passed before sending' })))
    return done
  }
  const unreadable = credentials.unreadable?.[platform]
  const preparation = unreadable === undefined
    ? deps.senders[platform].prepare(credentials, notification)
    : { ok: false as const, reason: unreadableCredentialsReason(platform, credentials.appId, unreadable) }
  if (!preparation.ok) {
    // Nothing was sent: the outcome is written as the claim, so a later holder does not send it either.
    await record(group.map((target) => ({ target, status: 'FAILED', reason: preparation.reason })))
    return { ...done, reason: preparation.reason }
  }
  const context = { log: deps.log, source, platform, appId: credentials.appId }
  const retries = sendRetries[platform]
  let refused: string | undefined
  const report = await sendWithRetries(preparation.prepared, group, {
    policy: deps.retry,
    validUntil,
    slots: deps.slots.of(platform, credentials.id),
    claim,
    mayRetry: async () => {
      if (await run.hold(() => leaseTakenOver(deps.db, run.claimant))) run.overtake()
      return !run.overtaken
    },
    heartbeat: throttle(() => { run.delivery.working() }, HEARTBEAT_MIN_GAP_MS),
    onOnlyAnswersLeft: onlyAnswersLeft,
    signal,
    giveUp: run.giveUp,
    onFinal: (target, outcome) => {
      const result = toDeviceResult(source, target.id, platform, outcome, credentials.appId)
      // The sender's own reason (a credentials result's reason is a sentence around it).
      countSend(platform, result.status, outcome.kind === 'sent' ? undefined : outcome.reason)
      if (outcome.kind === 'credentials') refused ??= result.reason
      run.addResults([result])
    },
    onRetry: (target, outcome, attempt, delayMs) => {
      retries.scheduled(delayMs, outcome.retryAfterMs !== undefined)
      logRetry(context, target, outcome, attempt)
    }
  })
  logFailures(context, [...report.outcomes.keys()], [...report.outcomes.values()])
  if (report.expiredUnattempted.length > 0) {
    await record(report.expiredUnattempted.map((target) => ({ target, status: 'EXPIRED', reason: 'Expired: validUntil passed before sending' })))
  }
  return { ...(refused === undefined ? {} : { reason: refused }), interrupted: report.interrupted, waiting: report.waiting, inFlight: report.inFlight }
}
