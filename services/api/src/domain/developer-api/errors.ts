import { SignedApiErrorCode, signedApiErrorCodeFor } from '@beacon/contracts'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { ApiError, REFUSED_INPUT_MESSAGE, isDatabaseFailure, refusedInput } from '../../errors.js'
import { describeValidationError } from '../../plugins/external/validation-message.js'

/**
 * An error of the signed developer API with its place in the body
 * `{"error":{"status":…,"code":…,"message":"…"}}`; the signed API's error handler sends it as is.
 */
export class SignedApiError extends Error {
  override name = 'SignedApiError'
  readonly signedApiCode: number
  constructor (readonly statusCode: number, message: string, code?: number, options?: { cause?: unknown }) {
    super(message, options)
    this.signedApiCode = code ?? signedApiErrorCodeFor(statusCode)
  }
}

export interface SignedApiFailure {
  status: number
  code: number
  message: string
}

/** The message of a 413: a body larger than the signed API's limit (SIGNED_BODY_LIMIT_BYTES). */
export const BODY_TOO_LARGE_MESSAGE = 'the request body is larger than the server accepts'

// Fastify's errors for a request it could not read: each is the client's fault, never a 500.
const REQUEST_ERRORS: Record<string, [number, string]> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'the Content-Type header is not a valid media type'],
  FST_ERR_CTP_BODY_TOO_LARGE: [413, BODY_TOO_LARGE_MESSAGE],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'the Content-Length header does not match the body'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'the request body is empty'],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'the request body is not valid JSON']
  // (A malformed URL never reaches a route or this handler: router-errors.ts answers it.)
}

/** Status, code and message of any error of the signed API; 4xx for everything the client caused. */
export function describeSignedApiError (error: FastifyError): SignedApiFailure {
  const failure = (status: number, message: string, code = signedApiErrorCodeFor(status)) => ({ status, code, message })
  if (error instanceof SignedApiError) return failure(error.statusCode, error.message, error.signedApiCode)
  if (error instanceof ApiError) return failure(error.statusCode, error.message)
  if (error.validation !== undefined) return failure(400, describeValidationError(error.validation, error.validationContext))
  const known = error.code === undefined ? undefined : REQUEST_ERRORS[error.code]
  if (known !== undefined) return failure(...known)
  if (error instanceof SyntaxError && error.statusCode === 400) return failure(400, 'the request body is not valid JSON')
  // Before the database's failures: a client gone mid-body is ECONNRESET with Fastify's 400 (error-handler.ts).
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) return failure(error.statusCode, error.message)
  if (refusedInput(error) !== undefined) return failure(400, REFUSED_INPUT_MESSAGE)
  if (isDatabaseFailure(error)) return failure(503, 'the database failed to process the request; retry later')
  return failure(500, 'internal error; see the server log')
}

/** `{"error":{"status":…,"code":…,"message":"…"}}` with that status. */
export function sendSignedApiError (reply: FastifyReply, status: number, code: number, message: string) {
  return reply.code(status).type('application/json; charset=utf-8').send({ error: { status, code, message } })
}

/**
 * An error handler answering in the signed API's body, for the scopes that answer in it (the
 * signed API, the in-app channel); what it did not cause is logged as `failed`.
 */
export function signedApiErrorHandler (failed: string) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const failure = describeSignedApiError(error)
    if (failure.status >= 500) request.log.error({ err: error }, failed)
    const refused = refusedInput(error)
    if (refused !== undefined) request.log.warn(refused, 'the database refused a value of the request')
    return sendSignedApiError(reply, failure.status, failure.code, failure.message)
  }
}

/** 429 in the signed API's body, with the Retry-After every limit of the signed API and the in-app channel sends. */
export function sendTooManyRequests (reply: FastifyReply, retryAfterSeconds: number, message: string) {
  return sendSignedApiError(reply.header('retry-after', String(retryAfterSeconds)), 429, SignedApiErrorCode.TOO_MANY_REQUESTS, message)
}
