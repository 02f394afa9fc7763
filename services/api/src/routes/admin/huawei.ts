import { AppIdQuery, OkResponse, RemoveHuaweiRequest, UpdateHuaweiRequest } from '@beacon/contracts'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { requireApplicationByAppId } from '../../domain/applications/lookup.js'
import { badRequest } from '../../errors.js'

const REFUSAL = 'Huawei (HMS) is not supported: Beacon sends through APNs and FCM only'

/**
 * PowerAuth's Huawei (HMS) credential endpoints, with its methods: 1.9's `huawei/update|remove`
 * and the newer `hms` (develop, 1.10.0-SNAPSHOT: the same fields, removal by `DELETE ?appId=` as for
 * APNs and FCM). Beacon sends through APNs and FCM only: storing HMS credentials it never uses would
 * tell the caller its Huawei devices are served. An update is refused with that reason; a removal
 * answers OK (there is nothing to remove).
 */
const huaweiRoutes: FastifyPluginAsyncTypebox = async (app) => {
  for (const url of ['/admin/app/huawei/update', '/admin/app/hms']) {
    app.route({
      method: ['POST', 'PUT'],
      url,
      schema: { body: UpdateHuaweiRequest, response: { 200: OkResponse } },
      handler: async () => {
        throw badRequest(REFUSAL)
      }
    })
  }

  app.route({
    method: ['POST', 'DELETE'],
    url: '/admin/app/huawei/remove',
    schema: { body: RemoveHuaweiRequest, response: { 200: OkResponse } },
    handler: async (request) => {
      await requireApplicationByAppId(app.db, request.body.requestObject.appId)
      return { status: 'OK' as const }
    }
  })

  app.delete('/admin/app/hms', {
    schema: { querystring: AppIdQuery, response: { 200: OkResponse } }
  }, async (request) => {
    await requireApplicationByAppId(app.db, request.query.appId)
    return { status: 'OK' as const }
  })
}
export default huaweiRoutes
