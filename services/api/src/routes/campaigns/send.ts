import { CampaignPathParams, CampaignTestSendRequest, OkResponse } from '@beacon/contracts'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { sendMessages } from '../../domain/messages/messages.js'
import { campaignNotFound } from '../../domain/campaigns/records.js'
import { startCampaign } from '../../domain/campaigns/plan.js'
import { checkBodySize } from '../../domain/messages/body-size.js'

const ok = { status: 'OK' as const }

async function requireCampaign (app: Parameters<FastifyPluginAsyncTypebox>[0], id: string) {
  const campaign = await app.db.campaign.findUnique({ where: { id: BigInt(id) }, include: { application: true } })
  if (campaign === null) throw campaignNotFound()
  return campaign
}

/**
 * Its message checked again as at creation before anything is sent: campaigns created before
 * that check (2026-12-06) may hold one of any size, which no provider takes and whose copy would
 * go into the command of every chunk.
 */
const checkCampaignMessage = (campaign: { message: unknown }) => { checkBodySize(campaign.message, 'the campaign\'s message') }

/** `send/test/{id}` (to one user, as a message) and `send/live/{id}` (to every user, once). */
const sendRoutes: FastifyPluginAsyncTypebox<{ syncTimeoutMs: number, chunkUsers: number }> = async (app, { syncTimeoutMs, chunkUsers }) => {
  app.post('/push/campaign/send/test/:id', {
    schema: { params: CampaignPathParams, body: CampaignTestSendRequest, response: { 200: OkResponse } }
  }, async (request) => {
    const campaign = await requireCampaign(app, request.params.id)
    checkCampaignMessage(campaign)
    const { userId } = request.body.requestObject
    await sendMessages(app, campaign.application.appId, [{ userId, body: campaign.message as never }], 'SYNCHRONOUS', syncTimeoutMs)
    return ok
  })

  app.post('/push/campaign/send/live/:id', {
    schema: { params: CampaignPathParams, response: { 200: OkResponse } }
  }, async (request) => {
    const campaign = await requireCampaign(app, request.params.id)
    // One started before the check is on its way: asked again, OK as for any other.
    if (campaign.sentAt === null) checkCampaignMessage(campaign)
    // The one place a campaign's sending starts: at most once, whatever the concurrency. Its
    // chunks are in the outbox now; this instance's sweeper publishes them at once. Asked again,
    // the campaign is already on its way (or sent): OK, and no one gets it twice.
    const { started } = await startCampaign(app.db, campaign.id, chunkUsers)
    if (started) app.outbox.kick()
    return ok
  })
}
export default sendRoutes
