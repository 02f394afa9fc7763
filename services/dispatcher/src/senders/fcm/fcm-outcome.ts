import type { SendOutcome } from '../sender.js'
import type { ErrorAnswer } from './error-answers.js'
import { TOKEN_CONFIGURATION_FAILURES, TokenFailure } from './oauth-credential.js'

interface FirebaseLikeError { code?: unknown, message?: unknown }

const INVALID_TOKEN = new Set(['messaging/registration-token-not-registered', 'messaging/invalid-registration-token'])
// firebase-admin gives a plain Google NOT_FOUND (JSON) the code of FCM's UNREGISTERED: a project
// that does not exist, or a proxy answering in Google's format, would have every device sent to
// deleted. Only an answer whose FcmError detail says UNREGISTERED (what FCM answers for a dead
// token) deletes one. (A 404 that is not JSON is firebase-admin's unknown-error: retried.)
const NOT_REGISTERED = 'messaging/registration-token-not-registered'
const CREDENTIALS = new Set(['messaging/third-party-auth-error', 'messaging/mismatched-credential', 'messaging/authentication-error'])
// app/app-deleted: a send that waited for a request slot while its app was deleted (credentials
// replaced, or the sender closing at shutdown): it was never sent.
const RETRY = new Set(['messaging/message-rate-exceeded', 'messaging/server-unavailable', 'messaging/internal-error', 'messaging/unknown-error', 'app/network-error', 'app/network-timeout', 'app/app-deleted'])
const CONNECTION = /ECONNRESET|ECONNREFUSED|ETIMEDOUT|socket hang up|EPIPE/
// firebase-admin's codes are `service/code-name`; anything else is not one and is not echoed.
const CODE_SHAPE = /^[a-z]+\/[a-z0-9-]{1,64}$/
// What oauth-credential.ts reports (an OAuthTokenError's message: a TokenFailure code, with the
// HTTP status when there was one), inside firebase-admin's app/invalid-credential message. Only
// our own words are in that message: the token endpoint's are logged there, never passed on.
const TOKEN_FAILURE = new RegExp(`\\b(${Object.values(TokenFailure).join('|')})( \\(HTTP \\d{3}\\))?`)

/**
 * Every reason code this sender reports (firebase-admin's codes it knows, without `messaging/`;
 * the token failures; its own words, fcm-message.ts's and fcm-sender.ts's included): the known set
 * the `reason` label of the send metrics keeps (anything else is `other`).
 */
export const FCM_REASONS: readonly string[] = [
  ...[...INVALID_TOKEN, ...CREDENTIALS, ...RETRY, 'messaging/invalid-argument'].map((code) => code.replace(/^messaging\//, '')),
  ...Object.values(TokenFailure),
  'ConnectionError', 'UnknownError', 'PayloadTooLarge', 'FcmNotConfigured', 'NotFound'
]

/**
 * FCM's verdict on one send as the dispatcher acts on it. The reason is firebase-admin's code name
 * (`registration-token-not-registered`, `invalid-argument`, `app/network-error`, …) or one of our
 * own; Google's and firebase-admin's message text is the detail, for the log only.
 */
export function fcmOutcome (error: unknown, answer: ErrorAnswer = {}): SendOutcome {
  const { code, message } = (error ?? {}) as FirebaseLikeError
  const detail = typeof message === 'string' ? message : String(error)
  const known = typeof code === 'string' && CODE_SHAPE.test(code) ? code : undefined
  const reason = known?.replace(/^messaging\//, '')
  // The device is kept; the send fails for it, and the reason says what was not found.
  if (known === NOT_REGISTERED && answer.fcmErrorCode !== 'UNREGISTERED') return { kind: 'rejected', reason: 'NotFound', detail }
  if (known !== undefined && INVALID_TOKEN.has(known)) return { kind: 'invalid-token', reason: reason!, detail }
  // INVALID_ARGUMENT is about the token when FCM says so; otherwise it is about the message.
  if (known === 'messaging/invalid-argument') {
    return /registration token/i.test(detail)
      ? { kind: 'invalid-token', reason: 'invalid-registration-token', detail }
      : { kind: 'rejected', reason: reason!, detail }
  }
  if (known === 'app/invalid-credential') {
    // The token endpoint refusing the account (or forbidden to us) is configuration; being unreachable is transient.
    const found = TOKEN_FAILURE.exec(detail)
    const code = (found?.[1] ?? TokenFailure.ERROR) as TokenFailure
    const reason = found?.[0] ?? TokenFailure.ERROR
    return TOKEN_CONFIGURATION_FAILURES.has(code) ? { kind: 'credentials', reason, detail } : { kind: 'retry', reason, detail }
  }
  if (known !== undefined && CREDENTIALS.has(known)) return { kind: 'credentials', reason: reason!, detail }
  if ((known !== undefined && RETRY.has(known)) || CONNECTION.test(detail)) {
    const retry = { kind: 'retry' as const, reason: reason ?? 'ConnectionError', detail }
    return answer.retryAfterSeconds === undefined ? retry : { ...retry, retryAfterMs: answer.retryAfterSeconds * 1000 }
  }
  return { kind: 'rejected', reason: reason ?? 'UnknownError', detail }
}
