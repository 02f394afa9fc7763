import type { ChunkSummary, DeviceResult, MessageSummary } from '@beacon/contracts'
import type { Db } from '@beacon/db'
import type { ResultEvent } from '@beacon/transport'
import { completeCampaigns } from './campaign-completion.js'

type MessageResult = Extract<DeviceResult, { messageId: string }>
type CampaignResult = Extract<DeviceResult, { campaignId: string }>

/**
 * Records a batch of delivery results: each device's outcome (only over a PENDING claim, so a
 * late duplicate never overwrites the first outcome), the deletion of registrations whose token
 * the provider called invalid (unless re-registered since), and messages that are complete.
 * One statement per kind, whatever the batch size.
 */
export async function recordResults (db: Db, events: ResultEvent[]): Promise<void> {
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
  if (messageResults.length > 0) await recordDeviceOutcomes(db, messageResults)
  if (campaignResults.length > 0) await recordCampaignOutcomes(db, campaignResults)
  const invalid = [...messageResults, ...campaignResults].filter((result) => result.tokenInvalid)
  if (invalid.length > 0) await deleteInvalidRegistrations(db, invalid)
  if (summaries.length > 0) await completeMessages(db, summaries)
  if (chunks.length > 0) await completeChunks(db, chunks)
}

// Named statements through the pool (prepared once per connection): the recorder runs them for
// every batch of results.
const RECORD_MESSAGE_OUTCOMES = {
  name: 'beacon-record-message-outcomes',
  text: `UPDATE message_delivery AS d
            SET status = r.status::"DeliveryStatus", reason = r.reason, attempts = r.attempts, completed_at = r.at
           FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::text[], $5::int[], $6::timestamptz[])
                AS r(message_id, device_id, status, reason, attempts, at)
          WHERE d.message_id = r.message_id AND d.device_id = r.device_id AND d.status = 'PENDING'`
}

const RECORD_CAMPAIGN_OUTCOMES = {
  name: 'beacon-record-campaign-outcomes',
  text: `UPDATE campaign_delivery AS d
            SET status = r.status::"DeliveryStatus", reason = r.reason, attempts = r.attempts, completed_at = r.at
           FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::int[], $6::timestamptz[])
                AS r(campaign_id, device_id, status, reason, attempts, at)
          WHERE d.campaign_id = r.campaign_id AND d.device_id = r.device_id AND d.status = 'PENDING'`
}

const COMPLETE_CHUNKS = {
  name: 'beacon-complete-chunks',
  text: `UPDATE campaign_chunk AS c SET done_at = now()
           FROM unnest($1::bigint[], $2::int[]) AS s(campaign_id, chunk)
          WHERE c.campaign_id = s.campaign_id AND c.chunk = s.chunk AND c.done_at IS NULL`
}

// A registration renewed after the provider's verdict carries a token the app just confirmed.
const DELETE_INVALID_REGISTRATIONS = {
  name: 'beacon-delete-invalid-registrations',
  text: `DELETE FROM device AS d
          USING unnest($1::bigint[], $2::timestamptz[]) AS r(device_id, at)
          WHERE d.id = r.device_id AND d.last_registered_at <= r.at`
}

const COMPLETE_MESSAGES = {
  name: 'beacon-complete-messages',
  text: `UPDATE message AS m
            SET completed_at = now(), failure_reason = coalesce(s.reason, m.failure_reason)
           FROM unnest($1::uuid[], $2::text[]) AS s(id, reason)
          WHERE m.id = s.id AND m.completed_at IS NULL`
}

const outcomeColumns = (results: DeviceResult[]) => [
  results.map((r) => r.deviceId), results.map((r) => r.status), results.map((r) => r.reason ?? null),
  results.map((r) => r.attempts), results.map((r) => r.at)
]

async function recordDeviceOutcomes (db: Db, results: MessageResult[]) {
  await db.pool.query({ ...RECORD_MESSAGE_OUTCOMES, values: [results.map((r) => r.messageId), ...outcomeColumns(results)] })
}

async function recordCampaignOutcomes (db: Db, results: CampaignResult[]) {
  await db.pool.query({ ...RECORD_CAMPAIGN_OUTCOMES, values: [results.map((r) => r.campaignId), ...outcomeColumns(results)] })
}

async function completeChunks (db: Db, chunks: ChunkSummary[]) {
  await db.pool.query({ ...COMPLETE_CHUNKS, values: [chunks.map((c) => c.campaignId), chunks.map((c) => c.chunk)] })
  await completeCampaigns(db, [...new Set(chunks.map((c) => c.campaignId))].map((id) => BigInt(id)))
}

async function deleteInvalidRegistrations (db: Db, results: DeviceResult[]) {
  await db.pool.query({ ...DELETE_INVALID_REGISTRATIONS, values: [results.map((r) => r.deviceId), results.map((r) => r.at)] })
}

async function completeMessages (db: Db, summaries: MessageSummary[]) {
  await db.pool.query({ ...COMPLETE_MESSAGES, values: [summaries.map((s) => s.messageId), summaries.map((s) => s.reason ?? null)] })
}
