import type { ChunkSummary, DeviceResult, MessageSummary } from '@beacon/contracts'
import { queryGenericPlan, queryRecentlyWritten, type Db } from '@beacon/db'
import type { ResultEvent } from '@beacon/transport'
import { completeCampaigns } from '../campaigns/completion.js'
import { removeInvalidRegistrations } from '../devices/removal.js'

type MessageResult = Extract<DeviceResult, { messageId: string }>
type CampaignResult = Extract<DeviceResult, { campaignId: string }>

// Two statements per batch, whatever it holds (see COMPLETE for why two), and a transaction of its
// own when a provider called tokens invalid (recordResults says why): each part runs over its
// own arrays (empty ones do nothing). The parts of one touch different rows, so one snapshot serves them all. A large batch (a
// campaign's) is planned with its own values: prepared once, the generic plan (which cannot tell
// 1 result from 10,000) cost a campaign four times the database CPU per notification. A small
// one (single messages) runs prepared: planning this statement each time cost more than running it.
const SMALL_BATCH = 64

/**
 * The outcomes of one kind of delivery (`table`, keyed by `source` and device), written over a
 * PENDING claim, or over an unconfirmed outcome by a confirmed one (a provider's answer that
 * arrives after a later holder reported the device unconfirmed); its parameters from `$first` on
 * are the source ids, then outcomeColumns'.
 */
const outcomeUpdate = (table: string, source: string, sourceType: string, first: number, returning: string) => `
           UPDATE ${table} AS d
              SET status = r.status::"DeliveryStatus", reason = r.reason, attempts = r.attempts, completed_at = r.at, unconfirmed = r.unconfirmed
             FROM unnest($${first}::${sourceType}[], $${first + 1}::bigint[], $${first + 2}::text[], $${first + 3}::text[], $${first + 4}::int[], $${first + 5}::timestamptz[], $${first + 6}::boolean[])
                  AS r(${source}, device_id, status, reason, attempts, at, unconfirmed)
            WHERE d.${source} = r.${source} AND d.device_id = r.device_id
              AND (d.status = 'PENDING' OR (d.unconfirmed AND NOT r.unconfirmed))
           RETURNING ${returning}`

// Ordered completion, part one: outcomes and that a summary arrived (with
// a whole-message or whole-chunk reason). Only a message whose summary and last results are both
// in this statement completes here; the other touched messages and chunks, and every one a result
// names, come back as the candidates of part two.
const RECORD_RESULTS = {
  text: `WITH message_outcomes AS (${outcomeUpdate('message_delivery', 'message_id', 'uuid', 1, 'd.message_id, d.device_id, d.status')}),
         campaign_outcomes AS (${outcomeUpdate('campaign_delivery', 'campaign_id', 'bigint', 8, 'd.campaign_id, d.chunk, d.status')}),
         summarized_messages AS (
           -- Complete at once when this very statement answers every claim still PENDING (a
           -- summary that carries its results: a single message's usual case); else part two.
           UPDATE message AS m
              SET summary_at = coalesce(m.summary_at, now()), failure_reason = coalesce(s.reason, m.failure_reason),
                  completed_at = CASE WHEN NOT EXISTS (
                    SELECT 1 FROM message_delivery d
                     WHERE d.message_id = m.id AND d.status = 'PENDING'
                       AND NOT EXISTS (SELECT 1 FROM message_outcomes o WHERE o.message_id = d.message_id AND o.device_id = d.device_id))
                  THEN now() END
             FROM unnest($15::uuid[], $16::text[]) AS s(id, reason)
            WHERE m.id = s.id AND m.completed_at IS NULL
           RETURNING m.id, m.completed_at IS NOT NULL AS complete),
         summarized_chunks AS (
           UPDATE campaign_chunk AS c
              SET summary_at = coalesce(c.summary_at, now()), failure_reason = coalesce(s.reason, c.failure_reason)
             FROM unnest($17::bigint[], $18::int[], $19::text[]) AS s(campaign_id, chunk, reason)
            WHERE c.campaign_id = s.campaign_id AND c.chunk = s.chunk AND c.done_at IS NULL
           RETURNING 1),
         touched_chunks AS (SELECT DISTINCT campaign_id, chunk FROM campaign_outcomes)
         -- Every message a result names, written now or not: a batch redelivered after its
         -- outcomes were written but before part two ran writes nothing, and must still complete them.
         SELECT array(SELECT message_id::text FROM message_outcomes
                       UNION SELECT id::text FROM summarized_messages WHERE NOT complete
                       UNION SELECT unnest($1::uuid[])::text
                       EXCEPT SELECT id::text FROM summarized_messages WHERE complete) AS messages,
                -- Complete by this statement, or before it (a redelivered batch: told again, de-duplicated by eventId).
                array(SELECT c.id::text FROM (SELECT id FROM summarized_messages WHERE complete
                                              UNION SELECT id FROM message WHERE id = ANY($15::uuid[]) AND completed_at IS NOT NULL) AS c
                       WHERE EXISTS (SELECT 1 FROM inbox_message i WHERE i.push_message_id = c.id AND i.developer_id IS NOT NULL)) AS in_app,
                array(SELECT campaign_id::text FROM touched_chunks) AS chunk_campaigns,
                array(SELECT chunk FROM touched_chunks) AS chunks,
                -- What was written, by stored status (the results-recorded metric).
                (SELECT coalesce(json_object_agg(status, n), '{}') FROM (
                   SELECT status::text, count(*)::int AS n FROM (SELECT status FROM message_outcomes UNION ALL SELECT status FROM campaign_outcomes) o
                    GROUP BY status) g) AS written`
}

