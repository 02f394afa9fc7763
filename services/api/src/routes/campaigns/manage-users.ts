import {
  CampaignPathParams, CampaignUsersPageQuery, CampaignUsersPageResponse, CampaignUsersRequest,
  DEFAULT_CAMPAIGN_USERS_PAGE_SIZE, OkResponse
} from '@beacon/contracts'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { requireCampaign } from '../../domain/campaign-records.js'
import { addCampaignUsers, campaignUsersPage, removeCampaignUsers } from '../../domain/campaign-users.js'

const ok = { status: 'OK' as const }

/**
 * `user/add`, `user/list` and `user/delete` of a campaign. Adding and removing are refused once
 * live sending started: the users are then being published to the dispatchers.
 */
const manageUserRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.put('/push/campaign/:id/user/add', {
    schema: { params: CampaignPathParams, body: CampaignUsersRequest, response: { 200: OkResponse } }
  }, async (request) => {
    await addCampaignUsers(app.db, BigInt(request.params.id), request.body.requestObject)
    return ok
  })

  app.get('/push/campaign/:id/user/list', {
    schema: { params: CampaignPathParams, querystring: CampaignUsersPageQuery, response: { 200: CampaignUsersPageResponse } }
  }, async (request) => {
    const campaign = await requireCampaign(app.db, BigInt(request.params.id))
    // 0-based pages of `size` users (default 100), as Spring's Pageable counts them.
    const page = Number(request.query.page ?? 0)
    const size = Number(request.query.size ?? DEFAULT_CAMPAIGN_USERS_PAGE_SIZE)
    const users = await campaignUsersPage(app.db, campaign.id, page, size)
    return { status: 'OK' as const, page, size, responseObject: { campaignId: campaign.id.toString(), users } }
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
