import { InAppConnectQuery, SignedApiErrorCode, signedApiErrorCodeFor } from '@beacon/contracts'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { sendSignedApiError } from '../../domain/developer-api-errors.js'
import type { InAppIdentity } from '../../domain/in-app-token.js'
import { serveInAppSocket } from '../../domain/in-app-session.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** Set on the in-app channel's route once the token is verified. */
    inAppIdentity: InAppIdentity | null
  }
}

function tokenOf (authorization: string | undefined, query: InAppConnectQuery): string | undefined {
  const bearer = /^Bearer (\S+)$/.exec(authorization ?? '')
  // Before validation: a repeated ?token= arrives as an array, which is no token.
  return bearer?.[1] ?? (typeof query.token === 'string' ? query.token : undefined)
}

/**
 * `GET /api/1.0/im/connect`: the in-app (IM) channel of one user's app, a WebSocket opened with a
 * token from `POST /api/1.0/im/token`. Not in the signed context: apps have no developer secret.
 */
const inAppRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.decorateRequest('inAppIdentity', null)
  app.route({
    method: 'GET',
    url: '/api/1.0/im/connect',
    schema: { querystring: InAppConnectQuery },
    // Refused before the upgrade, as a plain HTTP answer the client can read.
    preValidation: async (request, reply) => {
      const token = tokenOf(request.headers.authorization, request.query)
      const verified = token === undefined ? { ok: false as const, reason: 'no token' } : app.inApp.tokens.verify(token)
      if (!verified.ok) {
        // Expired or missing tokens are routine; forgeries are worth a warning.
        if (verified.reason !== 'token expired' && verified.reason !== 'no token') request.log.warn({ reason: verified.reason }, 'in-app connection refused')
        return await sendSignedApiError(reply, 401, SignedApiErrorCode.UNAUTHORIZED, 'a valid, unexpired in-app token is required (query token= or Authorization: Bearer)')
      }
      request.inAppIdentity = verified.identity
    },
    handler: async (_request, reply) =>
      await sendSignedApiError(reply, 426, signedApiErrorCodeFor(426), 'this endpoint is a WebSocket: open it with an Upgrade: websocket request'),
    wsHandler: (socket, request) => serveInAppSocket(app, socket, request.inAppIdentity as InAppIdentity)
  })
}
export default inAppRoutes
