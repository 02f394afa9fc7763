import { appIdText, CreateDeviceMultiRequest, CreateDeviceRequest, OkResponse } from '@beacon/contracts'
import type { FastifyInstance } from 'fastify'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { requireApplicationByAppId } from '../../domain/applications/lookup.js'
import { toEnvironment, toPlatform } from '../../domain/devices/input.js'
import { resolveActivationOwners } from '../../domain/devices/owners.js'
import { registerDevice } from '../../domain/devices/registration.js'

type RegistrationFields = Omit<CreateDeviceRequest['requestObject'], 'activationId'>

async function register (app: FastifyInstance, fields: RegistrationFields, activationIds: string[]) {
  // With a PowerAuth server, the application first: an unknown one is the caller's mistake, not
  // worth a PowerAuth call. Without one, the registration itself looks it up (one round trip).
  if (app.powerAuth !== null) await requireApplicationByAppId(app.db, fields.appId)
  const activations = await resolveActivationOwners(app.powerAuth, [...new Set(activationIds)], fields)
  await registerDevice(app.db, appIdText(fields.appId), {
    pushToken: fields.token,
    platform: toPlatform(fields.platform),
    environment: toEnvironment(fields.environment),
    activations
  })
  return { status: 'OK' as const }
}

/** `POST /push/device/create` and `POST /push/device/create/multi`. */
const createDeviceRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/push/device/create', {
    schema: { body: CreateDeviceRequest, response: { 200: OkResponse } }
  }, async (request) => {
    const { activationId, ...fields } = request.body.requestObject
    return register(app, fields, [activationId])
  })

  app.post('/push/device/create/multi', {
    schema: { body: CreateDeviceMultiRequest, response: { 200: OkResponse } }
  }, async (request) => {
    const { activationIds, ...fields } = request.body.requestObject
    return register(app, fields, activationIds)
  })
}
export default createDeviceRoutes
