import type { DeviceResult, MessageSummary, PlatformCounts, ProviderPlatform } from '@beacon/contracts'
import { DbErrorCode } from '@beacon/db'
import type { FinalOutcome } from './send-with-retries.js'

const PROVIDER: Record<ProviderPlatform, string> = { APNS: 'APNs', FCM: 'FCM' }

/** Whose result it is: a message's, or a campaign's. */
export type ResultSource = { messageId: string } | { campaignId: string, chunk: number }

/** A provider outcome as the result the api records. */
export function toDeviceResult (source: ResultSource, deviceId: bigint, platform: ProviderPlatform, outcome: FinalOutcome, appId: string): DeviceResult {
  // Built as one literal of a fixed shape (no spreads): one is made per device, and the spread
  // copies were a campaign dispatcher's most expensive function of its own.
  const at = new Date().toISOString()
  const status = outcome.kind === 'sent' ? 'SENT' : outcome.kind === 'expired' ? 'EXPIRED' : 'FAILED'
  const reason = outcome.kind === 'sent'
    ? undefined
    : outcome.kind === 'credentials' ? credentialsReason(platform, appId, outcome.reason) : outcome.reason
  const tokenInvalid = outcome.kind === 'invalid-token'
  const deviceIdText = deviceId.toString()
  if ('campaignId' in source) {
    return reason === undefined
      ? { campaignId: source.campaignId, chunk: source.chunk, deviceId: deviceIdText, platform, attempts: outcome.attempts, at, status, tokenInvalid }
      : { campaignId: source.campaignId, chunk: source.chunk, deviceId: deviceIdText, platform, attempts: outcome.attempts, at, status, reason, tokenInvalid }
  }
  return reason === undefined
    ? { messageId: source.messageId, deviceId: deviceIdText, platform, attempts: outcome.attempts, at, status, tokenInvalid }
    : { messageId: source.messageId, deviceId: deviceIdText, platform, attempts: outcome.attempts, at, status, reason, tokenInvalid }
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
