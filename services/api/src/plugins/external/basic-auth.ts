import { timingSafeEqual, createHash } from 'node:crypto'
import basicAuth from '@fastify/basic-auth'
import fp from 'fastify-plugin'

export interface AuthPluginOptions {
  /** null runs the API open; start-up logs a warning. */
  credentials: { username: string, password: string } | null
  /** URL prefixes that need credentials. */
  prefixes: string[]
}

// Hashing both sides first gives equal-length inputs, so timingSafeEqual leaks neither content nor length.
const digest = (text: string) => createHash('sha256').update(text).digest()
const sameText = (a: string, b: string) => timingSafeEqual(digest(a), digest(b))

/** HTTP Basic authentication for the PowerAuth-compatible API (`/push/*`, `/admin/*`). */
export default fp<AuthPluginOptions>(async (app, { credentials, prefixes }) => {
  if (credentials === null) {
    app.log.warn('authentication is disabled (AUTH_DISABLED=true): anyone who reaches this port can use the API')
    return
  }
  await app.register(basicAuth, {
    authenticate: { realm: 'beacon' },
    async validate (username, password) {
      // Both comparisons always run, so timing does not tell which one failed.
      const ok = Number(sameText(username, credentials.username)) & Number(sameText(password, credentials.password))
      if (ok !== 1) throw new Error('wrong username or password')
    }
  })
  app.addHook('onRequest', (request, reply, done) => {
    const path = request.url
    if (!prefixes.some((prefix) => path === prefix || path.startsWith(`${prefix}/`))) return done()
    app.basicAuth(request, reply, done)
  })
}, { name: 'basic-auth' })
