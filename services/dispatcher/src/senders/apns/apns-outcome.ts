import type { SendOutcome } from '../sender.js'
import { RETRY_AFTER_SECONDS } from './retry-after.js'

/** A failed entry of node-apn's `send` result. */
export interface ApnsFailure {
  device: string
  status?: number | string
  response?: { reason?: string, timestamp?: number }
  error?: Error
  [RETRY_AFTER_SECONDS]?: number
}

const INVALID_TOKEN = new Set(['Unregistered', 'BadDeviceToken', 'DeviceTokenNotForTopic', 'ExpiredToken'])
// Reasons that are about the application's key, team or bundle, never about one device.
const CREDENTIALS = new Set([
  'ExpiredProviderToken', 'InvalidProviderToken', 'MissingProviderToken', 'BadCertificate',
  'BadCertificateEnvironment', 'Forbidden', 'TopicDisallowed', 'BadTopic', 'MissingTopic'
])
const RETRY_STATUS = new Set([408, 429, 500, 502, 503, 504])

/** Apple's status and reason, in the terms the dispatcher acts on. */
export function apnsOutcome (failure: ApnsFailure): SendOutcome {
  const status = typeof failure.status === 'number' ? failure.status : Number(failure.status)
  // node-apn reports some reasons as an Error (ExpiredProviderToken, 500s) instead of a response body.
  const reason = failure.response?.reason ?? failure.error?.message ?? `HTTP ${String(failure.status ?? 'error')}`
  if (status === 410 || INVALID_TOKEN.has(reason)) return { kind: 'invalid-token', reason }
  if (CREDENTIALS.has(reason)) return { kind: 'credentials', reason }
  if (RETRY_STATUS.has(status) || !Number.isFinite(status)) {
    const seconds = failure[RETRY_AFTER_SECONDS]
    const label = Number.isFinite(status) ? reason : `ConnectionError: ${reason}`
    return seconds === undefined ? { kind: 'retry', reason: label } : { kind: 'retry', reason: label, retryAfterMs: seconds * 1000 }
  }
  return { kind: 'rejected', reason }
}
