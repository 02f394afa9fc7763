import { appIdText, OkResponse, RemoveDeviceRequest } from '@beacon/contracts'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { removeDevice } from '../../domain/devices/removal.js'

/**
 * `DELETE /push/device/remove` (the seed's name) and `POST|DELETE /push/device/delete` (PowerAuth's
 * controller): same body, same effect. As in PowerAuth, a token or application nobody registered
 * is no error: the caller's goal is already met.
 */
const removeDeviceRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.route({
    method: 'DELETE',
    url: '/push/device/remove',
    schema: { body: RemoveDeviceRequest, response: { 200: OkResponse } },
    handler: async (request) => handle(request.body)
  })
  app.route({
    method: ['POST', 'DELETE'],
    url: '/push/device/delete',
    schema: { body: RemoveDeviceRequest, response: { 200: OkResponse } },
    handler: async (request) => handle(request.body)
  })

  async function handle ({ requestObject: { appId, token } }: RemoveDeviceRequest) {
    await removeDevice(app.db, appIdText(appId), token)
    return { status: 'OK' as const }
  }
}
export default removeDeviceRoutes
