import { randomUUID } from 'node:crypto'
import type { InAppMessageFrame } from '@beacon/contracts'
import type { Db, InboxMessage, Prisma } from '@beacon/db'
import type { InAppIdentity } from './token.js'

export interface NewInAppMessage extends InAppIdentity {
  developerId: number
  content: string
  sender?: string | undefined
  pushContent?: string | undefined
}

export interface InAppTimings {
  inAppAckTimeoutMs: number
  inAppMessageTtlSeconds: number
}

/** Most messages replayed to a connecting socket; older ones remain for the push fallback and expiry. */
const MAX_REPLAY = 500

/**
 * Stores a developer's in-app message in the user's store (with its one application). The push
 * fallback is scheduled only when there is push content to send.
 */
export async function storeInAppMessage (db: Db, message: NewInAppMessage, timings: InAppTimings, now = new Date()): Promise<InboxMessage> {
  return await db.inboxMessage.create({
    data: {
      id: randomUUID(),
      userId: message.userId,
      type: 'TEXT',
      subject: message.sender ?? '',
      summary: message.content.slice(0, 100),
      body: message.content,
      createdAt: now,
      developerId: message.developerId,
      sender: message.sender ?? null,
      pushContent: message.pushContent ?? null,
      pushDueAt: message.pushContent === undefined ? null : new Date(now.getTime() + timings.inAppAckTimeoutMs),
      expiresAt: new Date(now.getTime() + timings.inAppMessageTtlSeconds * 1000),
      applications: { create: [{ applicationId: message.applicationId }] }
    }
  })
}

export function toFrame (message: InboxMessage): InAppMessageFrame {
  return {
    type: 'message',
    id: message.id,
    content: message.body,
    ...(message.sender === null ? {} : { sender: message.sender }),
    timestamp: message.createdAt.toISOString()
  }
}

/**
 * What a (re)connecting device has not acknowledged yet and may still get from the developer whose
 * token it holds, oldest first. Other developers' messages to the same user are theirs alone.
 */
export async function pendingInAppMessages (db: Db, identity: InAppIdentity, now = new Date()): Promise<InboxMessage[]> {
  return await db.inboxMessage.findMany({
    where: {
      userId: identity.userId,
      developerId: identity.developerId,
      acknowledgedAt: null,
      expiredAt: null,
      expiresAt: { gt: now },
      applications: { some: { applicationId: identity.applicationId } }
    },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    take: MAX_REPLAY
  })
}

/**
 * Records the first acknowledgement of each of the user's own messages from the token's developer,
 * in one statement. Returns the ids acknowledged now; an id that is another developer's or user's,
 * unknown, expired or already acknowledged is left out (only the first ack counts, across every
 * instance: the row update decides).
 */
export async function acknowledgeInAppMessages (db: Prisma.TransactionClient, identity: InAppIdentity, ids: string[]): Promise<string[]> {
  if (ids.length === 0) return []
  const rows = await db.$queryRaw<Array<{ id: string }>>`
    UPDATE inbox_message m SET acknowledged_at = now()
    WHERE m.id = ANY(${ids}::uuid[]) AND m.user_id = ${identity.userId} AND m.developer_id = ${identity.developerId}
      AND m.acknowledged_at IS NULL AND m.expired_at IS NULL
      AND EXISTS (SELECT 1 FROM inbox_message_application a WHERE a.message_id = m.id AND a.application_id = ${identity.applicationId})
    RETURNING m.id::text AS id`
  return rows.map((row) => row.id)
}
