import type { FastifyInstance } from 'fastify'
import { recordQueuedCallbacks } from '../callbacks/records.js'
import { inAppCallbackPayload } from '../outbox/outbox.js'

// Claims in-app messages whose acknowledgement is overdue, stores their push message and writes
// its command to the outbox, in one statement: the push message id is set exactly once per
// request (whichever api instance claims the row first; the others skip it), the Message row
// exists whenever it is set, and its command is published by the outbox sweeper of any instance
// (an instance that dies after the claim leaves nothing behind). Only messages of a developer that
// is enabled and still granted the application are pushed: a disabled or ungranted developer's
// wait (pushed if it is enabled or granted again before they expire, else they expire as usual).
const CLAIM_DUE_PUSHES = `
  WITH claims AS (
    UPDATE inbox_message m SET push_message_id = gen_random_uuid()
    FROM inbox_message_application a
    WHERE a.message_id = m.id AND m.id IN (
      SELECT i.id FROM inbox_message i
      WHERE i.push_due_at <= now() AND i.acknowledged_at IS NULL AND i.push_message_id IS NULL
        AND i.expired_at IS NULL AND i.developer_id IS NOT NULL AND i.push_content IS NOT NULL
        AND EXISTS (
          SELECT 1 FROM developer d
          JOIN developer_application g ON g.developer_id = d.id
          JOIN inbox_message_application ia ON ia.application_id = g.application_id AND ia.message_id = i.id
          WHERE d.id = i.developer_id AND d.enabled)
      ORDER BY i.push_due_at LIMIT $1
      FOR UPDATE OF i SKIP LOCKED)
    RETURNING m.user_id, m.push_message_id, a.application_id,
      jsonb_strip_nulls(jsonb_build_object('title', m.sender, 'body', m.push_content)) AS body),
  stored AS (
    INSERT INTO message (id, application_id, user_id, personal, silent, priority, body)
    SELECT push_message_id, application_id, user_id, false, false, 'HIGH', body FROM claims
    RETURNING 1),
  queued AS (
    INSERT INTO outbox (kind, payload)
    SELECT 'command', json_build_object('kind', 'message', 'messageId', push_message_id::text, 'applicationId', application_id,
             'userId', user_id, 'personal', false, 'silent', false, 'priority', 'HIGH', 'body', body)
      FROM claims
    RETURNING 1)
  SELECT count(*)::int AS n FROM claims`

/**
 * Sends the push fallback of overdue in-app messages (ASYNCHRONOUS, like `push/message/send`): the
 * dispatchers deliver it and the result recorder emits push.sent / push.failed. A command refused
 * for good fails its message NotQueued and tells push.failed (the outbox's refusal rule).
 */
export async function sendDuePushes (app: FastifyInstance, limit: number): Promise<number> {
  const { rows } = await app.db.pool.query<{ n: number }>({ name: 'beacon-claim-due-pushes', text: CLAIM_DUE_PUSHES, values: [limit] })
  const claimed = rows[0]?.n ?? 0
  if (claimed > 0) app.outbox.kick()
  return claimed
}

// Marks unacknowledged in-app messages past their lifetime as expired and queues (and records) the
// callbacks that tell their developers, in one statement (so a mark never goes without its callback).
const EXPIRE_MESSAGES = `
  WITH expired AS (
    UPDATE inbox_message m SET expired_at = now()
    WHERE m.id IN (
      SELECT id FROM inbox_message
      WHERE expires_at <= now() AND acknowledged_at IS NULL AND expired_at IS NULL AND developer_id IS NOT NULL
      ORDER BY expires_at LIMIT $1
      FOR UPDATE SKIP LOCKED)
    RETURNING m.id, m.user_id, m.developer_id, m.expired_at),
  queued AS (
    INSERT INTO outbox (kind, payload)
    SELECT 'callback', ${inAppCallbackPayload('e', 'expired', 'e.expired_at', "'NotAcknowledged'")} FROM expired e
    RETURNING payload),
  recorded AS (${recordQueuedCallbacks('queued')})
  SELECT count(*)::int AS n FROM expired`

/** Expires overdue in-app messages (their developers are told `expired`); how many it expired. */
export async function expireMessages (app: FastifyInstance, limit: number): Promise<number> {
  const { rows } = await app.db.pool.query<{ n: number }>({ name: 'beacon-expire-in-app', text: EXPIRE_MESSAGES, values: [limit] })
  const expired = rows[0]?.n ?? 0
  if (expired > 0) app.outbox.kick()
  return expired
}