// Ordered completion, part two, in a statement of its own (autocommit, so it sees what every
// recorder committed before it began): a message or chunk completes once its summary arrived and
// no claim of it is PENDING. Two recorders holding a chunk's summary and its last results each
// run part one then part two; whichever runs part two last sees both, so one of them completes it.
// Also returns the batch's messages that are complete and the push fallback of an in-app message
// (complete now or before: a redelivered batch tells the developer again, de-duplicated by eventId).
const COMPLETE = {
  text: `WITH completed_messages AS (
           UPDATE message AS m SET completed_at = now()
            WHERE m.id = ANY($1::uuid[]) AND m.completed_at IS NULL AND m.summary_at IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM message_delivery d WHERE d.message_id = m.id AND d.status = 'PENDING')
           RETURNING m.id),
         completed_chunks AS (
           UPDATE campaign_chunk AS c SET done_at = now()
             FROM unnest($2::bigint[], $3::int[]) AS k(campaign_id, chunk)
            WHERE c.campaign_id = k.campaign_id AND c.chunk = k.chunk AND c.done_at IS NULL AND c.summary_at IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM campaign_delivery d WHERE d.campaign_id = c.campaign_id AND d.chunk = c.chunk AND d.status = 'PENDING')
           RETURNING c.campaign_id),
         complete_messages AS (
           SELECT id FROM completed_messages
           UNION SELECT id FROM message WHERE id = ANY($1::uuid[]) AND completed_at IS NOT NULL)
         -- Campaigns of the batch's chunks done by this statement or before it: a batch redelivered
         -- after this statement committed and before completeCampaigns ran must still complete them.
         SELECT array(SELECT campaign_id::text FROM completed_chunks
                      UNION SELECT c.campaign_id::text FROM campaign_chunk c JOIN unnest($2::bigint[], $3::int[]) AS k(campaign_id, chunk)
                                ON c.campaign_id = k.campaign_id AND c.chunk = k.chunk
                       WHERE c.done_at IS NOT NULL) AS campaigns,
                array(SELECT c.id::text FROM complete_messages c
                       WHERE EXISTS (SELECT 1 FROM inbox_message i WHERE i.push_message_id = c.id AND i.developer_id IS NOT NULL)) AS in_app`
}

const outcomeColumns = (results: DeviceResult[]) => [
  results.map((r) => r.deviceId), results.map((r) => r.status), results.map((r) => r.reason ?? null),
  results.map((r) => r.attempts), results.map((r) => r.at), results.map((r) => r.unconfirmed === true)
]

interface Touched { messages: string[], in_app: string[], chunk_campaigns: string[], chunks: number[], written: Record<string, number> }

export interface RecordedBatch {
  /** Messages of the batch that are complete and the push fallback of an in-app message (its developer is told). */
  inAppComplete: string[]
  /** Device outcomes written, by stored status (`SENT` → 3): repeats that changed nothing are not in it. */
  written: Record<string, number>
}

