import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import createDeviceRoutes from './create.js'
import removeDeviceRoutes from './remove.js'
import deviceStatusRoutes from './status.js'

/** Device registration: `/push/device/create[/multi]`, `/remove` (`/delete`), `/status/update`. */
const deviceRoutes: FastifyPluginAsyncTypebox = async (app) => {
  await app.register(createDeviceRoutes)
  await app.register(removeDeviceRoutes)
  await app.register(deviceStatusRoutes)
}
export default deviceRoutes
