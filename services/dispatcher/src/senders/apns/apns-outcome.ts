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
  'ExpiredProviderToken', 'InvalidProviderToken', 'MissingProviderToken', 'UnrelatedKeyIdInToken',
  'BadEnvironmentKeyIdInToken', 'BadCertificate', 'BadCertificateEnvironment', 'Forbidden',
  'TopicDisallowed', 'BadTopic', 'MissingTopic'
])
const RETRY_STATUS = new Set([408, 429, 500, 502, 503, 504])
// Apple's documented reasons are single words (BadDeviceToken, TooManyRequests, …): such a token
// is a code and is reported as it is. Any other text is not Apple's vocabulary and is not echoed.
const APPLE_REASON = /^[A-Za-z]{1,64}$/

/**
 * Apple's status and reason, in the terms the dispatcher acts on. The reason is Apple's reason
 * token, else `HTTP <status>`, else (no status: node-apn's transport errors) `ConnectionError`;
 * any other text (node-apn's error messages, an unexpected body) is the detail, for the log only.
 */
export function apnsOutcome (failure: ApnsFailure): SendOutcome {
  const status = Number(failure.status)
  const answered = Number.isFinite(status)
  // node-apn reports some reasons as an Error (ExpiredProviderToken, 500s) instead of a response body.
  const given = failure.response?.reason ?? failure.error?.message
  const token = answered && typeof given === 'string' && APPLE_REASON.test(given) ? given : undefined
  const reason = token ?? (answered ? `HTTP ${status}` : 'ConnectionError')
  const detail = typeof given === 'string' && given !== reason ? { detail: given } : {}
  if (status === 410 || (token !== undefined && INVALID_TOKEN.has(token))) return { kind: 'invalid-token', reason, ...detail }
  if (token !== undefined && CREDENTIALS.has(token)) return { kind: 'credentials', reason, ...detail }
  if (RETRY_STATUS.has(status) || !answered) {
    const seconds = failure[RETRY_AFTER_SECONDS]
    return seconds === undefined ? { kind: 'retry', reason, ...detail } : { kind: 'retry', reason, ...detail, retryAfterMs: seconds * 1000 }
  }
  return { kind: 'rejected', reason, ...detail }
}
