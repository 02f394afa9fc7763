import { timingSafeEqual } from 'node:crypto'
import { parseAuthorization } from './authorization.js'
import { contentMd5 } from './content-md5.js'
import { SigningError, SigningErrorCode } from './errors.js'
import { parseHttpDate } from './http-date.js'
import { singleHeader, type RequestHeaders } from './request-headers.js'
import { signatureDigest, type SignatureParts } from './string-to-sign.js'

/** The request line and headers exactly as received: everything a signature covers but the body. */
export interface IncomingSignedHead {
  /** As sent (Node's `req.method`). */
  method: string
  /** The request target as sent: Node's `req.url` (Fastify: `request.raw.url`), never a decoded or rebuilt one. */
  uri: string
  headers: RequestHeaders
}

/** The request exactly as received. */
export interface IncomingSignedRequest extends IncomingSignedHead {
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
 * What the head of a request proved. With a Content-MD5 header the signature is already checked
 * (it covers that header's value); without one it can only be checked once the body is read.
 */
export interface VerifiedHead extends VerifiedRequest {
  /** The lowercase Content-MD5 the signature was checked with, or undefined if it was not yet. */
  signedContentMd5: string | undefined
  /** For the body check when the signature is still open. */
  readonly pending: { secret: string | Buffer, parts: Omit<SignatureParts, 'contentMd5'>, signature: string } | undefined
}

/**
 * The first half of verifyRequest, for a server that has not read the body yet: the Authorization
 * header, X-M-Date against the window, the key, and, when a Content-MD5 header was sent, the
 * signature. A request that fails here never costs the server its body.
 */
export async function verifyRequestHead (
  request: IncomingSignedHead,
  lookupSecret: SecretLookup,
  options: VerifyOptions = {}
): Promise<VerifiedHead> {
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
  const md5Header = singleHeader(request.headers, 'content-md5')?.toLowerCase()
  const contentType = singleHeader(request.headers, 'content-type') ?? ''

  const secret = await lookupSecret(key)
  if (secret == null) {
    throw new SigningError(SigningErrorCode.KEY_UNKNOWN, 'the developer key is unknown')
  }
  // HTTP parsers refuse line breaks here, but a hand-built request (an inject in a test) could carry
  // one; no honest client can have signed it, and stringToSign would call it a caller's mistake.
  if (/[\r\n]/.test(request.method + request.uri + contentType + (md5Header ?? ''))) {
    throw new SigningError(SigningErrorCode.SIGNATURE_MISMATCH, 'the method, URI, Content-MD5 or Content-Type contains a line break')
  }
  const parts = { method: request.method, uri: request.uri, contentType, date: dateText, nonce }
  if (md5Header === undefined) return { key, nonce, date, signedContentMd5: undefined, pending: { secret, parts, signature } }
  checkSignature(secret, { ...parts, contentMd5: md5Header }, signature)
  return { key, nonce, date, signedContentMd5: md5Header, pending: undefined }
}

/**
 * The second half: the body against the Content-MD5 the signature covered, or, without that
 * header, the signature over the MD5 of the body received (as M800's guide says, the header is
 * optional because the signature always covers the body actually sent).
 */
export function verifyRequestBody (head: VerifiedHead, rawBody: Uint8Array | string | undefined): VerifiedRequest {
  const bodyMd5 = contentMd5(rawBody)
  if (head.pending !== undefined) {
    checkSignature(head.pending.secret, { ...head.pending.parts, contentMd5: bodyMd5 }, head.pending.signature)
  } else if (head.signedContentMd5 !== bodyMd5) {
    throw new SigningError(SigningErrorCode.CONTENT_MD5_MISMATCH, 'the Content-MD5 header does not match the body')
  }
  return { key: head.key, nonce: head.nonce, date: head.date }
}

function checkSignature (secret: string | Buffer, parts: SignatureParts, signature: string): void {
  const expected = signatureDigest(secret, parts)
  // parseAuthorization guarantees 64 hex digits, so both sides are 32 bytes: the comparison time
  // depends on neither value.
  if (!timingSafeEqual(Buffer.from(signature, 'hex'), expected)) {
    throw new SigningError(SigningErrorCode.SIGNATURE_MISMATCH, 'the signature does not match the request')
  }
}

/**
 * Checks a MAAIISDK10-signed request whose body is at hand: verifyRequestHead, then
 * verifyRequestBody. Cheapest checks first: the Authorization header, X-M-Date against the
 * window, the key, then the signature and the body's MD5.
 */
export async function verifyRequest (
  request: IncomingSignedRequest,
  lookupSecret: SecretLookup,
  options: VerifyOptions = {}
): Promise<VerifiedRequest> {
  return verifyRequestBody(await verifyRequestHead(request, lookupSecret, options), request.rawBody)
}
