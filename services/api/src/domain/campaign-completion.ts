import type { Db } from '@beacon/db'

/**
 * Marks campaigns complete (`sent: true`, timestampCompleted) once every user was published in a
 * chunk and every chunk is done. Called by both sides of that race: the publisher when it
 * finishes, the result recorder when a chunk is done; whichever comes last completes it.
 */
export async function completeCampaigns (db: Db, campaignIds: bigint[]): Promise<void> {
  if (campaignIds.length === 0) return
  await db.$executeRaw`
    UPDATE campaign AS c SET completed_at = now()
     WHERE c.id = ANY(${campaignIds}::bigint[]) AND c.completed_at IS NULL AND c.published_at IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM campaign_chunk k WHERE k.campaign_id = c.id AND k.done_at IS NULL)`
}
