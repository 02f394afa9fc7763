/**
 * Codes in `responseObject.code` of the PowerAuth-compatible API's error body. ERROR_GENERIC,
 * ERROR_DATABASE, ERROR_REQUEST (with `violations`) and ERROR_PA_SERVER_COMM are PowerAuth's own;
 * the others name conditions PowerAuth reports as ERROR_GENERIC or as a bare 500.
 */
export const ApiErrorCode = {
  /** 400: the request or the business rule failed; the message says which field or rule. */
  GENERIC: 'ERROR_GENERIC',
  /** 503: the database could not be reached or failed. */
  DATABASE: 'ERROR_DATABASE',
  /** 401: missing or wrong credentials. */
  UNAUTHORIZED: 'ERROR_UNAUTHORIZED',
  /** 403: a console request that does not prove it comes from the console's page (no X-Beacon-Console header). */
  FORBIDDEN: 'ERROR_FORBIDDEN',
  /** 404: no such endpoint. */
  NOT_FOUND: 'ERROR_NOT_FOUND',
  /**
   * 405/413/414/415: wrong method, size or content type; and 400 with `violations` on the
   * endpoints PowerAuth 1.5+ validates that way (inbox posts).
   */
  REQUEST: 'ERROR_REQUEST',
  /** 429: too many requests (e.g. wrong credentials from one address); the Retry-After header says how long to wait. */
  TOO_MANY_REQUESTS: 'ERROR_TOO_MANY_REQUESTS',
  /** 400: the PowerAuth server failed or answered something unusable (PowerAuth's name for it). */
  POWERAUTH: 'ERROR_PA_SERVER_COMM',
  /** 503: the api is overloaded (its event loop lags); the Retry-After header says when to try again. */
  OVERLOADED: 'ERROR_OVERLOADED',
  /** 500: a defect of ours; the log has the details. */
  INTERNAL: 'ERROR_INTERNAL'
} as const
export type ApiErrorCode = typeof ApiErrorCode[keyof typeof ApiErrorCode]
