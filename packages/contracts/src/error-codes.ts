/**
 * Codes in `responseObject.code` of the PowerAuth-compatible API's error body. The first two are
 * PowerAuth's own; the others name conditions PowerAuth reports as ERROR_GENERIC or as a bare 500.
 */
export const ApiErrorCode = {
  /** 400: the request or the business rule failed; the message says which field or rule. */
  GENERIC: 'ERROR_GENERIC',
  /** 503: the database could not be reached or failed. */
  DATABASE: 'ERROR_DATABASE',
  /** 401: missing or wrong credentials. */
  UNAUTHORIZED: 'ERROR_UNAUTHORIZED',
  /** 404: no such endpoint. */
  NOT_FOUND: 'ERROR_NOT_FOUND',
  /** 405/415/413: wrong method, content type or size. */
  REQUEST: 'ERROR_REQUEST',
  /** 429: too many requests (e.g. wrong credentials from one address); the Retry-After header says how long to wait. */
  TOO_MANY_REQUESTS: 'ERROR_TOO_MANY_REQUESTS',
  /** 400: the PowerAuth server failed or answered something unusable. */
  POWERAUTH: 'ERROR_POWERAUTH_SERVICE',
  /** 500: a defect of ours; the log has the details. */
  INTERNAL: 'ERROR_INTERNAL'
} as const
export type ApiErrorCode = typeof ApiErrorCode[keyof typeof ApiErrorCode]
