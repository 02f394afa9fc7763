import type { ProviderPlatform } from '@beacon/contracts'
import type { Logger } from 'pino'
import type { SendOutcome } from '../../senders/sender.js'
import type { ResultSource } from './outcomes.js'
import type { DeviceTarget } from '../claims/resolve-devices.js'
import type { FinalOutcome } from './send-with-retries.js'

// Upstream text is logged whole up to this length; device ids in a line up to this many.
const MAX_DETAIL = 8192
const MAX_DEVICE_IDS = 20

export interface FailureContext { log: Logger, source: ResultSource, platform: ProviderPlatform, appId: string }

/**
 * The failed devices of one send, one line per distinct reason and provider text (a campaign chunk
 * with a thousand dead tokens is one line, not a thousand): the stable reason that was recorded
 * and reported, the provider's own words beside it, and which devices (their ids, never tokens).
 * Dead tokens and expiry are routine (debug); the rest is worth an operator's look (warn).
 */
export function logFailures (context: FailureContext, targets: DeviceTarget[], outcomes: FinalOutcome[]): void {
  const groups = new Map<string, { outcome: FinalOutcome, deviceIds: string[], devices: number }>()
  outcomes.forEach((outcome, index) => {
    if (outcome.kind === 'sent') return
    const key = `${outcome.kind}\n${outcome.reason}\n${outcome.detail ?? ''}`
    let group = groups.get(key)
    if (group === undefined) groups.set(key, group = { outcome, deviceIds: [], devices: 0 })
    group.devices++
    if (group.deviceIds.length < MAX_DEVICE_IDS) group.deviceIds.push(String(targets[index]?.id))
  })
  for (const { outcome, deviceIds, devices } of groups.values()) {
    if (outcome.kind === 'sent') continue
    const line = {
      ...context.source,
      appId: context.appId,
      platform: context.platform,
      outcome: outcome.kind,
      reason: outcome.reason,
      ...(outcome.detail === undefined ? {} : { detail: outcome.detail.slice(0, MAX_DETAIL) }),
      devices,
      deviceIds
    }
    if (outcome.kind === 'invalid-token' || outcome.kind === 'expired') context.log.debug(line, 'devices not sent')
    else context.log.warn(line, 'devices not sent')
  }
}

/** A retried attempt, at debug: the provider's words for an answer that was not final. */
export function logRetry (context: FailureContext, target: DeviceTarget, outcome: Extract<SendOutcome, { kind: 'retry' }>, attempt: number): void {
  // Once per retried device: nothing is built when debug lines are not written (the default).
  if (!context.log.isLevelEnabled('debug')) return
  context.log.debug({
    ...context.source,
    appId: context.appId,
    platform: context.platform,
    deviceId: String(target.id),
    attempt,
    reason: outcome.reason,
    ...(outcome.detail === undefined ? {} : { detail: outcome.detail.slice(0, MAX_DETAIL) })
  }, 'attempt failed; retried')
}
