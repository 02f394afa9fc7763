import { AppIdQuery, OkResponse, UpsertApnsRequest, UpsertFcmRequest } from '@beacon/contracts'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { requireApplicationByAppId } from '../../domain/applications/lookup.js'
import {
  removeApnsCredentials, removeFcmCredentials, saveApnsCredentials, saveFcmCredentials
} from '../../domain/credentials/credentials.js'

const ok = { status: 'OK' as const }

/** Newer PowerAuth push server's credential endpoints, addressed by the PowerAuth `appId`. */
const apnsFcmRoutes: FastifyPluginAsyncTypebox<{ fcmTokenUris: string[] }> = async (app, { fcmTokenUris }) => {
  app.route({
    method: ['POST', 'PUT'],
    url: '/admin/app/apns',
    schema: { body: UpsertApnsRequest, response: { 200: OkResponse } },
    handler: async (request) => {
      const { appId, ...settings } = request.body.requestObject
      await saveApnsCredentials(app.db, app.secrets, await requireApplicationByAppId(app.db, appId), settings)
      return ok
    }
  })

  app.delete('/admin/app/apns', {
    schema: { querystring: AppIdQuery, response: { 200: OkResponse } }
  }, async (request) => {
    await removeApnsCredentials(app.db, await requireApplicationByAppId(app.db, request.query.appId))
    return ok
  })

  app.route({
    method: ['POST', 'PUT'],
    url: '/admin/app/fcm',
    schema: { body: UpsertFcmRequest, response: { 200: OkResponse } },
    handler: async (request) => {
      const { appId, ...settings } = request.body.requestObject
      await saveFcmCredentials(app.db, app.secrets, await requireApplicationByAppId(app.db, appId), settings, fcmTokenUris)
      return ok
    }
  })

  app.delete('/admin/app/fcm', {
    schema: { querystring: AppIdQuery, response: { 200: OkResponse } }
  }, async (request) => {
    await removeFcmCredentials(app.db, await requireApplicationByAppId(app.db, request.query.appId))
    return ok
  })
}
export default apnsFcmRoutes
