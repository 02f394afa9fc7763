import { Type, type Static } from 'typebox'

/**
 * Numeric codes of the signed developer API's error body: the HTTP status times 100, plus a
 * detail digit where a status has several causes a developer can act on differently.
 */
export const SignedApiErrorCode = {
  /** 400: the request is malformed; the message names the field. */
  BAD_REQUEST: 40000,
  /** 401: not signed, wrongly signed, unknown or disabled key, replayed nonce, stale date (one answer for all). */
  UNAUTHORIZED: 40100,
  /** 403: the developer may not address this carrier. */
  FORBIDDEN: 40300,
  /** 404: no such endpoint or resource. */
  NOT_FOUND: 40400,
  /** 405: the method is not allowed. */
  METHOD_NOT_ALLOWED: 40500,
  /** 409: the request conflicts with the current state. */
  CONFLICT: 40900,
  /** 413: the body is larger than the server accepts. */
  PAYLOAD_TOO_LARGE: 41300,
  /** 415: the Content-Type is not usable. */
  UNSUPPORTED_MEDIA_TYPE: 41500,
  /** 429: too many requests. */
  TOO_MANY_REQUESTS: 42900,
  /** 500: a defect of ours; the log has the details. */
  INTERNAL: 50000,
  /** 503: a dependency (the database) failed; retry later. */
  UNAVAILABLE: 50300
} as const
export type SignedApiErrorCode = typeof SignedApiErrorCode[keyof typeof SignedApiErrorCode]

/** The code of an HTTP status without a more specific one: status × 100 (400 → 40000). */
export function signedApiErrorCodeFor (status: number): number {
  return status * 100
}

/** The scheme named in the WWW-Authenticate header of every 401 of the signed API. */
export const SIGNED_API_AUTH_SCHEME = 'MAAIISDK10'

/** The one message of every 401: the reason is logged, never told, so that a failure is no oracle. */
export const SIGNED_API_UNAUTHORIZED_MESSAGE =
  'the request is not authorized: it must be signed (MAAIISDK10) with the key and secret of an enabled developer, ' +
  'with a fresh nonce and an X-M-Date within the accepted window'

/** `{"error":{"status":401,"code":40100,"message":"…"}}`: every error of the signed API. */
export const SignedApiErrorBody = Type.Object({
  error: Type.Object({
    status: Type.Integer(),
    code: Type.Integer(),
    message: Type.String()
  })
})
export type SignedApiErrorBody = Static<typeof SignedApiErrorBody>
