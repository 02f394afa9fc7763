import { ApplicationIdRequest, OkResponse, UpdateAndroidRequest, UpdateIosRequest } from '@beacon/contracts'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { requireApplicationByRef } from '../../domain/applications/lookup.js'
import {
  removeApnsCredentials, removeFcmCredentials, saveApnsCredentials, saveFcmCredentials
} from '../../domain/credentials/credentials.js'

const ok = { status: 'OK' as const }

/**
 * PowerAuth push server's original credential endpoints, with the methods its controllers take
 * (update: POST and PUT; remove: POST and DELETE; the Java client removes with POST). The
 * application is named by Beacon's internal `id` (PowerAuth 1.0) or the PowerAuth `appId` (1.3+).
 */
const iosAndroidRoutes: FastifyPluginAsyncTypebox<{ fcmTokenUris: string[] }> = async (app, { fcmTokenUris }) => {
  app.route({
    method: ['POST', 'PUT'],
    url: '/admin/app/ios/update',
    schema: { body: UpdateIosRequest, response: { 200: OkResponse } },
    handler: async (request) => {
      const { id, appId, ...settings } = request.body.requestObject
      await saveApnsCredentials(app.db, app.secrets, await requireApplicationByRef(app.db, { id, appId }), settings)
      return ok
    }
  })

  app.route({
    method: ['POST', 'DELETE'],
    url: '/admin/app/ios/remove',
    schema: { body: ApplicationIdRequest, response: { 200: OkResponse } },
    handler: async (request) => {
      await removeApnsCredentials(app.db, await requireApplicationByRef(app.db, request.body.requestObject))
      return ok
    }
  })

  app.route({
    method: ['POST', 'PUT'],
    url: '/admin/app/android/update',
    schema: { body: UpdateAndroidRequest, response: { 200: OkResponse } },
    handler: async (request) => {
      const { id, appId, ...settings } = request.body.requestObject
      await saveFcmCredentials(app.db, app.secrets, await requireApplicationByRef(app.db, { id, appId }), settings, fcmTokenUris)
      return ok
    }
  })

  app.route({
    method: ['POST', 'DELETE'],
    url: '/admin/app/android/remove',
    schema: { body: ApplicationIdRequest, response: { 200: OkResponse } },
    handler: async (request) => {
      await removeFcmCredentials(app.db, await requireApplicationByRef(app.db, request.body.requestObject))
      return ok
    }
  })
}
export default iosAndroidRoutes
