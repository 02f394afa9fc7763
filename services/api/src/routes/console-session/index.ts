import { ConsoleSessionResponse, ConsoleSignInRequest, ErrorResponse, OkResponse } from '@beacon/contracts'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { SessionClaims } from '../../domain/console/session-token.js'
import { markRoutes } from '../../plugins/app/access/route-auth.js'

const answer = (claims: SessionClaims) =>
  ({ status: 'OK' as const, responseObject: { username: claims.username, expiresAt: new Date(claims.expiresAt).toISOString() } })

// Two short strings and their JSON: anything much larger is no sign-in.
const SIGN_IN_BODY_LIMIT = 8 * 1024

/**
 * `/console/api/session`: the console's sign-in (POST), who is signed in (GET) and logout
 * (DELETE). Under `/console/api/`, beside the console's static page at `/console`, so that the page
 * calls its own origin. Every request must carry `X-Beacon-Console: 1` (403 otherwise; see
 * console-session.ts); GET and DELETE need the session cookie too.
 */
const consoleSessionRoutes: FastifyPluginAsyncTypebox = async (app) => {
  markRoutes(app, 'console-session')
  app.addHook('onRequest', async (request, reply) => {
    // A session's answers are the signed-in admin's: no cache keeps them.
    reply.header('cache-control', 'no-store')
    // Fail closed: only a route that declares no authentication (the sign-in) goes without a session.
    if (request.routeOptions.config.auth === 'none') app.consoleSessions.requireConsoleHeader(request)
    else await app.consoleSessions.authenticate(request, reply)
  })

  app.post('/console/api/session', {
    // The credentials are in the body, checked by the handler: no scope's authentication.
    config: { auth: 'none' },
    bodyLimit: SIGN_IN_BODY_LIMIT,
    schema: {
      body: ConsoleSignInRequest,
      response: {
        200: ConsoleSessionResponse,
        400: { ...ErrorResponse, description: 'Not JSON, or a missing, empty, overlong or unknown field' },
        401: { ...ErrorResponse, description: 'Wrong username or password; no cookie is set' },
        403: { ...ErrorResponse, description: 'Without the X-Beacon-Console header' },
        413: { ...ErrorResponse, description: 'A body over 8 KiB' },
        429: { ...ErrorResponse, description: 'Too many wrong credentials from this address (Basic and sign-in count together); see Retry-After' }
      }
    }
  }, async (request, reply) => {
    const { username, password } = request.body
    // The same check, limit and failure count as HTTP Basic (admin-credentials.ts).
    await app.adminCredentials.verify(request, username, password)
    const claims = app.consoleSessions.start(reply, username)
    request.log.info({ remoteAddress: request.ip }, 'console sign-in')
    return answer(claims)
  })

  app.get('/console/api/session', {
    schema: { response: { 200: ConsoleSessionResponse } }
  }, async (request) => answer(request.consoleSession as SessionClaims))

  app.delete('/console/api/session', {
    schema: { response: { 200: OkResponse } }
  }, async (request, reply) => {
    await app.consoleSessions.end(reply, request.consoleSession as SessionClaims)
    return { status: 'OK' as const }
  })
}
export default consoleSessionRoutes
