import type { FastifyInstance } from 'fastify'
import type { ApiConfig } from '../../config.js'
import signedRequests from '../../plugins/app/signed-requests.js'
import debugRoutes from './debug.js'
import pushRoutes from './push.js'

/**
 * The signed developer API under /api/1.0: every route registered in this context is verified by
 * the MAAIISDK10 hook of signed-requests before its handler runs.
 */
export default async function developerApiRoutes (app: FastifyInstance, { signedApi }: { signedApi: ApiConfig['signedApi'] }) {
  await app.register(async (signed) => {
    await signed.register(signedRequests, { windowSeconds: signedApi.windowSeconds })
    await signed.register(debugRoutes)
    await signed.register(pushRoutes, { signedApi })
  }, { prefix: '/api/1.0' })
}
