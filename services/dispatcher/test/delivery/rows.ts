import type { DeviceResult } from '@beacon/contracts'
import type { ResultEvent } from '@beacon/transport'
import type { DbHarness } from './db-harness.js'

const byText = (a: unknown[], b: unknown[]) => JSON.stringify(a).localeCompare(JSON.stringify(b))

/** A result as a row: [device label, status, reason, attempts, tokenInvalid, unconfirmed]. */
export const resultRow = (h: DbHarness, r: DeviceResult) => [h.label(r.deviceId), r.status, r.reason ?? null, r.attempts, r.tokenInvalid, r.unconfirmed === true]

/** Every device result published so far (of one message or campaign when given), as sorted rows. */
export function publishedRows (h: DbHarness, source?: { messageId: string } | { campaignId: string }) {
  return h.events.flatMap((e) => (e.kind === 'device' ? [e.result] : []))
    .filter((r) => source === undefined || ('messageId' in source ? 'messageId' in r && r.messageId === source.messageId : 'campaignId' in r && r.campaignId === source.campaignId))
    .map((r) => resultRow(h, r)).sort(byText)
}

/** A message's claims as sorted rows: [device label, status, reason, attempts, unconfirmed]. */
export async function messageClaimRows (h: DbHarness, messageId: string) {
  const rows = await h.db.messageDelivery.findMany({ where: { messageId } })
  return rows.map((r) => [h.label(r.deviceId), r.status, r.reason, r.attempts, r.unconfirmed]).sort(byText)
}

/** A campaign's claims as sorted rows: [device label, chunk, status, reason, attempts, unconfirmed]. */
export async function campaignClaimRows (h: DbHarness, campaignId: string) {
  const rows = await h.db.campaignDelivery.findMany({ where: { campaignId: BigInt(campaignId) } })
  return rows.map((r) => [h.label(r.deviceId), r.chunk, r.status, r.reason, r.attempts, r.unconfirmed]).sort(byText)
}

/**
 * The api's recorder, as a test stand-in: writes the published results onto their claims, over a
 * PENDING claim (or an unconfirmed outcome by a confirmed one), as services/api's
 * delivery-records.ts does. Called where the api would have recorded them.
 */
export async function recordPublished (h: DbHarness, events: ResultEvent[] = h.events) {
  for (const event of events) {
    if (event.kind !== 'device') continue
    const r = event.result
    const [table, source, type, id] = 'messageId' in r ? ['message_delivery', 'message_id', 'uuid', r.messageId] : ['campaign_delivery', 'campaign_id', 'bigint', r.campaignId]
    await h.db.pool.query(`UPDATE ${table} SET status = $3::"DeliveryStatus", reason = $4, attempts = $5, completed_at = $6, unconfirmed = $7
       WHERE ${source} = $1::${type} AND device_id = $2::bigint AND (status = 'PENDING' OR (unconfirmed AND NOT $7))`,
    [id, r.deviceId, r.status, r.reason ?? null, r.attempts, r.at, r.unconfirmed === true])
  }
}

/** The summaries published (message and chunk), in order. */
export const summaries = (h: DbHarness) => h.events.flatMap((e) => (e.kind === 'device' ? [] : [e.summary]))
