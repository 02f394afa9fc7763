import type { ChunkSummary, DeviceResult, MessageSummary } from '@beacon/contracts'
import type { Db } from '@beacon/db'
import type { ResultEvent } from '@beacon/transport'
import { completeCampaigns } from './campaign-completion.js'

type MessageResult = Extract<DeviceResult, { messageId: string }>
type CampaignResult = Extract<DeviceResult, { campaignId: string }>

// One statement per batch, whatever it holds: each part runs over its own arrays (empty ones do
// nothing). The parts touch different rows, so one snapshot serves them all. A large batch (a
// campaign's) is planned with its own values: prepared once, the generic plan (which cannot tell
// 1 result from 10,000) cost a campaign four times the database CPU per notification. A small
// one (single messages) runs prepared: planning this statement each time cost more than running it.
const SMALL_BATCH = 64

/**
 * The outcomes of one kind of delivery (`table`, keyed by `source` and device), written over a
 * PENDING claim only; its parameters from `$first` on are the source ids, then outcomeColumns'.
 */
const outcomeUpdate = (table: string, source: string, sourceType: string, first: number) => `
           UPDATE ${table} AS d
              SET status = r.status::"DeliveryStatus", reason = r.reason, attempts = r.attempts, completed_at = r.at
             FROM unnest($${first}::${sourceType}[], $${first + 1}::bigint[], $${first + 2}::text[], $${first + 3}::text[], $${first + 4}::int[], $${first + 5}::timestamptz[])
                  AS r(${source}, device_id, status, reason, attempts, at)
            WHERE d.${source} = r.${source} AND d.device_id = r.device_id AND d.status = 'PENDING'
           RETURNING 1`

const RECORD_RESULTS = {
  text: `WITH message_outcomes AS (${outcomeUpdate('message_delivery', 'message_id', 'uuid', 1)}),
         campaign_outcomes AS (${outcomeUpdate('campaign_delivery', 'campaign_id', 'bigint', 7)}),
         invalid_registrations AS (
           -- A registration renewed after the provider's verdict carries a token the app just confirmed.
           DELETE FROM device AS d
            USING unnest($13::bigint[], $14::timestamptz[]) AS r(device_id, at)
            WHERE d.id = r.device_id AND d.last_registered_at <= r.at
           RETURNING 1),
         completed_messages AS (
           UPDATE message AS m
              SET completed_at = now(), failure_reason = coalesce(s.reason, m.failure_reason)
             FROM unnest($15::uuid[], $16::text[]) AS s(id, reason)
            WHERE m.id = s.id AND m.completed_at IS NULL
           RETURNING 1),
         completed_chunks AS (
           UPDATE campaign_chunk AS c SET done_at = now()
             FROM unnest($17::bigint[], $18::int[]) AS s(campaign_id, chunk)
            WHERE c.campaign_id = s.campaign_id AND c.chunk = s.chunk AND c.done_at IS NULL
           RETURNING 1)
         SELECT EXISTS (SELECT 1 FROM inbox_message WHERE push_message_id = ANY($15::uuid[]) AND developer_id IS NOT NULL) AS in_app`
}

const outcomeColumns = (results: DeviceResult[]) => [
  results.map((r) => r.deviceId), results.map((r) => r.status), results.map((r) => r.reason ?? null),
  results.map((r) => r.attempts), results.map((r) => r.at)
]

export interface RecordedBatch {
  /** The summaries of the batch. */
  summaries: MessageSummary[]
  /** Whether one of them is the push fallback of an in-app message (its developer is told). */
  inApp: boolean
}

/**
 * Records a batch of delivery results: each device's outcome (only over a PENDING claim, so a
 * late duplicate never overwrites the first outcome), the deletion of registrations whose token
 * the provider called invalid (unless re-registered since), messages and campaign chunks that
 * are complete, then campaigns whose last chunk that was.
 */
export async function recordResults (db: Db, events: ResultEvent[]): Promise<RecordedBatch> {
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
  const invalid = [...messageResults, ...campaignResults].filter((result) => result.tokenInvalid)
  const { rows } = await db.pool.query<{ in_app: boolean }>({
    ...RECORD_RESULTS,
    ...(events.length <= SMALL_BATCH ? { name: 'beacon-record-results' } : {}),
    values: [
      messageResults.map((r) => r.messageId), ...outcomeColumns(messageResults),
      campaignResults.map((r) => r.campaignId), ...outcomeColumns(campaignResults),
      invalid.map((r) => r.deviceId), invalid.map((r) => r.at),
      summaries.map((s) => s.messageId), summaries.map((s) => s.reason ?? null),
      chunks.map((c) => c.campaignId), chunks.map((c) => c.chunk)
    ]
  })
  if (chunks.length > 0) await completeCampaigns(db, [...new Set(chunks.map((c) => c.campaignId))].map((id) => BigInt(id)))
  return { summaries, inApp: rows[0]?.in_app === true }
}
