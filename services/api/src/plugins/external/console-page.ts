import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { consolePageDir } from '@beacon/console'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

/**
 * The page loads its own script and stylesheet and calls its own api: nothing else, from nowhere
 * else. No inline script or style (Vite emits none; Preact and uPlot set styles through the DOM,
 * which style-src does not govern), no framing (clickjacking of the admin's buttons).
 */
export const CONSOLE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
  "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

export interface ConsolePageOptions {
  /** The built page (packages/console's dist/web); a test may point elsewhere. */
  dir?: string
}

/**
 * The web console's page at `/console/` (@fastify/static): public files (the page holds no data
 * and no secret; everything it shows comes from routes that ask for the session). The hashed
 * assets are cached for good, the page itself is revalidated on every load.
 */
export default fp<ConsolePageOptions>(async (app, { dir = consolePageDir }) => {
  if (!existsSync(join(dir, 'index.html'))) {
    app.log.warn({ dir }, 'the console page is not built (npm run build): /console is not served')
    return
  }
  await app.register(async function consolePage (scope: FastifyInstance) {
    scope.addHook('onRoute', (route) => {
      route.config = { ...route.config, auth: 'none' }
    })
    scope.addHook('onSend', async (_request, reply) => {
      reply.header('content-security-policy', CONSOLE_CSP)
      reply.header('x-content-type-options', 'nosniff')
      reply.header('referrer-policy', 'no-referrer')
      reply.header('x-frame-options', 'DENY')
    })
    // The page's address without its slash: relative asset paths need the slash.
    scope.get('/console', { schema: { hide: true } }, (_request, reply) => reply.redirect('/console/', 302))
    await scope.register(fastifyStatic, {
      root: dir,
      prefix: '/console/',
      decorateReply: false,
      index: 'index.html',
      // No listing, no dotfiles, no compression of our own (a proxy may compress).
      list: false,
      dotfiles: 'deny',
      cacheControl: false,
      setHeaders (response, path) {
        response.header('cache-control', path.includes(`${join('web', 'assets')}`) ? 'public, max-age=31536000, immutable' : 'no-cache')
      }
    })
  })
}, { name: 'console-page' })
