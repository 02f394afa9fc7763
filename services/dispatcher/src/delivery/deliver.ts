import type { DeviceResult, ProviderPlatform } from '@beacon/contracts'
import type { Db } from '@beacon/db'
import type { CommandDelivery, Transport } from '@beacon/transport'
import type { Logger } from 'pino'
import type { RetryPolicy } from '../config.js'
import type { ApplicationCredentials, CredentialStore } from '../credentials.js'
import type { Notification, PlatformSender } from '../senders/sender.js'
import type { EarlierDelivery } from './claims.js'
import { logFailures, logRetry } from './failure-log.js'
import { toDeviceResult, unreadableCredentialsReason, type ResultSource } from './outcomes.js'
import type { DeviceTarget } from './resolve-devices.js'
import { sendWithRetries, type FinalOutcome } from './send-with-retries.js'

export interface DispatchDeps {
  db: Db
  transport: Transport
  credentials: CredentialStore
  senders: Record<ProviderPlatform, PlatformSender>
  retry: RetryPolicy
  /** Where providers' own words go: results carry stable reasons only. */
  log: Logger
}

const UNCONFIRMED = "Unconfirmed: an earlier dispatcher stopped before recording the provider's answer"

/**
 * Devices an earlier holder of this very command claimed but never reported: it sent them (or
 * was about to) just before it died. Sending again could notify twice; the claim decides they
 * are not re-sent, and they are reported as sent, unconfirmed.
 */
export function unconfirmedResults (source: ResultSource, earlier: EarlierDelivery[]): DeviceResult[] {
  return earlier.map((e) => ({
    ...source, deviceId: e.deviceId.toString(), platform: e.platform, status: 'SENT', reason: UNCONFIRMED, tokenInvalid: false, attempts: 0, at: new Date().toISOString()
  }))
}

/**
 * Sends one notification to the claimed devices, APNs and FCM side by side, and returns a result
 * per device plus the reason that failed the whole send for a platform, if any (credentials
 * refused, unreadable, not configured, payload too large).
 */
export async function deliver (
  deps: DispatchDeps, delivery: CommandDelivery, credentials: ApplicationCredentials,
  notification: Notification, targets: DeviceTarget[], source: ResultSource
): Promise<{ results: DeviceResult[], reason?: string }> {
  const groups = await Promise.all((['APNS', 'FCM'] as const).map((platform) =>
    sendPlatform(deps, delivery, credentials, notification, platform, targets.filter((t) => t.platform === platform), source)))
  const reason = groups.find((group) => group.reason !== undefined)?.reason
  return { results: groups.flatMap((group) => group.results), ...(reason === undefined ? {} : { reason }) }
}

async function sendPlatform (
  deps: DispatchDeps, delivery: CommandDelivery, credentials: ApplicationCredentials, notification: Notification,
  platform: ProviderPlatform, group: DeviceTarget[], source: ResultSource
): Promise<{ results: DeviceResult[], reason?: string }> {
  if (group.length === 0) return { results: [] }
  const finish = (outcomes: FinalOutcome[]) => group.map((target, index) =>
    toDeviceResult(source, target.id, platform, outcomes[index]!, credentials.appId))
  const validUntil = notification.body.validUntil === undefined ? null : new Date(notification.body.validUntil)
  if (validUntil !== null && validUntil.getTime() <= Date.now()) {
    return { results: finish(group.map(() => ({ kind: 'expired', reason: 'Expired: validUntil passed before sending', attempts: 0 }))) }
  }
  const unreadable = credentials.unreadable?.[platform]
  const preparation = unreadable === undefined
    ? deps.senders[platform].prepare(credentials, notification)
    : { ok: false as const, reason: unreadableCredentialsReason(platform, credentials.appId, unreadable) }
  if (!preparation.ok) {
    return { results: finish(group.map(() => ({ kind: 'rejected', reason: preparation.reason, attempts: 0 }))), reason: preparation.reason }
  }
  const context = { log: deps.log, source, platform, appId: credentials.appId }
  const outcomes = await sendWithRetries(preparation.prepared, group, {
    policy: deps.retry, validUntil, heartbeat: () => delivery.working(), onRetry: (target, outcome, attempt) => logRetry(context, target, outcome, attempt)
  })
  logFailures(context, group, outcomes)
  const results = finish(outcomes)
  const refused = outcomes.findIndex((outcome) => outcome.kind === 'credentials')
  return refused === -1 ? { results } : { results, reason: results[refused]!.reason! }
}
