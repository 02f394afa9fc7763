import { timingSafeEqual } from 'node:crypto'
import { parseAuthorization } from './authorization.js'
import { contentMd5 } from './content-md5.js'
import { SigningError, SigningErrorCode } from './errors.js'
import { parseHttpDate } from './http-date.js'
import { singleHeader, type RequestHeaders } from './request-headers.js'
import { signatureDigest } from './string-to-sign.js'

/** The request exactly as received. */
export interface IncomingSignedRequest {
  /** As sent (Node's `req.method`). */
  method: string
  /** The request target as sent: Node's `req.url` (Fastify: `request.raw.url`), never a decoded or rebuilt one. */
  uri: string
  headers: RequestHeaders
  /** The body bytes as received, before any parsing; undefined or empty when there is none. */
  rawBody: Uint8Array | string | undefined
}

/** The developer's secret for a key, or undefined when the key is unknown. Errors it throws pass through. */
export type SecretLookup = (key: string) => Promise<string | Buffer | undefined> | string | Buffer | undefined

export interface VerifyOptions {
  /** The server's clock; defaults to the current time. */
  now?: Date
  /** How far X-M-Date may be from `now`, either way, in seconds; defaults to 300. */
  windowSeconds?: number
}

export interface VerifiedRequest {
  key: string
  /** Not checked for replay here: the caller keeps the store of seen nonces. */
  nonce: string
  /** The signed X-M-Date, e.g. to expire the nonce from the replay store after the window. */
  date: Date
}

export const DEFAULT_WINDOW_SECONDS = 300

/**
 * Checks a MAAIISDK10-signed request, cheapest checks first: the Authorization header, X-M-Date
 * against the window, the Content-MD5 header against the body, the key, then the signature.
 *
 * Content-MD5 is optional: the signature always covers the MD5 of the body actually received, so a
 * missing header changes nothing (as M800's guide says), and a present one must merely agree.
 */
export async function verifyRequest (
  request: IncomingSignedRequest,
  lookupSecret: SecretLookup,
  options: VerifyOptions = {}
): Promise<VerifiedRequest> {
  const { now = new Date(), windowSeconds = DEFAULT_WINDOW_SECONDS } = options
  if (!Number.isInteger(windowSeconds) || windowSeconds < 0 || Number.isNaN(now.getTime())) {
    throw new SigningError(SigningErrorCode.INVALID_ARGUMENT, 'windowSeconds must be a non-negative integer and now a valid Date')
  }
  const { key, nonce, signature } = parseAuthorization(singleHeader(request.headers, 'authorization'))

  const dateText = singleHeader(request.headers, 'x-m-date')
  if (dateText === undefined) throw new SigningError(SigningErrorCode.DATE_MISSING, 'the X-M-Date header is missing')
  const date = parseHttpDate(dateText)
  // X-M-Date has whole seconds; truncating the clock too makes the window exact at both ends.
  const skewSeconds = Math.floor(now.getTime() / 1000) - date.getTime() / 1000
  if (Math.abs(skewSeconds) > windowSeconds) {
    throw new SigningError(SigningErrorCode.DATE_OUT_OF_WINDOW,
      `X-M-Date is ${Math.abs(skewSeconds)} s from the server clock; at most ${windowSeconds} s is accepted`)
  }

  const bodyMd5 = contentMd5(request.rawBody)
  const md5Header = singleHeader(request.headers, 'content-md5')
  if (md5Header !== undefined && md5Header.toLowerCase() !== bodyMd5) {
    throw new SigningError(SigningErrorCode.CONTENT_MD5_MISMATCH, 'the Content-MD5 header does not match the body')
  }

  const secret = await lookupSecret(key)
  if (secret == null) {
    throw new SigningError(SigningErrorCode.KEY_UNKNOWN, 'the developer key is unknown')
  }

  const contentType = singleHeader(request.headers, 'content-type') ?? ''
  // HTTP parsers refuse line breaks here, but a hand-built request (an inject in a test) could carry
  // one; no honest client can have signed it, and stringToSign would call it a caller's mistake.
  if (/[\r\n]/.test(request.method + request.uri + contentType)) {
    throw new SigningError(SigningErrorCode.SIGNATURE_MISMATCH, 'the method, URI or Content-Type contains a line break')
  }
  const expected = signatureDigest(secret, { method: request.method, uri: request.uri, contentMd5: bodyMd5, contentType, date: dateText, nonce })
  // parseAuthorization guarantees 64 hex digits, so both sides are 32 bytes: the comparison time
  // depends on neither value.
  if (!timingSafeEqual(Buffer.from(signature, 'hex'), expected)) {
    throw new SigningError(SigningErrorCode.SIGNATURE_MISMATCH, 'the signature does not match the request')
  }
  return { key, nonce, date }
}
