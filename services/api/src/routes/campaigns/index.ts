import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import manageRoutes from './manage.js'
import sendRoutes from './send.js'

/** The Campaign part of the PowerAuth API: managing campaigns and their users, and sending them. */
const campaignRoutes: FastifyPluginAsyncTypebox<{ syncTimeoutMs: number, chunkUsers: number }> = async (app, options) => {
  await app.register(manageRoutes)
  await app.register(sendRoutes, options)
}
export default campaignRoutes
