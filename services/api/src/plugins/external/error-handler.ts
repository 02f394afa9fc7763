import { ApiErrorCode } from '@beacon/contracts'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { ApiError, REFUSED_INPUT_MESSAGE, TooManyFailures, isDatabaseFailure, refusedInput } from '../../errors.js'
import { describeValidationError, describeViolation } from './validation-message.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * `violations`: a body PowerAuth validates with `@Valid` (the inbox posts, PowerAuth 1.5+) is
     * refused as PowerAuth does: 400 ERROR_REQUEST with a `violations` list. Otherwise ERROR_GENERIC.
     */
    validationErrors?: 'violations'
  }
}

function send (reply: FastifyReply, statusCode: number, code: string, message: string) {
  return reply.code(statusCode).type('application/json; charset=utf-8')
    .send({ status: 'ERROR', responseObject: { code, message } })
}

// Fastify's own errors for a request it could not read: each is the client's fault, never a 500.
const REQUEST_ERRORS: Record<string, number> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 415,
  FST_ERR_CTP_BODY_TOO_LARGE: 413,
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 400,
  FST_ERR_CTP_EMPTY_JSON_BODY: 400,
  FST_ERR_CTP_INVALID_JSON_BODY: 400
  // (A malformed URL never reaches a route or this handler: router-errors.ts answers it.)
}

/**
 * Every error leaves in the PowerAuth error body; unexpected ones are logged, not echoed. (A known
 * path asked with a method it does not take is a 405 with `Allow`: see wrong-method.ts.)
 */
export default fp(async (app) => {
  // The signed API (/api/…) answers its own unknown paths in its own scope; the Basic-auth API
  // answers a wrong method on its paths itself, after the credentials (wrong-method.ts).
  const notFound = (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0] ?? ''
    return send(reply, 404, ApiErrorCode.NOT_FOUND, `no endpoint ${request.method} ${path}`)
  }
  app.setNotFoundHandler(notFound)
  // A path no route has is answered before its body is read: Fastify read and parsed up to
  // BODY_LIMIT_BYTES of it first (no credentials guard a path no route has), which let anyone
  // make the api parse 5 MiB of JSON per request for a 404. The hook runs for every request; the
  // not-found handler of another scope (the signed API's, bound to its own instance, answers
  // after its own checks) is left to that scope. The connection closes rather than carry a body
  // left unread (and a WebSocket upgrade's is closed after its answer: closeRefusedUpgrade).
  app.addHook('onRequest', function answerUnknownPath (this: unknown, request, reply, done) {
    if (!request.is404 || this !== app) { done(); return }
    if (Number(request.headers['content-length']) > 0 || request.headers['transfer-encoding'] !== undefined) reply.header('connection', 'close')
    notFound(request, reply)
  })

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof ApiError) return send(reply, error.statusCode, error.code, error.message)
    if (error.validation !== undefined) {
      const violation = request.routeOptions.config.validationErrors === 'violations'
        ? describeViolation(error.validation, error.validationContext)
        : undefined
      if (violation !== undefined) {
        // PowerAuth 1.5+'s ERROR_REQUEST, with our sentence as the message (theirs is a generic one).
        return reply.code(400).type('application/json; charset=utf-8').send({
          status: 'ERROR',
          responseObject: { code: ApiErrorCode.REQUEST, message: `${violation.fieldName} ${violation.hint}`, violations: [violation] }
        })
      }
      return send(reply, 400, ApiErrorCode.GENERIC, describeValidationError(error.validation, error.validationContext))
    }
    if (error.code !== undefined && error.code in REQUEST_ERRORS) {
      const status = REQUEST_ERRORS[error.code] ?? 400
      const code = status === 400 ? ApiErrorCode.GENERIC : ApiErrorCode.REQUEST
      const message = error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ? 'request body is not valid JSON' : error.message
      return send(reply, status, code, message)
    }
    if (error.statusCode === 401) return send(reply, 401, ApiErrorCode.UNAUTHORIZED, 'authentication required: wrong or missing credentials')
    if (error instanceof TooManyFailures) {
      return send(reply.header('retry-after', String(error.retryAfterSeconds)), 429, ApiErrorCode.TOO_MANY_REQUESTS, error.message)
    }
    if (error instanceof SyntaxError && error.statusCode === 400) return send(reply, 400, ApiErrorCode.GENERIC, 'request body is not valid JSON')
    // Before the database's failures: a client gone in the middle of its body is Node's
    // ECONNRESET 'aborted' with Fastify's 400, and ECONNRESET is also a broken database connection.
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      return send(reply, error.statusCode, ApiErrorCode.REQUEST, error.message)
    }
    const refused = refusedInput(error)
    if (refused !== undefined) {
      request.log.warn(refused, 'the database refused a value of the request')
      return send(reply, 400, ApiErrorCode.GENERIC, REFUSED_INPUT_MESSAGE)
    }
    if (isDatabaseFailure(error)) {
      request.log.error({ err: error }, 'database failure')
      return send(reply, 503, ApiErrorCode.DATABASE, 'the database failed to process the request')
    }
    request.log.error({ err: error }, 'unexpected error')
    return send(reply, 500, ApiErrorCode.INTERNAL, 'internal error; see the server log')
  })
}, { name: 'error-handler', dependencies: ['route-auth'] })
