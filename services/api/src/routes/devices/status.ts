import { OkResponse, UpdateDeviceStatusRequest, type DeviceStatusUpdate } from '@beacon/contracts'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { updateActivationStatus, type StatusChange } from '../../domain/device-status.js'
import { badRequest } from '../../errors.js'
import type { PowerAuthClient } from '../../domain/powerauth-client.js'

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

/** PowerAuth's word when there is a PowerAuth server; the caller's otherwise. */
async function statusChangeOf (powerAuth: PowerAuthClient | null, update: DeviceStatusUpdate): Promise<StatusChange> {
  if (powerAuth !== null) {
    const { activationStatus, userId } = await powerAuth.activationStatus(update.activationId)
    return { activationId: update.activationId, activationStatus, userId }
  }
  if (update.activationStatus === undefined) {
    throw badRequest('activationStatus is required when no PowerAuth server is configured (POWERAUTH_SERVICE_URL)')
  }
  return { activationId: update.activationId, activationStatus: update.activationStatus }
}

/** `POST /push/device/status/update`. */
const deviceStatusRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/push/device/status/update', {
    schema: { body: UpdateDeviceStatusRequest, response: { 200: OkResponse } }
  }, async (request) => {
    const change = await statusChangeOf(app.powerAuth, statusUpdateOf(request.body))
    await updateActivationStatus(app.db, change)
    return { status: 'OK' as const }
  })
}
export default deviceStatusRoutes
