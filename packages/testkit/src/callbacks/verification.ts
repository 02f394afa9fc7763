import type { IncomingHttpHeaders } from 'node:http'
import { bodyMd5, isDeveloperSignature } from '../signing/developer-signing.js'

/** A callback as the developer's server received it: the raw request target and body bytes. */
export interface ReceivedRequest {
  method: string
  uri: string
  headers: IncomingHttpHeaders
  /** The body bytes as received (a string counts as its UTF-8 bytes); undefined or empty without one. */
  rawBody: Uint8Array | string | undefined
}

export type CallbackCheck =
  | { verified: true, key: string, nonce: string }
  | { verified: false, reason: CallbackRefusal }

export type CallbackRefusal =
  | 'AUTHORIZATION_MALFORMED' | 'DATE_MALFORMED' | 'DATE_OUT_OF_WINDOW' | 'KEY_UNKNOWN' | 'CONTENT_MD5_MISMATCH' | 'SIGNATURE_MISMATCH'

const AUTHORIZATION = /^MAAIISDK10 key="([^"]+)", nonce="([^"]+)", signature="([0-9a-f]{64})"$/
const HTTP_DATE = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/

const one = (value: string | string[] | undefined) => (Array.isArray(value) ? undefined : value)

/**
 * The README's "Verifying a callback", by hand: the Authorization header as Beacon writes it, the
 * X-M-Date within `windowSeconds` of `now`, the HMAC over the six lines of the raw request, and a
 * Content-MD5, if sent, matching the body (defaults: the real clock, 300 s). Replayed nonces
 * are the caller's to refuse.
 */
export function checkDeveloperCallback (
  request: ReceivedRequest,
  secretOf: (key: string) => string | Buffer | undefined,
  clock: { now?: Date, windowSeconds?: number } = {}
): CallbackCheck {
  const { now = new Date(), windowSeconds = 300 } = clock
  const refuse = (reason: CallbackRefusal): CallbackCheck => ({ verified: false, reason })
  const match = AUTHORIZATION.exec(one(request.headers.authorization) ?? '')
  if (match === null) return refuse('AUTHORIZATION_MALFORMED')
  const [, key = '', nonce = '', signature = ''] = match
  const date = one(request.headers['x-m-date'])
  if (date === undefined || !HTTP_DATE.test(date)) return refuse('DATE_MALFORMED')
  if (Math.abs(now.getTime() - Date.parse(date)) > windowSeconds * 1000) return refuse('DATE_OUT_OF_WINDOW')
  const secret = secretOf(key)
  if (secret === undefined) return refuse('KEY_UNKNOWN')
  const md5 = bodyMd5(request.rawBody)
  const sentMd5 = one(request.headers['content-md5'])
  if (sentMd5 !== undefined && sentMd5.toLowerCase() !== md5) return refuse('CONTENT_MD5_MISMATCH')
  const lines = { method: request.method, uri: request.uri, contentMd5: md5, contentType: one(request.headers['content-type']) ?? '', date, nonce }
  return isDeveloperSignature(secret, lines, signature) ? { verified: true, key, nonce } : refuse('SIGNATURE_MISMATCH')
}
