import { ApiErrorCode, signedApiErrorCodeFor } from '@beacon/contracts'
import { finished } from 'node:stream'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { observeRouterAnswer } from './metrics/http-requests.js'

/**
 * Longest path parameter the router takes, counted as find-my-way counts it, after decoding (but
 * for the reserved characters it keeps encoded, three each): a `username@carrier` of 509 characters,
 * every one of them such a character, would be 1,527: within it.
 */
export const MAX_PARAM_LENGTH = 2048

const ANSWERS: Record<string, [number, string]> = {
  FST_ERR_BAD_URL: [400, 'the request URL is malformed'],
  FST_ERR_MAX_PARAM_LENGTH: [414, `a path parameter is longer than ${MAX_PARAM_LENGTH} characters`],
  FST_ERR_ASYNC_CONSTRAINT: [400, 'the request could not be routed']
}

/**
 * Errors of the router itself, before any route or scope is known (Fastify's frameworkErrors):
 * answered in the error body of the API the path belongs to. The path only picks the body's
 * format here; nothing is authorised by it. No hook runs for these answers: they are timed here.
 */
export function answerRouterError (error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  whenAnswered(request, reply)
  const [status, message] = ANSWERS[error.code] ?? [400, 'the request could not be routed']
  return answerByPath(request, reply, status, message)
}

/**
 * An error answered in the body of the API the path belongs to, by the path alone: for answers
 * given before any scope's own error handler can (the router's, a hook's at the root).
 */
export function answerByPath (request: FastifyRequest, reply: FastifyReply, status: number, message: string): FastifyReply {
  const body = request.url.startsWith('/api/')
    ? { error: { status, code: signedApiErrorCodeFor(status), message } }
    : { status: 'ERROR', responseObject: { code: status === 400 ? ApiErrorCode.GENERIC : ApiErrorCode.REQUEST, message } }
  return reply.code(status).type('application/json; charset=utf-8').send(body)
}

/**
 * A WebSocket upgrade answered with an HTTP response (refused by a hook: a cross-site write, load
 * shedding, an unknown path; or by the router) keeps no connection. Node hands an upgrade's socket
 * to whoever takes it, no request timeout applies to it any more, and @fastify/websocket closes
 * only those its own hook (registered late, with the in-app channel) had marked: any refused
 * before stayed open for ever, and held up the api's stop. An upgrade the channel takes gets no
 * HTTP response, so never comes here.
 */
export function closeRefusedUpgrade (request: FastifyRequest): void {
  if ((request.raw as { upgrade?: boolean }).upgrade !== true) return
  // Ended, so that the answer goes first (and TLS says goodbye); destroyed soon after whatever the peer does.
  const socket = request.raw.socket
  socket.end()
  setTimeout(() => { socket.destroy() }, CLOSE_GRACE_MS).unref()
}

/** How long a refused upgrade's socket may take to close after its answer. */
const CLOSE_GRACE_MS = 1000

/**
 * Fastify runs no hook for the router's answers, onResponse included: their metric and their
 * access line (as create-server.ts writes every other one) come when the response has gone.
 */
function whenAnswered (request: FastifyRequest, reply: FastifyReply): void {
  const started = performance.now()
  finished(reply.raw, () => {
    const elapsedMs = performance.now() - started
    observeRouterAnswer(request, reply, elapsedMs)
    request.log.info({ req: request, res: reply, responseTime: elapsedMs }, 'request completed')
  })
  // Not in `finished`'s callback: on an upgrade's socket, handed to no one, the response is never 'close'd.
  reply.raw.once('finish', () => { closeRefusedUpgrade(request) })
}
