import {
  CampaignDetailResponse, CampaignListQuery, CampaignListResponse, CampaignPathParams, CampaignSummary,
  CreateCampaignRequest, CreateCampaignResponse, DeleteCampaignResponse
} from '@beacon/contracts'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { createCampaign } from '../../domain/campaigns/creation.js'
import { checkBodySize } from '../../domain/messages/body-size.js'
import { campaignListStream } from '../../domain/campaigns/list.js'
import { campaignProgress, campaignSummary, requireCampaign } from '../../domain/campaigns/records.js'
import { springBoolean } from '../../domain/powerauth/spring-params.js'
import manageUserRoutes from './manage-users.js'

/** Create, delete, detail, list, and (in manage-users.ts) the users of a campaign. */
const manageRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/push/campaign/create', {
    schema: { body: CreateCampaignRequest, response: { 200: CreateCampaignResponse } }
  }, async (request) => {
    const { appId, message } = request.body.requestObject
    checkBodySize(message, 'requestObject.message')
    const id = await createCampaign(app.db, appId, message)
    return { status: 'OK' as const, responseObject: { id: id.toString() } }
  })

  // PowerAuth answers `deleted: false` for an unknown campaign; its users, chunks and deliveries go with it.
  const deleteOptions = { schema: { params: CampaignPathParams, response: { 200: DeleteCampaignResponse } } }
  const deleteCampaign = async (request: { params: CampaignPathParams }) => {
    const { count } = await app.db.campaign.deleteMany({ where: { id: BigInt(request.params.id) } })
    return { status: 'OK' as const, responseObject: { deleted: count > 0 } }
  }
  app.delete('/push/campaign/:id/delete', deleteOptions, deleteCampaign)
  app.post('/push/campaign/:id/delete', deleteOptions, deleteCampaign)

  app.get('/push/campaign/:id/detail', {
    schema: { params: CampaignPathParams, response: { 200: CampaignDetailResponse } }
  }, async (request) => {
    const id = BigInt(request.params.id)
    const campaign = await requireCampaign(app.db, id)
    const progress = await campaignProgress(app.db, id)
    return { status: 'OK' as const, responseObject: { ...campaignSummary(campaign), progress } }
  })

  // Streamed page by page (list.ts): the schema's serializer, compiled once for one campaign,
  // writes each, as it would the whole list.
  app.get('/push/campaign/list', {
    schema: { querystring: CampaignListQuery, response: { 200: CampaignListResponse } }
  }, async (request, reply) => {
    const all = springBoolean(request.query.all, false)
    reply.type('application/json; charset=utf-8')
    // Fastify's HEAD route drains a stream after answering: every page would be read for nothing.
    if (request.method === 'HEAD') return await reply.send('' as never)
    // Compiled at the first request, then cached by Fastify (per route and schema).
    const serialize = reply.compileSerializationSchema(CampaignSummary as unknown as Record<string, unknown>) as (summary: CampaignSummary) => string
    const body = await campaignListStream(app.db, all, serialize)
    // The answer is cut then (list.ts); Fastify says nothing of it with request logging off, and
    // the client's side reads as an abort.
    body.once('error', (error) => { request.log.error({ err: error }, 'campaign list cut: reading a page failed') })
    return await reply.send(body as never)
  })

  await app.register(manageUserRoutes)
}
export default manageRoutes
