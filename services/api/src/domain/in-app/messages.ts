import { randomUUID } from 'node:crypto'
import type { InAppMessageFrame } from '@beacon/contracts'
import { DatabaseError, isPoolFailure, worthRunningAgain, type Db, type InboxMessage } from '@beacon/db'
import { recordQueuedCallbacks } from '../callbacks/records.js'
import { isoTimestamp } from '../outbox/outbox.js'
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

/** What a send keeps of the message it stored: its id and what its in-app frame shows. */
export type StoredInAppMessage = Pick<InboxMessage, 'id' | 'body' | 'sender' | 'createdAt'>

// The message and its one application in one statement, a named one through the pool: every push
// of the signed API writes this (Prisma's nested create took four round trips and several times
// the CPU).
const STORE_IN_APP_MESSAGE = {
  name: 'beacon-store-in-app-message',
  // The times by the database's clock, the one the fallback and expiry polls compare them with
  // (an api whose clock ran behind by more than INAPP_ACK_TIMEOUT_MS stored messages already due
  // for their push); $6 only when a test sets the moment.
  text: `WITH m AS (
           INSERT INTO inbox_message (id, user_id, type, subject, summary, body, created_at, developer_id, sender, push_content, push_due_at, expires_at)
           SELECT $1, $2, 'TEXT', $3, $4, $5, t.at, $7, $8, $9,
                  CASE WHEN $9::text IS NULL THEN NULL ELSE t.at + make_interval(secs => $10::bigint / 1000.0) END,
                  t.at + make_interval(secs => $11::int)
             FROM (SELECT coalesce($6::timestamptz, now()) AS at) t
           RETURNING id, body, sender, created_at AS "createdAt"),
         a AS (INSERT INTO inbox_message_application (message_id, application_id) SELECT m.id, $12 FROM m)
         SELECT * FROM m`
}

/** Most messages replayed to a connecting socket, the oldest first; later ones wait for a later connection, the push fallback or expiry. */
export const MAX_REPLAY = 500

// The stored message read back by its id: what a statement whose answer was lost committed.
const STORED_IN_APP_MESSAGE = 'SELECT id, body, sender, created_at AS "createdAt" FROM inbox_message WHERE id = $1'

/**
 * The connection broke after the statement was sent, or its answer did not come in time: it may
 * have committed. Not a statement that never left (no connection within the connect timeout, none
 * could be made): nothing was stored, and a second wait for a connection only delays the 503.
 */
const answerLost = (error: unknown) => isPoolFailure(error) && !(error instanceof DatabaseError) && worthRunningAgain(error)
const isOwnConflict = (error: unknown) => error instanceof DatabaseError && error.code === '23505' && error.constraint === 'inbox_message_pkey'

/**
 * Stores a developer's in-app message in the user's store (with its one application). The push
 * fallback is scheduled only when there is push content to send. A statement whose answer was lost
 * is run once more with the same id: if the first committed, the second finds its row (the id is
 * this request's own) and that message is the answer. Without it, the request answered 503 for a
 * message that was stored and would be sent, and the developer's retry sent it twice.
 */
export async function storeInAppMessage (db: Db, message: NewInAppMessage, timings: InAppTimings, now?: Date): Promise<StoredInAppMessage> {
  const id = randomUUID()
  const store = async () => (await db.pool.query<StoredInAppMessage>({
    ...STORE_IN_APP_MESSAGE,
    values: [
      id, message.userId, message.sender ?? '', message.content.slice(0, 100), message.content, now ?? null,
      message.developerId, message.sender ?? null, message.pushContent ?? null,
      timings.inAppAckTimeoutMs, timings.inAppMessageTtlSeconds, message.applicationId
    ]
  })).rows[0]!
  try {
    return await store()
  } catch (error) {
    if (!answerLost(error)) throw error
    try {
      return await store()
    } catch (again) {
      if (!isOwnConflict(again)) throw again
      const { rows: [earlier] } = await db.pool.query<StoredInAppMessage>(STORED_IN_APP_MESSAGE, [id])
      if (earlier === undefined) throw again
      return earlier
    }
  }
}

