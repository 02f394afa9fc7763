import { createHmac } from 'node:crypto'
import { SigningError, SigningErrorCode } from './errors.js'

/** The six request elements covered by a MAAIISDK10 signature. */
export interface SignatureParts {
  /** The HTTP method as sent, e.g. `POST`. */
  method: string
  /** The request target as sent: path and query, unaltered (no decoding, no reordering). */
  uri: string
  /** Lowercase hex MD5 of the body; empty when there is no body. */
  contentMd5: string
  /** The Content-Type header as sent; empty when absent. */
  contentType: string
  /** The X-M-Date header value. */
  date: string
  nonce: string
}

const ORDER = ['method', 'uri', 'contentMd5', 'contentType', 'date', 'nonce'] as const

/**
 * The parts joined by `\n`, no trailing line feed. Empty parts keep their line, so a request
 * without a body still has two (empty) lines for the MD5 and the content type.
 */
export function stringToSign (parts: SignatureParts): string {
  for (const name of ORDER) {
    // A line feed inside a part would let two different requests share one string to sign.
    if (/[\r\n]/.test(parts[name])) {
      throw new SigningError(SigningErrorCode.INVALID_ARGUMENT, `the ${name} must not contain a line break`)
    }
  }
  return ORDER.map((name) => parts[name]).join('\n')
}

/** Raw HMAC-SHA256 of the string to sign (32 bytes); the signature is its lowercase hex. */
export function signatureDigest (secret: string | Buffer, parts: SignatureParts): Buffer {
  if (secret.length === 0) {
    throw new SigningError(SigningErrorCode.INVALID_ARGUMENT, 'the secret must not be empty')
  }
  return createHmac('sha256', secret).update(stringToSign(parts), 'utf8').digest()
}

/** The MAAIISDK10 signature: lowercase hex of HMAC-SHA256(secret, stringToSign(parts)). */
export function sign (secret: string | Buffer, parts: SignatureParts): string {
  return signatureDigest(secret, parts).toString('hex')
}
