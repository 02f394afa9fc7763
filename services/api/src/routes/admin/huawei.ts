import { OkResponse, RemoveHuaweiRequest, UpdateHuaweiRequest } from '@beacon/contracts'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { requireApplicationByAppId } from '../../domain/applications/lookup.js'
import { badRequest } from '../../errors.js'

/**
 * PowerAuth 1.9's Huawei (HMS) credential endpoints, with its methods. Beacon sends through APNs
 * and FCM only: storing HMS credentials it never uses would tell the caller its Huawei devices are
 * served. An update is refused with that reason; a removal answers OK (there is nothing to remove).
 */
const huaweiRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.route({
    method: ['POST', 'PUT'],
    url: '/admin/app/huawei/update',
    schema: { body: UpdateHuaweiRequest, response: { 200: OkResponse } },
    handler: async () => {
      throw badRequest('Huawei (HMS) is not supported: Beacon sends through APNs and FCM only')
    }
  })

  app.route({
    method: ['POST', 'DELETE'],
    url: '/admin/app/huawei/remove',
    schema: { body: RemoveHuaweiRequest, response: { 200: OkResponse } },
    handler: async (request) => {
      await requireApplicationByAppId(app.db, request.body.requestObject.appId)
      return { status: 'OK' as const }
    }
  })
}
export default huaweiRoutes
