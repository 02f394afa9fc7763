import type { Db } from '@beacon/db'

/**
 * The record of each callback (callback_delivery), for the admin console: the outbox and the
 * JetStream stream keep a callback only until it is done. Never the body, the URL or the signature.
 */

/**
 * SQL: records the callbacks an outbox insert of the same statement returned (`queued`, a CTE whose
 * rows have the outbox `payload`). Written with the callback, never apart from it; a repeat of an
 * eventId (a redelivered batch queues its callbacks again) is the same callback, recorded once.
 */
export const recordQueuedCallbacks = (queued: string) => `
  INSERT INTO callback_delivery (developer_id, event_id, event, request_id)
  SELECT (q.payload->>'developerId')::int, q.payload->'body'->>'eventId', q.payload->'body'->>'event', q.payload->'body'->>'requestId'
    FROM ${queued} AS q
  ON CONFLICT (developer_id, event_id) DO NOTHING`

/**
 * Names one callback: its developer and its eventId. With `copy`, the copy that reports (null for
 * the first): the record is changed only while that copy is the live one.
 */
export interface CallbackKey { developerId: number, eventId: string, copy?: string | null }

/** How an attempt, or the callback, ended: what the developer's server answered, or why nothing did. */
export type CallbackAttempt =
  | { kind: 'delivered', attempts: number, lastStatus: number }
  | { kind: 'retried' | 'given-up', attempts: number, lastStatus?: number, lastError?: string }
  /** Dropped before any attempt (its developer is disabled or has no callback URL, NATS refused it). */
  | { kind: 'dropped', lastError: string }

const STATUS = { delivered: 'DELIVERED', retried: 'PENDING', 'given-up': 'FAILED', dropped: 'FAILED' } as const

/**
 * Records an attempt's outcome; true when the record changed. A final record (delivered, given up, dropped) stays as it is: an
 * attempt of a copy that JetStream handed out again meanwhile, or the late report of an earlier
 * attempt, reports nothing new. While PENDING, an earlier attempt's report arriving after a later
 * one's (a short retry delay) changes nothing either: the count only grows.
 */
export async function recordCallbackAttempt (q: Pick<Db['pool'], 'query'>, key: CallbackKey, attempt: CallbackAttempt): Promise<boolean> {
  const done = attempt.kind !== 'retried'
  const attempted = attempt.kind !== 'dropped'
  const { rowCount } = await q.query({
    name: 'beacon-callback-attempt',
    text: `UPDATE callback_delivery
              SET status = $3::"CallbackStatus", attempts = GREATEST(attempts, $4::int),
                  last_status = $5::int, last_error = $6::text,
                  last_attempt_at = CASE WHEN $7::boolean THEN now() ELSE last_attempt_at END,
                  completed_at = CASE WHEN $8::boolean THEN now() ELSE NULL END
            WHERE developer_id = $1 AND event_id = $2 AND status = 'PENDING' AND (NOT $7::boolean OR attempts <= $4::int)
              AND ($9::boolean OR copy_id IS NOT DISTINCT FROM $10::uuid)`,
    values: [
      key.developerId, key.eventId, STATUS[attempt.kind], 'attempts' in attempt ? attempt.attempts : 0,
      'lastStatus' in attempt ? attempt.lastStatus ?? null : null, 'lastError' in attempt ? attempt.lastError ?? null : null,
      attempted, done, key.copy === undefined, key.copy ?? null
    ]
  })
  return rowCount === 1
}

/**
 * Whether the callback has a record at all: those queued before the migration that added records
 * have none, and their outcomes change nothing in the table.
 */
export async function hasCallbackRecord (q: Pick<Db['pool'], 'query'>, key: Pick<CallbackKey, 'developerId' | 'eventId'>): Promise<boolean> {
  const { rowCount } = await q.query({
    name: 'beacon-callback-has-record',
    text: 'SELECT 1 FROM callback_delivery WHERE developer_id = $1 AND event_id = $2',
    values: [key.developerId, key.eventId]
  })
  return rowCount === 1
}
