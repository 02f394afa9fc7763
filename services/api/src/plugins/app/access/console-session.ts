import { ApiErrorCode } from '@beacon/contracts'
import cookie from '@fastify/cookie'
import type { FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { ConsoleSettings } from '../../../config-console.js'
import { isRevoked, revokeSession } from '../../../domain/console/session-revocations.js'
import { SessionTokens, sessionKey, type SessionClaims } from '../../../domain/console/session-token.js'
import { ApiError } from '../../../errors.js'

export interface ConsoleSessionOptions {
  settings: ConsoleSettings
  masterKey: Buffer
  /** null: AUTH_DISABLED; no session can be started. */
  credentials: { username: string, password: string } | null
}

export const SESSION_COOKIE = 'beacon_console'
/**
 * The header every console request carries. A cross-site form cannot set a header, and a
 * cross-site fetch with one needs a CORS preflight, which the api never answers (no CORS):
 * together with SameSite=Strict, a request carrying it comes from the console's own page.
 */
export const CONSOLE_HEADER = 'x-beacon-console'
/** Marks the console page's timer-driven requests (packages/console/app/api.ts): they do not renew the session. */
export const POLL_HEADER = 'x-beacon-console-poll'

export interface ConsoleSessions {
  /** Signs the admin in: sets the cookie, answers the session. */
  start (reply: FastifyReply, username: string): SessionClaims
  /** Logout: revokes the session on every instance (session-revocations.ts) and clears the cookie. */
  end (reply: FastifyReply, claims: SessionClaims): Promise<void>
  /** Whether the request carries the session cookie at all (valid or not). */
  offered (request: FastifyRequest): boolean
  /**
   * The request's session: 403 without the console header, 401 (and the cookie cleared) without a
   * cookie or with one that is forged, expired, revoked, or signed before the credentials changed.
   */
  authenticate (request: FastifyRequest, reply: FastifyReply): Promise<SessionClaims>
  /** 403 unless the request carries the console header. */
  requireConsoleHeader (request: FastifyRequest): void
}

declare module 'fastify' {
  interface FastifyInstance {
    consoleSessions: ConsoleSessions
  }
  interface FastifyRequest {
    /** Set once a console session authenticated the request. */
    consoleSession: SessionClaims | null
  }
}

const notSignedIn = () => new ApiError(401, ApiErrorCode.UNAUTHORIZED, 'authentication required: no valid console session')

/**
 * The admin console's browser session: a cookie @fastify/cookie signs (HMAC-SHA256) with a key
 * derived from MASTER_KEY and the admin credentials (domain/console/session-token.ts). Signed, not
 * sealed (@fastify/secure-session): the cookie holds a random id, the username, an expiry and
 * the last use, nothing secret, so encryption would hide nothing; and it spares a native libsodium dependency.
 * No server-side store: the expiry inside the signed value is checked on every request.
 */
export default fp<ConsoleSessionOptions>(async (app, { settings, masterKey, credentials }) => {
  const tokens = new SessionTokens(sessionKey(masterKey, credentials ?? { username: '', password: '' }), settings.sessionTtlSeconds * 1000, settings.sessionIdleSeconds * 1000)
  // Cookies are read only where a route asks (no `signed` cookies of the plugin's own: the
  // tokens sign and check their values themselves, with the expiry).
  await app.register(cookie, { hook: 'onRequest' })
  app.decorateRequest('consoleSession', null)
  const cookieOptions = { httpOnly: true, sameSite: 'strict', secure: settings.cookieSecure, path: '/' } as const

  // Max-Age and Expires for the browser; the server goes by the expiry and the last use inside the value.
  const setSessionCookie = (reply: FastifyReply, { value, claims }: { value: string, claims: SessionClaims }) => {
    reply.setCookie(SESSION_COOKIE, value, { ...cookieOptions, maxAge: Math.max(0, Math.round((claims.expiresAt - Date.now()) / 1000)), expires: new Date(claims.expiresAt) })
  }

  const hasConsoleHeader = (request: FastifyRequest) => request.headers[CONSOLE_HEADER] === '1'
  const requireConsoleHeader = (request: FastifyRequest) => {
    if (!hasConsoleHeader(request)) {
      throw new ApiError(403, ApiErrorCode.FORBIDDEN, 'console requests must carry the header X-Beacon-Console: 1')
    }
  }
  const offered = (request: FastifyRequest) => request.cookies[SESSION_COOKIE] !== undefined

  app.decorate('consoleSessions', {
    start (reply: FastifyReply, username: string) {
      if (credentials === null) throw new ApiError(400, ApiErrorCode.GENERIC, 'authentication is disabled (AUTH_DISABLED=true): the console needs no sign-in')
      const issued = tokens.issue(username)
      setSessionCookie(reply, issued)
      return issued.claims
    },
    async end (reply: FastifyReply, claims: SessionClaims) {
      await revokeSession(app.db.pool, claims)
      reply.clearCookie(SESSION_COOKIE, cookieOptions)
    },
    offered,
    async authenticate (request: FastifyRequest, reply: FastifyReply) {
      const value = request.cookies[SESSION_COOKIE]
      if (value === undefined) throw notSignedIn()
      requireConsoleHeader(request)
      const claims = tokens.open(value)
      if (claims === null || await isRevoked(app.db.pool, claims)) {
        // A dead cookie is of no use to keep: the console's page then knows to sign in again.
        reply.clearCookie(SESSION_COOKIE, cookieOptions)
        request.log.info({ remoteAddress: request.ip }, 'console session refused: forged, expired, revoked or from older credentials')
        throw notSignedIn()
      }
      // In use: the cookie is renewed (same session, seen now), so only a session left idle for
      // CONSOLE_SESSION_IDLE_S ends before its expiry. Not at every request: at most once a minute.
      // Not for the page's own timers (POLL_HEADER): an open page that refreshes itself is not use.
      if (request.headers[POLL_HEADER] !== '1' && tokens.due(claims)) setSessionCookie(reply, tokens.renew(claims))
      request.consoleSession = claims
      return claims
    },
    requireConsoleHeader
  })
}, { name: 'console-session', dependencies: ['db'] })
