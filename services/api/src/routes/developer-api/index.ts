import type { FastifyInstance } from 'fastify'
import type { ApiLimits } from '../../config-limits.js'
import type { ApiConfig } from '../../config.js'
import signedRequests from '../../plugins/app/signed-requests.js'
import debugRoutes from './debug.js'
import pushRoutes from './push.js'

/**
 * The signed developer API under /api/1.0: every route registered in this context is verified by
 * the MAAIISDK10 hooks of signed-requests before its handler runs.
 */
export default async function developerApiRoutes (app: FastifyInstance, { signedApi, limits }: { signedApi: ApiConfig['signedApi'], limits: ApiLimits }) {
  await app.register(async (signed) => {
    await signed.register(signedRequests, {
      windowSeconds: signedApi.windowSeconds,
      bodyLimitBytes: limits.signedBodyLimitBytes,
      failures: limits.authFailures,
      requestsPerMinute: limits.signedRequestsPerMinute
    })
    await signed.register(debugRoutes)
    await signed.register(pushRoutes, { signedApi, tokensPerMinute: limits.inAppTokensPerMinute })
  }, { prefix: '/api/1.0' })
}
