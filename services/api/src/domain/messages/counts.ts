import type { MessageSummary, PlatformCounts, SendResult } from '@beacon/contracts'
import type { Db } from '@beacon/db'

export const emptyCounts = (): PlatformCounts => ({ sent: 0, pending: 0, failed: 0, total: 0 })
export const emptyResult = (): SendResult => ({ ios: emptyCounts(), android: emptyCounts() })

function add (into: PlatformCounts, from: PlatformCounts) {
  into.sent += from.sent
  into.pending += from.pending
  into.failed += from.failed
  into.total += from.total
}

/** Adds a dispatcher's summary to a running total. */
export function addSummary (result: SendResult, summary: Pick<MessageSummary, 'ios' | 'android'>): void {
  add(result.ios, summary.ios)
  add(result.android, summary.android)
}

/** Counts as recorded in the database; PENDING claims count as pending, EXPIRED as failed. */
export async function recordedCounts (db: Db, messageIds: string[]): Promise<SendResult> {
  const rows = await db.$queryRaw<CountRow[]>`
    SELECT platform, status, count(*) AS n FROM message_delivery
     WHERE message_id = ANY(${messageIds}::uuid[]) GROUP BY platform, status`
  const result = emptyResult()
  for (const row of rows) addCountRow(result, row)
  return result
}

/** recordedCounts of each message apart (one statement for a page of messages); every id has an entry. */
export async function recordedCountsByMessage (db: Db, messageIds: string[]): Promise<Map<string, SendResult>> {
  const results = new Map(messageIds.map((id) => [id, emptyResult()]))
  if (messageIds.length === 0) return results
  const rows = await db.$queryRaw<Array<CountRow & { messageId: string }>>`
    SELECT message_id::text AS "messageId", platform, status, count(*) AS n FROM message_delivery
     WHERE message_id = ANY(${messageIds}::uuid[]) GROUP BY message_id, platform, status`
  for (const row of rows) {
    const result = results.get(row.messageId)
    if (result !== undefined) addCountRow(result, row)
  }
  return results
}

interface CountRow { platform: 'APNS' | 'FCM', status: string, n: bigint }

function addCountRow (result: SendResult, row: CountRow) {
  const counts = row.platform === 'APNS' ? result.ios : result.android
  const n = Number(row.n)
  counts.total += n
  if (row.status === 'SENT') counts.sent += n
  else if (row.status === 'PENDING') counts.pending += n
  else counts.failed += n
}
