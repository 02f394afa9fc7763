import type { ProviderPlatform } from '@beacon/contracts'
import { APNS_REASONS } from '../senders/apns/apns-reasons.js'
import { FCM_REASONS } from '../senders/fcm/fcm-outcome.js'

// The retry loop's own words for a request that gave no outcome (send-with-retries.ts).
const RETRY_LOOP_REASONS = ['SendError', 'NoOutcome']

const KNOWN: Record<ProviderPlatform, ReadonlySet<string>> = {
  APNS: new Set([...APNS_REASONS, ...RETRY_LOOP_REASONS]),
  FCM: new Set([...FCM_REASONS, ...RETRY_LOOP_REASONS])
}

// A reason starts with its code: `BadDeviceToken`, `TooManyRequests (after 5 attempts)`,
// `PayloadTooLarge: the APNs payload is…`, `TokenEndpointRefused (HTTP 401)`.
const CODE_END = /[\s:(]/

/**
 * The `reason` label of a failed send: the sender's code when it is one the sender knows, else
 * `other`. Label values must stay a small fixed set: a reason's text can hold an application id,
 * a status or provider words, each of which would be a time series of its own.
 */
export function reasonLabel (platform: ProviderPlatform, reason: string | undefined): string {
  if (reason === undefined) return 'other'
  const end = reason.search(CODE_END)
  const code = end === -1 ? reason : reason.slice(0, end)
  return KNOWN[platform].has(code) ? code : 'other'
}
