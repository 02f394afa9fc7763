import type { CallbackBody, SendCommand } from '@beacon/contracts'
import type { Db, Prisma } from '@beacon/db'
import type { FastifyInstance } from 'fastify'

interface ClaimedPush {
  id: string
  user_id: string
  sender: string | null
  push_content: string
  push_message_id: string
  developer_id: number
  application_id: number
  carrier_domain: string | null
}

const pushBody = (claim: ClaimedPush) => ({
  ...(claim.sender === null ? {} : { title: claim.sender }),
  body: claim.push_content
})

function toCommand (claim: ClaimedPush): SendCommand {
  return {
    kind: 'message',
    messageId: claim.push_message_id,
    applicationId: claim.application_id,
    userId: claim.user_id,
    personal: false,
    silent: false,
    priority: 'HIGH',
    body: pushBody(claim)
  }
}

/**
 * Claims in-app messages whose acknowledgement is overdue and stores their push message, in one
 * transaction: the push message id is set exactly once per request (whichever api instance
 * claims the row first; the others skip it), and the Message row exists whenever it is set.
 * Only messages of a developer that is enabled and still granted the application are pushed: a
 * disabled or ungranted developer's wait (pushed if it is enabled or granted again before they
 * expire, else they expire as usual).
 */
async function claimDuePushes (db: Db, limit: number): Promise<ClaimedPush[]> {
  return await db.$transaction(async (tx) => {
    const claims = await tx.$queryRaw<ClaimedPush[]>`
      UPDATE inbox_message m SET push_message_id = gen_random_uuid()
      FROM inbox_message_application a JOIN application ap ON ap.id = a.application_id
      WHERE a.message_id = m.id AND m.id IN (
        SELECT i.id FROM inbox_message i
        WHERE i.push_due_at <= now() AND i.acknowledged_at IS NULL AND i.push_message_id IS NULL
          AND i.expired_at IS NULL AND i.developer_id IS NOT NULL AND i.push_content IS NOT NULL
          AND EXISTS (
            SELECT 1 FROM developer d
            JOIN developer_application g ON g.developer_id = d.id
            JOIN inbox_message_application ia ON ia.application_id = g.application_id AND ia.message_id = i.id
            WHERE d.id = i.developer_id AND d.enabled)
        ORDER BY i.push_due_at LIMIT ${limit}
        FOR UPDATE OF i SKIP LOCKED)
      RETURNING m.id, m.user_id, m.sender, m.push_content, m.push_message_id::text, m.developer_id,
        a.application_id, ap.carrier_domain`
    if (claims.length > 0) {
      await tx.message.createMany({
        data: claims.map((claim) => ({
          id: claim.push_message_id,
          applicationId: claim.application_id,
          userId: claim.user_id,
          personal: false,
          silent: false,
          priority: 'HIGH' as const,
          body: pushBody(claim) as Prisma.InputJsonValue
        }))
      })
    }
    return claims
  })
}

/**
 * Sends the push fallback of overdue in-app messages (ASYNCHRONOUS, like `push/message/send`): the
 * dispatchers deliver it and the result recorder emits push.sent / push.failed. A command that
 * cannot be queued fails its message at once, as the send endpoint does.
 */
export async function sendDuePushes (app: FastifyInstance, limit: number): Promise<number> {
  const claims = await claimDuePushes(app.db, limit)
  await Promise.all(claims.map(async (claim) => {
    try {
      await app.transport.publishCommand(toCommand(claim))
    } catch (error) {
      app.log.error({ err: error, requestId: claim.id }, 'push fallback could not be queued; reported as failed')
      await app.db.message.update({ where: { id: claim.push_message_id }, data: { completedAt: new Date(), failureReason: 'NotQueued' } })
      await app.callbacks.emit(claim.developer_id, callback(claim, 'push.failed', new Date(), 'NotQueued'))
    }
  }))
  return claims.length
}

/**
 * Queues again the push fallbacks stored but not finished, in case an instance died between the
 * claim's commit and the publish. Harmless for those already queued: a command is de-duplicated
 * by its message id and a dispatcher never sends one message to a device twice.
 */
export async function resumeUnfinishedPushes (app: FastifyInstance, since: Date): Promise<void> {
  const claims = await app.db.$queryRaw<ClaimedPush[]>`
    SELECT m.id, m.user_id, m.sender, m.push_content, m.push_message_id::text, m.developer_id,
      a.application_id, NULL::text AS carrier_domain
    FROM inbox_message m
    JOIN inbox_message_application a ON a.message_id = m.id
    JOIN message pm ON pm.id = m.push_message_id
    WHERE m.push_message_id IS NOT NULL AND m.developer_id IS NOT NULL AND m.push_content IS NOT NULL
      AND pm.completed_at IS NULL AND pm.created_at >= ${since}`
  for (const claim of claims) await app.transport.publishCommand(toCommand(claim))
}

interface ExpiredRow { id: string, user_id: string, developer_id: number, carrier_domain: string | null, expired_at: Date }

/**
 * Marks unacknowledged in-app messages past their lifetime as expired and tells their developers.
 * The callbacks are queued before the marks commit: if queueing fails, the next round retries;
 * a callback queued twice (same eventId) is dropped by the queue.
 */
export async function expireMessages (app: FastifyInstance, limit: number): Promise<number> {
  return await app.db.$transaction(async (tx) => {
    const expired = await tx.$queryRaw<ExpiredRow[]>`
      UPDATE inbox_message m SET expired_at = now()
      FROM inbox_message_application a JOIN application ap ON ap.id = a.application_id
      WHERE a.message_id = m.id AND m.id IN (
        SELECT id FROM inbox_message
        WHERE expires_at <= now() AND acknowledged_at IS NULL AND expired_at IS NULL AND developer_id IS NOT NULL
        ORDER BY expires_at LIMIT ${limit}
        FOR UPDATE SKIP LOCKED)
      RETURNING m.id, m.user_id, m.developer_id, ap.carrier_domain, m.expired_at`
    for (const row of expired) {
      await app.callbacks.emit(row.developer_id, callback(row, 'expired', row.expired_at, 'NotAcknowledged'))
    }
    return expired.length
  })
}

function callback (
  row: { id: string, user_id: string, carrier_domain: string | null },
  event: CallbackBody['event'], at: Date, reason?: string
): CallbackBody {
  return {
    eventId: `${row.id}:${event}`,
    event,
    requestId: row.id,
    to: `${row.user_id}@${row.carrier_domain ?? ''}`,
    timestamp: at.toISOString(),
    ...(reason === undefined ? {} : { reason })
  }
}
