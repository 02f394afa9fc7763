import type { SendOutcome } from '../sender.js'

interface FirebaseLikeError { code?: string, message?: string }

const INVALID_TOKEN = new Set(['messaging/registration-token-not-registered', 'messaging/invalid-registration-token'])
const CREDENTIALS = new Set([
  'messaging/third-party-auth-error', 'messaging/mismatched-credential', 'messaging/authentication-error',
  'app/invalid-credential'
])
const RETRY = new Set(['messaging/message-rate-exceeded', 'messaging/server-unavailable', 'messaging/internal-error', 'messaging/unknown-error', 'app/network-error', 'app/network-timeout'])

/** FCM's verdict on one send as the dispatcher acts on it. */
export function fcmOutcome (error: unknown, retryAfterSeconds?: number): SendOutcome {
  const { code = 'unknown', message = String(error) } = error as FirebaseLikeError
  const reason = `${code.replace(/^messaging\//, '')}: ${message}`
  if (INVALID_TOKEN.has(code)) return { kind: 'invalid-token', reason }
  // INVALID_ARGUMENT is about the token when FCM says so; otherwise it is about the message.
  if (code === 'messaging/invalid-argument') {
    return /registration token/i.test(message) ? { kind: 'invalid-token', reason } : { kind: 'rejected', reason }
  }
  if (code === 'app/invalid-credential') {
    // The token endpoint refusing the account is configuration; being unreachable is transient.
    return /answered HTTP 4\d\d/.test(message) ? { kind: 'credentials', reason } : { kind: 'retry', reason }
  }
  if (CREDENTIALS.has(code)) return { kind: 'credentials', reason }
  if (RETRY.has(code) || /ECONNRESET|ECONNREFUSED|ETIMEDOUT|socket hang up|EPIPE/.test(message)) {
    return retryAfterSeconds === undefined ? { kind: 'retry', reason } : { kind: 'retry', reason, retryAfterMs: retryAfterSeconds * 1000 }
  }
  return { kind: 'rejected', reason }
}