/**
 * Records a batch of delivery results: each device's outcome (over a PENDING claim, or over an
 * unconfirmed outcome by a confirmed one, so a late duplicate never overwrites a real outcome),
 * the deletion of registrations whose token the provider called invalid (unless re-registered
 * since), the summaries that arrived; then, in a second statement, the messages and chunks that are
 * complete (summary in, no claim PENDING) and the campaigns whose last chunk that was.
 *
 * The invalid registrations go last, apart, in the registrations' lock order (inside the first
 * statement, a token rotating away from one deadlocked with it: both are what an app's new token
 * brings). Their failure goes to `onRemovalFailure`, not into the batch's: the outcomes and
 * completions are recorded, and the provider says the same of the token at its next send.
 */
export async function recordResults (db: Db, events: ResultEvent[], onRemovalFailure: (error: unknown) => void = (error) => { throw error }): Promise<RecordedBatch> {
  const recorded = await recordOutcomes(db, events)
  const invalid = events.flatMap((event) => event.kind === 'device' && event.result.tokenInvalid ? [event.result] : [])
  await removeInvalidRegistrations(db, invalid).catch(onRemovalFailure)
  return recorded
}

async function recordOutcomes (db: Db, events: ResultEvent[]): Promise<RecordedBatch> {
  const messageResults: MessageResult[] = []
  const campaignResults: CampaignResult[] = []
  const summaries: MessageSummary[] = []
  const chunks: ChunkSummary[] = []
  for (const event of events) {
    if (event.kind === 'device') {
      if ('messageId' in event.result) messageResults.push(event.result)
      else campaignResults.push(event.result)
    } else if (event.kind === 'summary') summaries.push(event.summary)
    else chunks.push(event.summary)
  }
  const small = events.length <= SMALL_BATCH
  const query = {
    ...RECORD_RESULTS,
    values: [
      messageResults.map((r) => r.messageId), ...outcomeColumns(messageResults),
      campaignResults.map((r) => r.campaignId), ...outcomeColumns(campaignResults),
      summaries.map((s) => s.messageId), summaries.map((s) => s.reason ?? null),
      chunks.map((c) => c.campaignId), chunks.map((c) => c.chunk), chunks.map((c) => c.reason ?? null)
    ]
  }
  // A small batch runs prepared, its generic plan (queryGenericPlan); a large one is planned each
  // time, for rows its dispatcher claimed moments ago (queryRecentlyWritten; both packages/db).
  const { rows: [touched] } = small
    ? await queryGenericPlan<Touched>(db.pool, { ...query, name: 'beacon-record-results' })
    : await queryRecentlyWritten<Touched>(db.pool, query)
  // Summaries of messages complete already (or unknown) come back in neither list: nothing to do.
  const messageIds = touched?.messages ?? []
  const inAppNow = touched?.in_app ?? []
  const written = touched?.written ?? {}
  const chunkKeys = new Map<string, { campaignId: string, chunk: number }>()
  for (const c of chunks) chunkKeys.set(`${c.campaignId}:${c.chunk}`, c)
  touched?.chunk_campaigns.forEach((campaignId, i) => chunkKeys.set(`${campaignId}:${touched.chunks[i]!}`, { campaignId, chunk: touched.chunks[i]! }))
  // Every chunk a result names (as the messages above): its outcome may have been written by an
  // earlier delivery of this batch whose part two failed. Results of older dispatchers name none.
  for (const r of campaignResults) if (r.chunk !== undefined) chunkKeys.set(`${r.campaignId}:${r.chunk}`, { campaignId: r.campaignId, chunk: r.chunk })
  if (messageIds.length === 0 && chunkKeys.size === 0) return { inAppComplete: inAppNow, written }
  const candidates = [...chunkKeys.values()]
  const { rows: [completed] } = await db.pool.query<{ campaigns: string[], in_app: string[] }>({
    ...COMPLETE,
    ...(small ? { name: 'beacon-complete-results' } : {}),
    values: [messageIds, candidates.map((c) => c.campaignId), candidates.map((c) => c.chunk)]
  })
  if ((completed?.campaigns.length ?? 0) > 0) await completeCampaigns(db.pool, completed!.campaigns.map((id) => BigInt(id)))
  return { inAppComplete: [...inAppNow, ...(completed?.in_app ?? [])], written }
}
