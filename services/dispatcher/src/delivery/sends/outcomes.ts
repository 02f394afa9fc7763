import type { DeviceResult, MessageSummary, PlatformCounts, ProviderPlatform } from '@beacon/contracts'
import { DbErrorCode } from '@beacon/db'
import type { FinalOutcome } from './send-with-retries.js'

const PROVIDER: Record<ProviderPlatform, string> = { APNS: 'APNs', FCM: 'FCM' }

/** Whose result it is: a message's, or a campaign's. */
export type ResultSource = { messageId: string } | { campaignId: string }

/** A provider outcome as the result the api records. */
export function toDeviceResult (source: ResultSource, deviceId: bigint, platform: ProviderPlatform, outcome: FinalOutcome, appId: string): DeviceResult {
  const base = { ...source, deviceId: deviceId.toString(), platform, attempts: outcome.attempts, at: new Date().toISOString() }
  switch (outcome.kind) {
    case 'sent': return { ...base, status: 'SENT', tokenInvalid: false }
    case 'expired': return { ...base, status: 'EXPIRED', reason: outcome.reason, tokenInvalid: false }
    case 'invalid-token': return { ...base, status: 'FAILED', reason: outcome.reason, tokenInvalid: true }
    case 'credentials': return { ...base, status: 'FAILED', reason: credentialsReason(platform, appId, outcome.reason), tokenInvalid: false }
    default: return { ...base, status: 'FAILED', reason: outcome.reason, tokenInvalid: false }
  }
}

/** Names the configuration to fix: credential failures are the operator's, not the device's. */
export function credentialsReason (platform: ProviderPlatform, appId: string, reason: string): string {
  return `${PROVIDER[platform]} credentials of application ${appId} were refused (${reason}): check the application's ${PROVIDER[platform]} configuration`
}

/** Stored credentials that do not open as this application's: the send fails, naming what to do. */
export function unreadableCredentialsReason (platform: ProviderPlatform, appId: string, code: string): string {
  const why = code === DbErrorCode.SECRET_LEGACY_FORMAT
    ? 'the stored value has the version-1 format, refused since the one-time upgrade'
    : 'the stored value was sealed for another application or under another MASTER_KEY'
  return `${PROVIDER[platform]} credentials of application ${appId} cannot be opened (${code}): ${why}; ` +
    `upload the application's ${PROVIDER[platform]} configuration again`
}

const zero = (): PlatformCounts => ({ sent: 0, pending: 0, failed: 0, total: 0 })

export function countByPlatform (entries: ReadonlyArray<{ platform: ProviderPlatform, status: 'PENDING' | 'SENT' | 'FAILED' | 'EXPIRED' }>): Pick<MessageSummary, 'ios' | 'android'> {
  const counts = { ios: zero(), android: zero() }
  for (const entry of entries) {
    const bucket = entry.platform === 'APNS' ? counts.ios : counts.android
    bucket.total++
    if (entry.status === 'SENT') bucket.sent++
    else if (entry.status === 'PENDING') bucket.pending++
    else bucket.failed++
  }
  return counts
}
