import { InAppConnectQuery, SignedApiErrorCode, signedApiErrorCodeFor } from '@beacon/contracts'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { randomUUID } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { LevelWithSilent } from 'pino'
import type { ApiLimits } from '../../config-limits.js'
import { sendSignedApiError, sendTooManyRequests, signedApiErrorHandler } from '../../domain/developer-api/errors.js'
import { isAdmitted } from '../../domain/in-app/admission.js'
import { MAX_CLIENT_ERRORS_PER_MINUTE, serveInAppSocket } from '../../domain/in-app/session.js'
import type { InAppGrant } from '../../domain/in-app/token.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** Set on the in-app channel's route once the token is verified and still admitted. */
    inApp: { grant: InAppGrant, token: string } | null
  }
}

function tokenOf (authorization: string | undefined, query: InAppConnectQuery): string | undefined {
  const bearer = /^Bearer (\S+)$/.exec(authorization ?? '')
  // Before validation: a repeated ?token= arrives as an array, which is no token.
  return bearer?.[1] ?? (typeof query.token === 'string' ? query.token : undefined)
}

// Quietest last. The connect route logs at `warn`, or at the server's level if that is quieter.
const LEVELS: LevelWithSilent[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']
const warnOrQuieter = (level: string): LevelWithSilent => LEVELS.find((known) => known === level && LEVELS.indexOf(known) > LEVELS.indexOf('warn')) ?? 'warn'

const unauthorized = (reply: FastifyReply) => sendSignedApiError(reply, 401, SignedApiErrorCode.UNAUTHORIZED,
  'a valid, unexpired in-app token is required (query token= or Authorization: Bearer)')
/** 30 to 89 s: a refusal for want of room. */
const retryAfterSeconds = () => 30 + Math.floor(Math.random() * 60)

const tooMany = (reply: FastifyReply, wait: number, what: string) =>
  sendTooManyRequests(reply, wait, `too many connections ${what}; retry in ${wait} s`)

/**
 * `GET /api/1.0/im/connect`: the in-app (IM) channel of one user's app, a WebSocket opened with a
 * token from `POST /api/1.0/im/token`. Not in the signed context: apps have no developer secret.
 * Connects are limited per client address and per token, open sockets per developer and per instance; a token is
 * honoured only while its developer is enabled, on the secret it was issued under, and granted the application.
 */
const inAppRoutes: FastifyPluginAsyncTypebox<{ limits: ApiLimits }> = async (app, { limits }) => {
  app.decorateRequest('inApp', null)
  // Its refusals (a token too long, repeated) in the body of the API that issues its tokens, as its 401 and 429.
  app.setErrorHandler(signedApiErrorHandler('in-app connect failed'))
  const perAddress = app.createLimit({ max: limits.inAppConnectsPerMinute, windowMs: 60_000 })
  const perToken = app.createLimit({ max: limits.inAppConnectsPerTokenPerMinute, windowMs: 60_000, keyOf: (request) => request.inApp?.token ?? '' })
  // Keyed by the upgrade request, which lives as long as its socket: by a random key of its own,
  // not request.id, which a client could choose were ids ever taken from a request header.
  const socketKeys = new WeakMap<FastifyRequest, string>()
  const socketKey = (request: FastifyRequest) => {
    let key = socketKeys.get(request)
    if (key === undefined) socketKeys.set(request, key = randomUUID())
    return key
  }
  const acks = app.createLimit({ max: limits.inAppAcksPerMinute, windowMs: 60_000, keyOf: (request) => `ack:${socketKey(request)}` })
  const faults = app.createLimit({ max: MAX_CLIENT_ERRORS_PER_MINUTE, windowMs: 60_000, keyOf: (request) => `fault:${socketKey(request)}` })

  app.route({
    method: 'GET',
    url: '/api/1.0/im/connect',
    // Its URL may carry the token (?token=): its access lines (info) are never written. Any line
    // that names the request would have the token redacted besides (create-server.ts).
    logLevel: warnOrQuieter(app.log.level),
    config: { auth: 'in-app-token', webSocket: true },
    schema: { querystring: InAppConnectQuery },
    onRequest: async (request, reply) => {
      const wait = await perAddress.hit(request)
      if (wait > 0) return await tooMany(reply, wait, 'from this address')
    },
    // Refused before the upgrade, as a plain HTTP answer the client can read.
    preValidation: async (request, reply) => {
      const token = tokenOf(request.headers.authorization, request.query)
      const verified = token === undefined ? { ok: false as const, reason: 'no token' } : app.inApp.tokens.verify(token)
      if (!verified.ok) {
        // Expired or missing tokens are routine; forgeries are worth a warning.
        if (verified.reason !== 'token expired' && verified.reason !== 'no token') request.log.warn({ reason: verified.reason }, 'in-app connection refused')
        return await unauthorized(reply)
      }
      request.inApp = { grant: verified.grant, token: token as string }
      const wait = await perToken.hit(request)
      if (wait > 0) return await tooMany(reply, wait, 'with this token')
      if (!await isAdmitted(app.db, verified.grant)) {
        // A warning: the route logs nothing quieter (its URL carries the token), and a revoked
        // credential still in use is worth an operator's look.
        request.log.warn({ developerId: verified.grant.developerId }, 'in-app connection refused: the token\'s developer is disabled, rotated or no longer granted the application')
        return await unauthorized(reply)
      }
      // A developer mints tokens for any user of its carriers: the caps per user and per token
      // bound nothing for one that means harm, which could take an instance's connections from
      // every other tenant. The instance's own cap bounds them all (each socket costs ~10 KB of
      // heap, ~40 KB of memory over TLS, and may hold INAPP_MAX_BUFFERED_BYTES unsent). Refused,
      // not the oldest closed: no new socket takes another user's place. The retry is spread so
      // that the refused do not all come back at once.
      const developerId = verified.grant.developerId
      if (app.inApp.sockets.openFor(developerId) >= limits.inAppSocketsPerDeveloper) {
        request.log.warn({ developerId }, 'in-app connection refused: the developer has INAPP_SOCKETS_PER_DEVELOPER sockets open here')
        return await tooMany(reply, retryAfterSeconds(), 'open for this developer on this server')
      }
      if (app.inApp.sockets.size >= limits.inAppSocketsMax) {
        request.log.warn({ developerId }, 'in-app connection refused: INAPP_SOCKETS_MAX sockets are open here')
        return await sendSignedApiError(reply.header('retry-after', String(retryAfterSeconds())), 503, signedApiErrorCodeFor(503),
          'this server has as many in-app connections open as it takes; retry later')
      }
    },
    handler: async (_request, reply) =>
      await sendSignedApiError(reply, 426, signedApiErrorCodeFor(426), 'this endpoint is a WebSocket: open it with an Upgrade: websocket request'),
    wsHandler: (socket, request) => serveInAppSocket(app, socket, {
      ...request.inApp as { grant: InAppGrant, token: string },
      ackRate: async () => await acks.hit(request),
      faultRate: async () => await faults.hit(request)
    })
  })
}
export default inAppRoutes
