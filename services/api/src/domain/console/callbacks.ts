import type { CallbackListRequest, CallbackRecord } from '@beacon/contracts'
import type { Db } from '@beacon/db'
import { requireDeveloperId } from '../developers/developers.js'
import { decodeCursor, isDigits, pageOf, rowsToRead, type Page } from './page.js'

/**
 * A developer's callbacks, newest first, paged by id off the index (developer_id, id). The record
 * holds no body, URL or signature, and the developer's secret is not read at all.
 */
export async function listCallbacks (db: Db, request: CallbackListRequest['requestObject']): Promise<Page<CallbackRecord>> {
  const after = decodeCursor('callbacks', request.cursor, 1, isDigits)
  const developerId = await requireDeveloperId(db, request.developerId)
  const rows = await db.callbackDelivery.findMany({
    where: { developerId, ...(after === null ? {} : { id: { lt: BigInt(after[0]!) } }) },
    orderBy: { id: 'desc' },
    take: rowsToRead(request)
  })
  return pageOf('callbacks', request, rows, (row) => [String(row.id)], (row) => ({
    eventId: row.eventId,
    event: row.event,
    requestId: row.requestId,
    status: row.status,
    attempts: row.attempts,
    lastStatus: row.lastStatus,
    lastError: row.lastError,
    timestampCreated: row.createdAt.toISOString(),
    timestampLastAttempt: row.lastAttemptAt?.toISOString() ?? null,
    timestampCompleted: row.completedAt?.toISOString() ?? null
  }))
}
