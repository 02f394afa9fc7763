import { OkResponse, UpdateDeviceStatusRequest, type DeviceStatusUpdate } from '@beacon/contracts'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { updateActivationStatus, type StatusChange } from '../../domain/devices/status.js'
import { badRequest } from '../../errors.js'
import type { PowerAuthClient } from '../../domain/powerauth/client.js'

/** The seed's unwrapped body or the newer `requestObject` form; never a mix of the two. */
function statusUpdateOf (body: UpdateDeviceStatusRequest): DeviceStatusUpdate {
  const { requestObject, activationId, activationStatus } = body
  if (requestObject !== undefined) {
    if (activationId !== undefined || activationStatus !== undefined) {
      throw badRequest('give activationId and activationStatus either at the top level or inside requestObject, not both')
    }
    return requestObject
  }
  if (activationId === undefined) throw badRequest('activationId is required')
  return activationStatus === undefined ? { activationId } : { activationId, activationStatus }
}

/**
 * PowerAuth's word when there is a PowerAuth server; the caller's otherwise. Without a server and
 * without a status in the request (PowerAuth's status-change callback, the seed's example) there
 * is no one to ask: null, and the registrations keep the status they have.
 */
async function statusChangeOf (powerAuth: PowerAuthClient | null, update: DeviceStatusUpdate): Promise<StatusChange | null> {
  if (powerAuth !== null) {
    const { activationStatus, userId } = await powerAuth.activationStatus(update.activationId)
    return { activationId: update.activationId, activationStatus, userId }
  }
  if (update.activationStatus === undefined) return null
  return { activationId: update.activationId, activationStatus: update.activationStatus }
}

/** `POST` and `PUT /push/device/status/update` (PowerAuth's controller takes both). */
const deviceStatusRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.route({
    method: ['POST', 'PUT'],
    url: '/push/device/status/update',
    schema: { body: UpdateDeviceStatusRequest, response: { 200: OkResponse } },
    handler: async (request) => {
      const change = await statusChangeOf(app.powerAuth, statusUpdateOf(request.body))
      if (change !== null) await updateActivationStatus(app.db, change)
      return { status: 'OK' as const }
    }
  })
}
export default deviceStatusRoutes
