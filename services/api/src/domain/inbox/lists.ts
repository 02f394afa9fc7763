import type { InboxMessageSummary } from '@beacon/contracts'
import type { Db, InboxMessageType } from '@beacon/db'
import { inboxTypeName } from './messages.js'

export interface InboxPageRequest {
  userId: string
  /** Beacon's internal application ids: a message of any one of them is listed. */
  applicationIds: number[]
  onlyUnread: boolean
  page: number
  size: number
}

interface SummaryRow {
  id: string
  type: InboxMessageType
  subject: string
  summary: string
  read: boolean
  created_at: Date
}

/**
 * One page of a user's messages, newest first (the id breaks ties so that pages never overlap).
 * The (user_id, created_at) index finds the user's messages; the offset can pass 2^31 (page up to
 * 999,999,999), a bigint, which Prisma's `skip` is not.
 */
export async function inboxPage (db: Db, request: InboxPageRequest): Promise<InboxMessageSummary[]> {
  const { userId, applicationIds, onlyUnread, page, size } = request
  const rows = await db.$queryRaw<SummaryRow[]>`
    SELECT m.id::text AS id, m.type::text AS type, m.subject, m.summary, m.read, m.created_at FROM inbox_message AS m
     WHERE m.user_id = ${userId} AND (${!onlyUnread} OR NOT m.read)
       AND EXISTS (SELECT 1 FROM inbox_message_application AS a
                    WHERE a.message_id = m.id AND a.application_id = ANY(${applicationIds}::int[]))
     ORDER BY m.created_at DESC, m.id DESC
     LIMIT ${size} OFFSET ${BigInt(page) * BigInt(size)}`
  return rows.map((row) => ({
    id: row.id,
    type: inboxTypeName(row.type),
    subject: row.subject,
    summary: row.summary,
    read: row.read,
    timestampCreated: row.created_at.toISOString()
  }))
}

const unreadOf = (userId: string, applicationId: number) =>
  ({ userId, read: false, applications: { some: { applicationId } } })

/** How many of the user's messages in the application are unread. */
export async function countUnreadInbox (db: Db, userId: string, applicationId: number): Promise<number> {
  return await db.inboxMessage.count({ where: unreadOf(userId, applicationId) })
}

/**
 * Marks every unread message of the user in the application read, in one statement. A message of
 * several applications is one message: reading it in one app reads it in all, as in PowerAuth.
 */
export async function readAllInbox (db: Db, userId: string, applicationId: number): Promise<void> {
  await db.inboxMessage.updateMany({ where: unreadOf(userId, applicationId), data: { read: true, readAt: new Date() } })
}
