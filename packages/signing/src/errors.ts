/**
 * Stable error codes of @beacon/signing. Every reason a signed request is refused has its own code,
 * so the api can log precisely while answering the client with one generic 401.
 */
export const SigningErrorCode = {
  /** A caller passed something unusable (an empty secret, an invalid Date, a line feed in a part). */
  INVALID_ARGUMENT: 'SIGNING_INVALID_ARGUMENT',

  /** No Authorization header, or an empty one. */
  AUTH_HEADER_MISSING: 'SIGNING_AUTH_HEADER_MISSING',
  /** The Authorization header is longer than any well-formed one can be. */
  AUTH_HEADER_TOO_LONG: 'SIGNING_AUTH_HEADER_TOO_LONG',
  /** A signing header (Authorization, X-M-Date, Content-MD5, Content-Type) was sent more than once. */
  HEADER_REPEATED: 'SIGNING_HEADER_REPEATED',
  /** The header does not start with exactly `MAAIISDK10 `. */
  AUTH_SCHEME_INVALID: 'SIGNING_AUTH_SCHEME_INVALID',
  /** The parameter list is not `name="value"` pairs separated by commas. */
  AUTH_PARAMS_MALFORMED: 'SIGNING_AUTH_PARAMS_MALFORMED',
  /** A parameter value is not enclosed in double quotes. */
  AUTH_PARAM_UNQUOTED: 'SIGNING_AUTH_PARAM_UNQUOTED',
  /** A parameter other than key, nonce and signature. */
  AUTH_PARAM_UNKNOWN: 'SIGNING_AUTH_PARAM_UNKNOWN',
  /** key, nonce or signature given twice. */
  AUTH_PARAM_DUPLICATE: 'SIGNING_AUTH_PARAM_DUPLICATE',
  /** key, nonce or signature absent. */
  AUTH_PARAM_MISSING: 'SIGNING_AUTH_PARAM_MISSING',
  /** The key is empty, too long or has characters outside the allowed set. */
  AUTH_KEY_INVALID: 'SIGNING_AUTH_KEY_INVALID',
  /** The nonce is empty, too long or has characters outside the allowed set. */
  AUTH_NONCE_INVALID: 'SIGNING_AUTH_NONCE_INVALID',
  /** The signature is not 64 lowercase hex digits. */
  AUTH_SIGNATURE_INVALID: 'SIGNING_AUTH_SIGNATURE_INVALID',

  /** No X-M-Date header. */
  DATE_MISSING: 'SIGNING_DATE_MISSING',
  /** X-M-Date is not an RFC 1123 GMT date such as `Thu, 12 Sep 2013 18:49:58 GMT`. */
  DATE_INVALID: 'SIGNING_DATE_INVALID',
  /** X-M-Date is further from the server's clock than the allowed window. */
  DATE_OUT_OF_WINDOW: 'SIGNING_DATE_OUT_OF_WINDOW',

  /** No secret is known for the key. */
  KEY_UNKNOWN: 'SIGNING_KEY_UNKNOWN',
  /** A Content-MD5 header was sent and does not match the body received. */
  CONTENT_MD5_MISMATCH: 'SIGNING_CONTENT_MD5_MISMATCH',
  /** The signature does not match the request. */
  SIGNATURE_MISMATCH: 'SIGNING_SIGNATURE_MISMATCH'
} as const
export type SigningErrorCode = typeof SigningErrorCode[keyof typeof SigningErrorCode]

export class SigningError extends Error {
  override name = 'SigningError'
  constructor (readonly code: SigningErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
  }
}
