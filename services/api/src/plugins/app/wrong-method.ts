import { ApiErrorCode } from '@beacon/contracts'
import type { FastifyInstance } from 'fastify'
import { ApiError } from '../../errors.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A route of answerWrongMethods: a 405, not a method the path takes. */
    wrongMethod?: boolean
  }
}

// What a wrong method on a known path is answered for; HEAD comes with GET (Fastify exposes it).
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const

/**
 * A known path of `scope` asked with a method it does not take is a 405 with `Allow` (Spring's
 * answer) — but only to a caller that passed the scope's authentication: the answer is a route
 * of the scope, so its hook runs first, and nobody maps the API without credentials. Call before
 * the scope's routes are registered; call the returned function after them.
 */
export function answerWrongMethods (scope: FastifyInstance): () => void {
  const methodsByUrl = new Map<string, Set<string>>()
  scope.addHook('onRoute', (route) => {
    if (route.config?.wrongMethod === true) return
    const methods = methodsByUrl.get(route.url) ?? new Set<string>()
    for (const method of [route.method].flat()) methods.add(method)
    methodsByUrl.set(route.url, methods)
  })
  return () => {
    for (const [url, methods] of methodsByUrl) {
      const missing = METHODS.filter((method) => !methods.has(method))
      if (missing.length === 0) continue
      const allow = [...methods].sort().join(', ')
      scope.route({
        method: [...missing],
        url,
        config: { wrongMethod: true },
        handler: async (request, reply) => {
          const path = request.url.split('?')[0] ?? ''
          reply.header('allow', allow)
          throw new ApiError(405, ApiErrorCode.REQUEST, `${request.method} is not supported on ${path}; use ${allow}`)
        }
      })
    }
  }
}
