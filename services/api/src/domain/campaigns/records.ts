import { appIdAnswer, type CampaignProgress, type CampaignSummary, type FailedChunk, type MessageBody } from '@beacon/contracts'
import type { Db } from '@beacon/db'
import { badRequest } from '../../errors.js'

/** PowerAuth's words for an unknown campaign id, on every campaign endpoint. */
export const campaignNotFound = () => badRequest('Campaign with entered ID does not exist')

/** The columns a campaign's API view needs: the row and its application's PowerAuth id. */
export interface CampaignView {
  id: bigint
  message: unknown
  createdAt: Date
  sentAt: Date | null
  completedAt: Date | null
  application: { appId: string }
}

export const campaignViewInclude = { application: { select: { appId: true } } } as const

/** The campaign `id` with its application, or PowerAuth's 400. */
export async function requireCampaign (db: Db, id: bigint): Promise<CampaignView> {
  const campaign = await db.campaign.findUnique({ where: { id }, include: campaignViewInclude })
  if (campaign === null) throw campaignNotFound()
  return campaign
}

/** `sent` means sending completed: PowerAuth has no state between "sending" and "sent". */
export function campaignSummary (campaign: CampaignView): CampaignSummary {
  return {
    id: campaign.id.toString(),
    appId: appIdAnswer(campaign.application.appId),
    sent: campaign.completedAt !== null,
    message: campaign.message as MessageBody,
    timestampCreated: campaign.createdAt.toISOString(),
    timestampSent: campaign.sentAt?.toISOString() ?? null,
    timestampCompleted: campaign.completedAt?.toISOString() ?? null
  }
}

/**
 * Device deliveries by outcome, in one grouped query over the campaign_id prefix of the (campaign_id, chunk, status) index: it
 * stays one index scan however many devices a campaign reaches.
 */
export async function campaignProgress (db: Db, campaignId: bigint): Promise<CampaignProgress> {
  const rows = await db.$queryRaw<Array<{ status: string, n: bigint }>>`
    SELECT status::text AS status, count(*) AS n FROM campaign_delivery
     WHERE campaign_id = ${campaignId} GROUP BY status`
  const progress: CampaignProgress = { sent: 0, failed: 0, pending: 0, total: 0 }
  for (const row of rows) {
    const n = Number(row.n)
    progress.total += n
    if (row.status === 'SENT') progress.sent += n
    else if (row.status === 'PENDING') progress.pending += n
    else progress.failed += n // FAILED and EXPIRED
  }
  const failedChunks = await failedChunksOf(db, campaignId)
  if (failedChunks.length > 0) progress.failedChunks = failedChunks
  return progress
}

/** The chunks of a campaign that failed as a whole, and why, in chunk order. */
export async function failedChunksOf (db: Db, campaignId: bigint): Promise<FailedChunk[]> {
  const chunks = await db.campaignChunk.findMany({
    where: { campaignId, failureReason: { not: null } }, select: { chunk: true, failureReason: true }, orderBy: { chunk: 'asc' }
  })
  return chunks.map((c) => ({ chunk: c.chunk, reason: c.failureReason ?? '' }))
}
