import type { MessageBody } from '@beacon/contracts'
import { Prisma, type Db } from '@beacon/db'
import type { Transport } from '@beacon/transport'
import { completeCampaigns } from './campaign-completion.js'

/**
 * Publishes a campaign's users as chunks of (afterUserId, lastUserId] for the dispatchers, paging
 * through the users by keyset (never loading them whole). Each chunk is recorded before it is
 * published, so an interrupted publisher (an api restart) resumes after the last recorded chunk,
 * publishing that one again (JetStream drops the repeat; dispatcher claims make it harmless).
 */
export async function publishCampaign (
  db: Db, transport: Transport, campaignId: bigint, options: { chunkUsers: number, signal?: AbortSignal }
): Promise<void> {
  // Users per chunk: one dispatcher command, one device query, one claim statement.
  const { chunkUsers } = options
  const campaign = await db.campaign.findUnique({ where: { id: campaignId } })
  if (campaign === null || campaign.publishedAt !== null) return
  const body = campaign.message as MessageBody
  const publish = (chunk: number, afterUserId: string | null, lastUserId: string) => transport.publishCommand({
    kind: 'campaign-chunk', campaignId: campaignId.toString(), chunk, applicationId: campaign.applicationId, afterUserId, lastUserId, body
  })

  const last = await db.campaignChunk.findFirst({ where: { campaignId }, orderBy: { chunk: 'desc' } })
  if (last !== null) await publish(last.chunk, last.afterUserId, last.lastUserId)
  let chunk = last === null ? 0 : last.chunk + 1
  let after = last?.lastUserId ?? null
  for (;;) {
    // Stopped by a shutdown: the next start resumes after the last recorded chunk.
    if (options.signal?.aborted === true) return
    const page = await db.$queryRaw<Array<{ user_id: string }>>`
      SELECT user_id FROM campaign_user
       WHERE campaign_id = ${campaignId} AND (${after}::text IS NULL OR user_id > ${after})
       ORDER BY user_id OFFSET ${chunkUsers - 1} LIMIT 1`
    // The chunk's last user: the page's last, or the campaign's last for a partial final page.
    const lastUser = page[0]?.user_id ?? (await db.$queryRaw<Array<{ user_id: string | null }>>`
      SELECT max(user_id) AS user_id FROM campaign_user
       WHERE campaign_id = ${campaignId} AND (${after}::text IS NULL OR user_id > ${after})`)[0]?.user_id ?? null
    if (lastUser === null) break
    try {
      await db.campaignChunk.create({ data: { campaignId, chunk, afterUserId: after, lastUserId: lastUser } })
    } catch (error) {
      // P2002: another api instance publishes this campaign (it recorded this chunk first).
      // P2003: the campaign was deleted meanwhile. Either way there is nothing left to do here.
      if (error instanceof Prisma.PrismaClientKnownRequestError && (error.code === 'P2002' || error.code === 'P2003')) return
      throw error
    }
    await publish(chunk, after, lastUser)
    after = lastUser
    chunk++
  }
  await db.campaign.updateMany({ where: { id: campaignId }, data: { publishedAt: new Date() } })
  await completeCampaigns(db, [campaignId])
}

/** Campaigns whose live sending started but whose publishing did not finish (an api restart). */
export async function unfinishedPublications (db: Db): Promise<bigint[]> {
  const rows = await db.campaign.findMany({ where: { sentAt: { not: null }, publishedAt: null }, select: { id: true } })
  return rows.map((row) => row.id)
}
