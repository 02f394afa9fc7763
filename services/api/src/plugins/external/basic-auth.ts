import { timingSafeEqual, createHash } from 'node:crypto'
import basicAuth from '@fastify/basic-auth'
import fp from 'fastify-plugin'
import { TooManyFailures } from '../../errors.js'
import { markRoutes } from '../app/route-auth.js'

export interface BasicAuthOptions {
  /** null: AUTH_DISABLED (only allowed on a loopback address, see config.ts). */
  credentials: { username: string, password: string } | null
  /** Wrong credentials allowed per client address and window before it is refused outright. */
  failures: { max: number, windowMs: number }
}

// Hashing both sides first gives equal-length inputs, so timingSafeEqual leaks neither content nor length.
const digest = (text: string) => createHash('sha256').update(text).digest()
const sameText = (a: string, b: string) => timingSafeEqual(digest(a), digest(b))

class WrongCredentials extends Error {
  override name = 'WrongCredentials'
  readonly statusCode = 401
}

/**
 * HTTP Basic authentication of the PowerAuth-compatible API. Registered inside the scope that holds
 * its routes: the hook belongs to the routes the router matched, however their path was spelled.
 *
 * An address that sent wrong credentials `failures.max` times within the window is refused (429)
 * for the rest of it before its credentials are even compared, so that guessing cannot go on
 * faster than the limit, right guess included; the look, the comparison and the count are one
 * step, so pipelined guesses cannot slip in between. A missing header is no guess and is not counted.
 */
export default fp<BasicAuthOptions>(async (app, { credentials, failures }) => {
  markRoutes(app, 'basic')
  if (credentials === null) {
    app.log.warn('authentication is disabled (AUTH_DISABLED=true): anyone who reaches this loopback address can use the API')
    return
  }
  const failed = app.createLimit({ max: failures.max, windowMs: failures.windowMs })
  await app.register(basicAuth, {
    authenticate: { realm: 'beacon' },
    async validate (username, password, request) {
      // Both comparisons always run, so timing does not tell which one failed.
      const outcome = await failed.attempt(request, () =>
        (Number(sameText(username, credentials.username)) & Number(sameText(password, credentials.password))) === 1)
      if ('refusedFor' in outcome) {
        request.log.warn({ remoteAddress: request.ip }, 'admin credentials refused: too many failures from this address')
        throw new TooManyFailures(outcome.refusedFor)
      }
      if (outcome.passed) return
      request.log.info({ remoteAddress: request.ip }, 'wrong admin credentials')
      throw new WrongCredentials('wrong username or password')
    }
  })
  app.addHook('onRequest', app.basicAuth)
}, { name: 'basic-auth', dependencies: ['rate-limit'] })
