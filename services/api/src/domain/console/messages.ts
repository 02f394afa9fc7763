import type { DeviceOutcome, MessageDetail, MessageListRequest, MessageOutcomesRequest } from '@beacon/contracts'
import type { Db } from '@beacon/db'
import { badRequest } from '../../errors.js'
import { requireApplicationByAppId } from '../applications/lookup.js'
import { recordedCountsByMessage } from '../messages/counts.js'
import { messageDetail, type MessageFields } from '../messages/detail.js'
import { decodeCursor, isDigits, isIsoTimestamp, isUuid, pageOf, rowsToRead, type Page } from './page.js'

/**
 * An application's messages, newest first, each with its counts as its detail shows them. Paged
 * by (created_at, id) off the index (application_id, created_at, id): the row comparison is an
 * index condition, so a page starts at the cursor instead of reading every newer message.
 */
export async function listMessages (db: Db, request: MessageListRequest['requestObject']): Promise<Page<MessageDetail>> {
  const after = decodeCursor('messages', request.cursor, 2, (part, index) => index === 0 ? isIsoTimestamp(part) : isUuid(part))
  const application = await requireApplicationByAppId(db, request.appId)
  // Past any real key: the first page's bound.
  const [at, id] = after ?? ['infinity', 'ffffffff-ffff-ffff-ffff-ffffffffffff']
  const rows = await db.$queryRaw<MessageFields[]>`
    SELECT id::text AS id, user_id AS "userId", activation_id AS "activationId", failure_reason AS "failureReason",
           created_at AS "createdAt", completed_at AS "completedAt"
      FROM message
     WHERE application_id = ${application.id} AND (created_at, id) < (${at}::timestamptz, ${id}::uuid)
     ORDER BY created_at DESC, id DESC
     LIMIT ${rowsToRead(request)}`
  // The look-ahead row (rowsToRead reads one more) is never shown: no counts for it.
  const counts = await recordedCountsByMessage(db, rows.slice(0, rowsToRead(request) - 1).map((row) => row.id))
  return pageOf('messages', request, rows, (row) => [row.createdAt.toISOString(), row.id],
    (row) => messageDetail(row, application.appId, counts.get(row.id)!))
}

/**
 * A message's device outcomes by device id, off the primary key (message_id, device_id). The
 * message must be the named application's: another application's is answered as unknown.
 */
export async function listOutcomes (db: Db, request: MessageOutcomesRequest['requestObject']): Promise<Page<DeviceOutcome>> {
  const after = decodeCursor('outcomes', request.cursor, 1, isDigits)
  const application = await requireApplicationByAppId(db, request.appId)
  const message = await db.message.findFirst({ where: { id: request.messageId, applicationId: application.id }, select: { id: true } })
  if (message === null) throw badRequest(`Message with id ${request.messageId} does not exist in application ${application.appId}`)
  const rows = await db.messageDelivery.findMany({
    where: { messageId: message.id, ...(after === null ? {} : { deviceId: { gt: BigInt(after[0]!) } }) },
    orderBy: { deviceId: 'asc' },
    take: rowsToRead(request)
  })
  return pageOf('outcomes', request, rows, (row) => [String(row.deviceId)], (row) => ({
    deviceId: String(row.deviceId),
    platform: row.platform === 'APNS' ? 'apns' as const : 'fcm' as const,
    status: row.status,
    reason: row.reason,
    attempts: row.attempts,
    unconfirmed: row.unconfirmed,
    timestampClaimed: row.claimedAt.toISOString(),
    timestampCompleted: row.completedAt?.toISOString() ?? null
  }))
}
