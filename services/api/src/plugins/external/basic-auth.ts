import { ApiErrorCode } from '@beacon/contracts'
import basicAuth from '@fastify/basic-auth'
import type { FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { markRoutes } from '../app/access/route-auth.js'
import { CONSOLE_HEADER } from '../app/access/console-session.js'
import { ApiError } from '../../errors.js'
import { isLoopbackHostHeader } from '../../listen-address.js'

/** The refusal, with AUTH_DISABLED, of a request addressed to another name than this machine's loopback. */
export const FOREIGN_HOST_MESSAGE = 'with AUTH_DISABLED=true only requests addressed to this machine by a loopback name (localhost, 127.0.0.1, [::1]) are served'

export interface BasicAuthOptions {
  /** false: AUTH_DISABLED (only allowed on a loopback address, see config.ts). */
  enabled: boolean
  /**
   * A console session cookie with the console header opens the scope's routes too (the admin
   * API and the console's reads). Basic credentials, when sent, still decide alone.
   */
  orConsoleSession?: boolean
}

/**
 * HTTP Basic authentication of the PowerAuth-compatible API, checked by admin-credentials.ts
 * (which limits failures per address, shared with the console's sign-in). Registered inside the
 * scope that holds its routes: the hook belongs to the routes the router matched, however their
 * path was spelled. A missing header is no guess and is not counted.
 */
export default fp<BasicAuthOptions>(async (app, { enabled, orConsoleSession = false }) => {
  markRoutes(app, orConsoleSession ? 'basic-or-console-session' : 'basic')
  if (!enabled) {
    app.log.warn('authentication is disabled (AUTH_DISABLED=true): anyone who reaches this loopback address can use the API')
    // Loopback keeps other machines out, not a web page on this one: a page of evil.example whose
    // name then resolves to 127.0.0.1 (DNS rebinding) is same-origin with the api for the browser,
    // and could create a developer and read its secret. Its requests carry its own name as Host.
    app.addHook('onRequest', async (request) => {
      if (!isLoopbackHostHeader(request.headers.host)) throw new ApiError(403, ApiErrorCode.FORBIDDEN, FOREIGN_HOST_MESSAGE)
    })
    return
  }
  await app.register(basicAuth, {
    authenticate: { realm: 'beacon' },
    async validate (username, password, request) {
      await app.adminCredentials.verify(request, username, password)
    }
  })
  if (!orConsoleSession) {
    app.addHook('onRequest', app.basicAuth)
    return
  }
  // Basic credentials, when sent, decide alone. Otherwise a request with the session cookie or
  // the console header is the console's: its session decides, and a refusal carries no Basic
  // challenge (a browser would answer one with its own password prompt over the console).
  app.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void) => {
    if (request.headers.authorization === undefined &&
      (app.consoleSessions.offered(request) || request.headers[CONSOLE_HEADER] !== undefined)) {
      // A cookie is no Authorization header: a shared cache may keep what it answered (RFC 9111
      // forbids that for Authorization only). The admin's answers are kept by none.
      reply.header('cache-control', 'no-store')
      app.consoleSessions.authenticate(request, reply).then(() => { done() }, (error: unknown) => { done(error as Error) })
      return
    }
    app.basicAuth(request, reply, done)
  })
}, { name: 'basic-auth', dependencies: ['admin-credentials', 'console-session'] })