export function toFrame (message: StoredInAppMessage): InAppMessageFrame {
  return {
    type: 'message',
    id: message.id,
    content: message.body,
    ...(message.sender === null ? {} : { sender: message.sender }),
    timestamp: message.createdAt.toISOString()
  }
}

/** Where a replay goes on from: the last message written (the replay's order is creation time, then id). */
export interface ReplayCursor {
  createdAt: Date
  id: string
}

/**
 * What a (re)connecting device has not acknowledged yet and may still get from the developer whose
 * token it holds, oldest first: `take` of them after `after`. Other developers' messages to the
 * same user are theirs alone.
 */
export async function pendingInAppMessages (db: Db, identity: InAppIdentity, page: { after?: ReplayCursor, take: number }): Promise<StoredInAppMessage[]> {
  const { after, take } = page
  // Expiry by the database's clock, as the messages' times are written and the expiry poll reads
  // them. The bound on created_at alone is what the index (user_id, created_at) can start from.
  const { rows } = await db.pool.query<StoredInAppMessage>({
    text: `SELECT m.id::text AS id, m.body, m.sender, m.created_at AS "createdAt" FROM inbox_message m
            WHERE m.user_id = $1 AND m.developer_id = $2 AND m.acknowledged_at IS NULL AND m.expired_at IS NULL
              AND m.expires_at > now()
              AND EXISTS (SELECT 1 FROM inbox_message_application a WHERE a.message_id = m.id AND a.application_id = $3)
              ${after === undefined ? '' : 'AND m.created_at >= $5 AND (m.created_at > $5 OR m.id > $6::uuid)'}
            ORDER BY m.created_at, m.id LIMIT $4`,
    values: [identity.userId, identity.developerId, identity.applicationId, take, ...(after === undefined ? [] : [after.createdAt, after.id])]
  })
  return rows
}

// One statement records the acknowledgements and queues their `im.delivered` callbacks in the
// outbox, each with its record: never a callback for an acknowledgement that was not recorded (the
// push fallback would then go out too, after the developer was told the app had the message), nor
// an acknowledgement without its callback. The time is the database's, as the acknowledgement's.
const ACKNOWLEDGE = {
  name: 'beacon-in-app-acknowledge',
  text: `WITH acked AS (
           UPDATE inbox_message m SET acknowledged_at = now()
            WHERE m.id = ANY($1::uuid[]) AND m.user_id = $2 AND m.developer_id = $3
              AND m.acknowledged_at IS NULL AND m.expired_at IS NULL
              AND EXISTS (SELECT 1 FROM inbox_message_application a WHERE a.message_id = m.id AND a.application_id = $4)
           RETURNING m.id, m.developer_id, m.acknowledged_at),
         queued AS (
           INSERT INTO outbox (kind, payload)
           SELECT 'callback', json_build_object('developerId', acked.developer_id, 'body', json_build_object(
                    'eventId', acked.id::text || ':im.delivered', 'event', 'im.delivered', 'requestId', acked.id::text,
                    'to', $5::text, 'timestamp', ${isoTimestamp('acked.acknowledged_at')}))
             FROM acked
           RETURNING payload),
         recorded AS (${recordQueuedCallbacks('queued')})
         SELECT id::text AS id FROM acked`
}

/**
 * Records the first acknowledgement of each of the user's own messages from the token's developer
 * and queues its `im.delivered` callback to `to`, in one statement. Returns the ids acknowledged
 * now; an id that is another developer's or user's, unknown, expired or already acknowledged is
 * left out (only the first ack counts, across every instance: the row update decides).
 */
export async function acknowledgeInAppMessages (db: Db, identity: InAppIdentity, ids: string[], to: string): Promise<string[]> {
  if (ids.length === 0) return []
  const { rows } = await db.pool.query<{ id: string }>({
    ...ACKNOWLEDGE,
    values: [ids, identity.userId, identity.developerId, identity.applicationId, to]
  })
  return rows.map((row) => row.id)
}
