import { ApiErrorCode, SignedApiErrorCode } from '@beacon/contracts'
import underPressure, { type FastifyUnderPressureOptions } from '@fastify/under-pressure'
import type { FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { countShedRequest } from '../../metrics/under-pressure.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A route's own answer under pressure (under-pressure reads it); `letThrough` never sheds it. */
    pressureHandler?: (request: FastifyRequest, reply: FastifyReply) => undefined
  }
}

/** For the routes that must answer however loaded the api is: health probes and the scrape. */
export const letThrough = (): undefined => undefined

const RETRY_AFTER_SECONDS = 5
const MESSAGE = 'the server is overloaded; retry later'

/**
 * Sheds load with a 503 (and Retry-After) while the event loop's mean delay is above
 * MAX_EVENT_LOOP_DELAY_MS: a late answer is worth less than a quick refusal the client can retry.
 * The body is that of the API the path belongs to (the path only picks the format, as for the
 * router's own errors); the requests shed are counted.
 */
export default fp<{ maxEventLoopDelayMs: number }>(async (app, { maxEventLoopDelayMs }) => {
  if (maxEventLoopDelayMs === 0) return
  const shed = (request: FastifyRequest, reply: FastifyReply) => {
    countShedRequest()
    reply.code(503).header('retry-after', String(RETRY_AFTER_SECONDS)).type('application/json; charset=utf-8')
    return request.url.startsWith('/api/')
      ? { error: { status: 503, code: SignedApiErrorCode.UNAVAILABLE, message: MESSAGE } }
      : { status: 'ERROR', responseObject: { code: ApiErrorCode.OVERLOADED, message: MESSAGE } }
  }
  await app.register(underPressure, {
    maxEventLoopDelay: maxEventLoopDelayMs,
    // A returned body is sent as the answer (the typings say void, the plugin sends what it gets).
    pressureHandler: shed as unknown as FastifyUnderPressureOptions['pressureHandler']
  })
}, { name: 'under-pressure' })
