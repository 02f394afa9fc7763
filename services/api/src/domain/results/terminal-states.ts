import { completeCampaigns } from '../campaigns/completion.js'
import { recordQueuedCallbacks } from '../callbacks/records.js'
import { inAppCallbackPayload, type Queryable } from '../outbox/outbox.js'

/**
 * Ends messages that will never get a summary (their command was refused for good, or JetStream
 * gave it up) as failed with `reason`, in one statement: claims still PENDING (whether their
 * requests reached a provider is unknown) fail with `reason`, marked unconfirmed (a real result
 * arriving later replaces them), and the developer
 * of an in-app message whose push fallback this was is told push.failed (through the outbox).
 */
export async function failMessages (q: Queryable, messageIds: string[], reason: string): Promise<number> {
  if (messageIds.length === 0) return 0
  const { rows } = await q.query<{ n: number }>({
    text: `WITH failed AS (
             UPDATE message SET completed_at = now(), summary_at = coalesce(summary_at, now()), failure_reason = $2
              WHERE id = ANY($1::uuid[]) AND completed_at IS NULL
             RETURNING id),
           unconfirmed AS (
             UPDATE message_delivery SET status = 'FAILED', reason = $2, unconfirmed = true, completed_at = now()
              WHERE message_id IN (SELECT id FROM failed) AND status = 'PENDING'
             RETURNING 1),
           told AS (
             INSERT INTO outbox (kind, payload)
             SELECT 'callback', ${inAppCallbackPayload('i', 'push.failed', 'now()', '$2')}
               FROM inbox_message i JOIN failed f ON i.push_message_id = f.id
              WHERE i.developer_id IS NOT NULL
             RETURNING payload),
           recorded AS (${recordQueuedCallbacks('told')})
           SELECT count(*)::int AS n FROM failed`,
    values: [messageIds, reason]
  })
  return rows[0]?.n ?? 0
}

/**
 * Ends campaign chunks that will never get a summary as done with `reason` (their unreached users
 * stay unsent, their PENDING claims fail with it, marked unconfirmed), then completes their campaigns.
 */
export async function failChunks (q: Queryable, chunks: Array<{ campaignId: string, chunk: number }>, reason: string): Promise<void> {
  if (chunks.length === 0) return
  await q.query({
    text: `WITH failed AS (
             UPDATE campaign_chunk AS c SET done_at = now(), summary_at = coalesce(c.summary_at, now()), failure_reason = $3
               FROM unnest($1::bigint[], $2::int[]) AS f(campaign_id, chunk)
              WHERE c.campaign_id = f.campaign_id AND c.chunk = f.chunk AND c.done_at IS NULL
             RETURNING c.campaign_id, c.chunk)
           UPDATE campaign_delivery AS d SET status = 'FAILED', reason = $3, unconfirmed = true, completed_at = now()
             FROM failed f
            WHERE d.campaign_id = f.campaign_id AND d.chunk = f.chunk AND d.status = 'PENDING'`,
    values: [chunks.map((c) => c.campaignId), chunks.map((c) => c.chunk), reason]
  })
  await completeCampaigns(q, [...new Set(chunks.map((c) => c.campaignId))].map((id) => BigInt(id)))
}
