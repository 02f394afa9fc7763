import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import messageRoutes from './messages.js'
import readRoutes from './read.js'

/**
 * PowerAuth's Inbox API under /inbox (basic auth, like /push). The signed API's in-app messages
 * are rows of the same table, so they are listed, counted and read here too.
 */
const inboxRoutes: FastifyPluginAsyncTypebox = async (app) => {
  await app.register(messageRoutes)
  await app.register(readRoutes)
}
export default inboxRoutes
