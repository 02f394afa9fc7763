import { randomUUID } from 'node:crypto'
import { appIdAnswer, type InboxMessageDetail, type PostInboxMessageRequest } from '@beacon/contracts'
import { InboxMessageType, type Db } from '@beacon/db'
import { badRequest } from '../../errors.js'
import { compareAppIds } from '../applications/lookup.js'
import { requireInboxApplications } from './applications.js'

/** The campaigns' kind of answer for an unknown id: a 400 ERROR_GENERIC, on every inbox endpoint. */
export const inboxMessageNotFound = () => badRequest('Inbox message with entered ID does not exist')

/** The columns the detail view needs: the row and its applications' PowerAuth ids. */
const detailInclude = { applications: { select: { application: { select: { appId: true } } } } } as const

interface DetailRow {
  id: string
  userId: string
  type: InboxMessageType
  subject: string
  summary: string
  body: string
  read: boolean
  createdAt: Date
  readAt: Date | null
  applications: Array<{ application: { appId: string } }>
}

/** Rows store TEXT/HTML (also those of the signed API's in-app messages); PowerAuth speaks lowercase. */
export const inboxTypeName = (type: InboxMessageType) => type === InboxMessageType.HTML ? 'html' as const : 'text' as const

export function inboxMessageDetail (row: DetailRow): InboxMessageDetail {
  return {
    id: row.id,
    userId: row.userId,
    applications: row.applications.map(({ application }) => application.appId).sort(compareAppIds).map(appIdAnswer),
    type: inboxTypeName(row.type),
    subject: row.subject,
    summary: row.summary,
    body: row.body,
    read: row.read,
    timestampCreated: row.createdAt.toISOString(),
    timestampRead: row.readAt?.toISOString() ?? null
  }
}

/** The message `id` in full, or the not-found 400. */
export async function requireInboxMessage (db: Db, id: string): Promise<InboxMessageDetail> {
  const row = await db.inboxMessage.findUnique({ where: { id }, include: detailInclude })
  if (row === null) throw inboxMessageNotFound()
  return inboxMessageDetail(row)
}

/** Stores a message for every listed application at once; an unknown application stores nothing. */
export async function postInboxMessage (db: Db, input: PostInboxMessageRequest['requestObject']): Promise<InboxMessageDetail> {
  const applicationIds = await requireInboxApplications(db, input.applications)
  const row = await db.inboxMessage.create({
    data: {
      id: randomUUID(),
      userId: input.userId,
      type: input.type.toLowerCase() === 'html' ? InboxMessageType.HTML : InboxMessageType.TEXT,
      subject: input.subject,
      summary: input.summary,
      body: input.body,
      silent: input.silent ?? false,
      applications: { create: applicationIds.map((applicationId) => ({ applicationId })) }
    },
    include: detailInclude
  })
  return inboxMessageDetail(row)
}

/**
 * Marks the message read. Only an unread row is updated, in one statement, so the first read's
 * timestamp stays however often (or concurrently) it is read again.
 */
export async function readInboxMessage (db: Db, id: string): Promise<InboxMessageDetail> {
  await db.inboxMessage.updateMany({ where: { id, read: false }, data: { read: true, readAt: new Date() } })
  return await requireInboxMessage(db, id)
}
