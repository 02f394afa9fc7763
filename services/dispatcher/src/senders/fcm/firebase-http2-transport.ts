import type { Messaging } from 'firebase-admin/messaging'
import { firebaseRequestClients } from './firebase-request-bounds.js'
import type { FcmSessionLease, FcmSessions } from './fcm-sessions.js'
import type { ErrorAnswer, ErrorAnswersByToken } from './error-answers.js'

interface ResponseErrorLike { response?: { headers?: Record<string, unknown>, isJson?: () => boolean, data?: unknown } }

const FCM_ERROR_TYPE = 'type.googleapis.com/google.firebase.fcm.v1.FcmError'

/** The `FcmError` code in a Google error body's details, as firebase-admin reads it. */
function fcmErrorCodeOf (response: NonNullable<ResponseErrorLike['response']>): string | undefined {
  if (response.isJson?.() !== true) return undefined
  const details = (response.data as { error?: { details?: unknown } } | undefined)?.error?.details
  if (!Array.isArray(details)) return undefined
  const detail = details.find((item) => (item as { '@type'?: unknown } | null)?.['@type'] === FCM_ERROR_TYPE) as { errorCode?: unknown } | undefined
  return typeof detail?.errorCode === 'string' ? detail.errorCode : undefined
}

/** What `response` says beyond firebase-admin's error: its Retry-After (seconds) and FcmError code. */
function errorAnswerOf (response: NonNullable<ResponseErrorLike['response']>): ErrorAnswer {
  const header = response.headers?.['retry-after']
  const seconds = Number(header)
  const fcmErrorCode = fcmErrorCodeOf(response)
  return {
    ...(header === undefined || !Number.isFinite(seconds) ? {} : { retryAfterSeconds: seconds }),
    ...(fcmErrorCode === undefined ? {} : { fcmErrorCode })
  }
}

const tokenOf = (data: unknown): string | undefined => {
  const token = (data as { message?: { token?: unknown } } | undefined)?.message?.token
  return typeof token === 'string' ? token : undefined
}

/**
 * Sends `messaging.send()`'s requests as HTTP/2 streams on the shared connections of `sessions`,
 * through firebase-admin's own HTTP/2 client (the one `sendEach` uses: the same authorization,
 * headers, request encoding and answer parsing), instead of one HTTP/1.1 request per message.
 *
 * firebase-admin chooses between its clients inside Messaging: `send()` always takes the HTTP/1.1
 * `httpClient`, `sendEach()` the HTTP/2 `http2Client` on a connection of its own per call, answered
 * only when the call's last stream ends. So this reaches into the private request handler, as
 * firebase-request-bounds.ts does (and after it, so its bounds apply): `httpClient.send` becomes
 * `http2Client.send` on a leased stream slot. The answer (or error) is firebase-admin's HTTP/2
 * response object, which `send()` reads exactly as an HTTP/1.1 one. An error answer's Retry-After
 * and FcmError code are noted by the request's registration token for fcmOutcome (firebase-admin's
 * own error drops the headers and the details).
 */
export function sendOverSessions (messaging: Messaging, sessions: FcmSessions, errorAnswers: ErrorAnswersByToken): void {
  const { httpClient: http1, http2Client: http2 } = firebaseRequestClients(messaging)
  const send = http2.send.bind(http2)
  http1.send = async (config) => {
    // The stream slot is taken when firebase-admin opens the stream, after it has the access
    // token: a slow token request holds no slot, and the connection is chosen when it is used.
    let lease: FcmSessionLease | undefined
    const handler = {
      get session () {
        lease ??= sessions.lease()
        return lease.session
      }
    }
    try {
      return await send({ ...config, http2SessionHandler: handler })
    } catch (error) {
      if ((error as { code?: unknown }).code === 'app/network-timeout') lease?.unanswered()
      const response = (error as ResponseErrorLike).response
      const token = tokenOf(config.data)
      if (response !== undefined && token !== undefined) errorAnswers.note(token, errorAnswerOf(response))
      throw error
    } finally {
      lease?.release()
    }
  }
}
