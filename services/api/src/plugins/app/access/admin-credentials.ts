import { hash, timingSafeEqual } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { TooManyFailures } from '../../../errors.js'

export interface AdminCredentialsOptions {
  /** null: AUTH_DISABLED (only allowed on a loopback address, see config.ts). */
  credentials: { username: string, password: string } | null
  /** Wrong credentials allowed per client address and window before it is refused outright. */
  failures: { max: number, windowMs: number }
}

/** Wrong admin credentials: a 401 (the error handler writes the API's body). */
export class WrongCredentials extends Error {
  override name = 'WrongCredentials'
  readonly statusCode = 401
}

export interface AdminCredentials {
  /** null when authentication is disabled: there is nothing to check. */
  readonly username: string | null
  /**
   * Resolves when `username` and `password` are the admin's; throws WrongCredentials (401), or
   * TooManyFailures (429) when this address is over the limit, before comparing anything.
   */
  verify (request: FastifyRequest, username: string, password: string): Promise<void>
}

declare module 'fastify' {
  interface FastifyInstance {
    adminCredentials: AdminCredentials
  }
}

// Hashing both sides first gives equal-length inputs, so timingSafeEqual leaks neither content nor
// length. The configured side is hashed once, at start; the one-shot hash() builds no Hash object:
// 2.2 µs a request against 5.5 (every admin API request passes here).
const digest = (text: string): Buffer => hash('sha256', text, 'buffer')
const matches = (text: string, expected: Buffer) => timingSafeEqual(digest(text), expected)

/**
 * The one check of the admin credentials, for HTTP Basic (basic-auth.ts) and the console's
 * sign-in alike, with one failure count per address: guesses spread over both count together.
 *
 * An address that sent wrong credentials `failures.max` times within the window is refused (429)
 * for the rest of it before its credentials are even compared, so that guessing cannot go on
 * faster than the limit, right guess included; the look, the comparison and the count are one
 * step, so pipelined guesses cannot slip in between.
 */
export default fp<AdminCredentialsOptions>(async (app, { credentials, failures }) => {
  const failed = app.createLimit({ max: failures.max, windowMs: failures.windowMs })
  const expected = credentials === null ? null : { username: digest(credentials.username), password: digest(credentials.password) }
  app.decorate('adminCredentials', {
    username: credentials?.username ?? null,
    async verify (request: FastifyRequest, username: string, password: string) {
      if (expected === null) return
      // Both comparisons always run, so timing does not tell which one failed.
      const outcome = await failed.attempt(request, () =>
        (Number(matches(username, expected.username)) & Number(matches(password, expected.password))) === 1)
      if ('refusedFor' in outcome) {
        request.log.warn({ remoteAddress: request.ip }, 'admin credentials refused: too many failures from this address')
        throw new TooManyFailures(outcome.refusedFor)
      }
      if (outcome.passed) return
      request.log.info({ remoteAddress: request.ip }, 'wrong admin credentials')
      throw new WrongCredentials('wrong username or password')
    }
  })
}, { name: 'admin-credentials', dependencies: ['rate-limit'] })
