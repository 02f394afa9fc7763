import {
  CampaignPathParams, CampaignUsersPageQuery, CampaignUsersPageResponse, CampaignUsersRequest,
  DEFAULT_CAMPAIGN_USERS_PAGE_SIZE, OkResponse
} from '@beacon/contracts'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { addCampaignUsers, campaignUsersPage, removeCampaignUsers } from '../../domain/campaigns/users.js'
import { springPage } from '../../domain/powerauth/spring-params.js'

const ok = { status: 'OK' as const }

/**
 * `user/add`, `user/list` and `user/delete` of a campaign, with the methods PowerAuth's controller
 * takes. Adding and removing are refused once live sending started: the users are then being
 * published to the dispatchers. As in PowerAuth, listing or removing the users of an unknown
 * campaign is no error (an empty list; nothing to remove); adding to one is.
 */
const manageUserRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.route({
    method: ['POST', 'PUT'],
    url: '/push/campaign/:id/user/add',
    schema: { params: CampaignPathParams, body: CampaignUsersRequest, response: { 200: OkResponse } },
    handler: async (request) => {
      await addCampaignUsers(app.db, BigInt(request.params.id), request.body.requestObject)
      return ok
    }
  })

  app.get('/push/campaign/:id/user/list', {
    schema: { params: CampaignPathParams, querystring: CampaignUsersPageQuery, response: { 200: CampaignUsersPageResponse } }
  }, async (request) => {
    const campaignId = BigInt(request.params.id)
    const { page, size } = springPage(request.query, DEFAULT_CAMPAIGN_USERS_PAGE_SIZE)
    const users = await campaignUsersPage(app.db, campaignId, page, size)
    return { status: 'OK' as const, page, size, responseObject: { campaignId: campaignId.toString(), users } }
  })

  const deleteOptions = { schema: { params: CampaignPathParams, body: CampaignUsersRequest, response: { 200: OkResponse } } }
  const deleteUsers = async (request: { params: CampaignPathParams, body: CampaignUsersRequest }) => {
    await removeCampaignUsers(app.db, BigInt(request.params.id), request.body.requestObject)
    return ok
  }
  app.delete('/push/campaign/:id/user/delete', deleteOptions, deleteUsers)
  app.post('/push/campaign/:id/user/delete', deleteOptions, deleteUsers)
}
export default manageUserRoutes
