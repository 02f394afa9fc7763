import { ApplicationIdRequest, OkResponse, UpdateAndroidRequest, UpdateIosRequest } from '@beacon/contracts'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { requireApplicationById } from '../../domain/applications.js'
import {
  removeApnsCredentials, removeFcmCredentials, saveApnsCredentials, saveFcmCredentials
} from '../../domain/credentials.js'

const ok = { status: 'OK' as const }

/** PowerAuth push server's original credential endpoints, addressed by Beacon's internal `id`. */
const iosAndroidRoutes: FastifyPluginAsyncTypebox<{ fcmTokenUris: string[] }> = async (app, { fcmTokenUris }) => {
  app.put('/admin/app/ios/update', {
    schema: { body: UpdateIosRequest, response: { 200: OkResponse } }
  }, async (request) => {
    const { id, ...settings } = request.body.requestObject
    await saveApnsCredentials(app.db, app.secrets, await requireApplicationById(app.db, id), settings)
    return ok
  })

  app.delete('/admin/app/ios/remove', {
    schema: { body: ApplicationIdRequest, response: { 200: OkResponse } }
  }, async (request) => {
    await removeApnsCredentials(app.db, await requireApplicationById(app.db, request.body.requestObject.id))
    return ok
  })

  app.put('/admin/app/android/update', {
    schema: { body: UpdateAndroidRequest, response: { 200: OkResponse } }
  }, async (request) => {
    const { id, ...settings } = request.body.requestObject
    await saveFcmCredentials(app.db, app.secrets, await requireApplicationById(app.db, id), settings, fcmTokenUris)
    return ok
  })

  app.delete('/admin/app/android/remove', {
    schema: { body: ApplicationIdRequest, response: { 200: OkResponse } }
  }, async (request) => {
    await removeFcmCredentials(app.db, await requireApplicationById(app.db, request.body.requestObject.id))
    return ok
  })
}
export default iosAndroidRoutes
