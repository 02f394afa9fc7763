import type { Queryable } from '../outbox/outbox.js'

/**
 * Marks campaigns complete (`sent: true`, timestampCompleted) once every user was published in a
 * chunk and every chunk is done. Called after planning (a campaign without users) and by the
 * result recorder when a chunk is done.
 */
export async function completeCampaigns (q: Queryable, campaignIds: bigint[]): Promise<void> {
  if (campaignIds.length === 0) return
  await q.query({
    text: `UPDATE campaign AS c SET completed_at = now()
            WHERE c.id = ANY($1::bigint[]) AND c.completed_at IS NULL AND c.published_at IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM campaign_chunk k WHERE k.campaign_id = c.id AND k.done_at IS NULL)`,
    values: [campaignIds.map(String)]
  })
}
