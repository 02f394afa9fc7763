import { randomUUID } from 'node:crypto'
import type { CallbackCommand } from '@beacon/contracts'
import type { Queryable } from '../outbox/outbox.js'

export interface CallbackCopy {
  /** Attempts made so far: the new copy's `attempts`. */
  attempts: number
  delayMs: number
  /** What the failed attempt came to, recorded with the retry it leads to; absent for a callback put off. */
  failed?: { lastStatus?: number, lastError?: string }
}

/**
 * Queues a callback again through the outbox, due in `delayMs`: the retry after a failed attempt
 * (what it came to recorded in the same statement) or a callback put off unattempted. The copy waits in
 * the database, not in the callback consumer's acknowledgement window, where thousands of one
 * developer's retries would leave no room for anyone else's callbacks.
 *
 * The callback's record names the copy queued last, swapped here from the copy being handled to
 * the new one: when the swap fails, the record names another copy (the one handled was delivered
 * again after an instance queued its next copy and failed to acknowledge it) or the callback has
 * ended, and nothing is queued. Returns false then: the copy handled must be dropped, never go on
 * beside the live one. A callback without a record (queued before the record existed) is queued.
 */
export async function queueCallbackCopy (q: Queryable, callback: CallbackCommand, { attempts, delayMs, failed }: CallbackCopy): Promise<boolean> {
  const next: CallbackCommand = { developerId: callback.developerId, body: callback.body, attempts, copy: randomUUID() }
  const { rowCount } = await q.query({
    name: 'beacon-callback-copy',
    text: `WITH live AS (
             UPDATE callback_delivery
                SET copy_id = $3::uuid,
                    attempts = CASE WHEN $6::boolean THEN GREATEST(attempts, $7::int) ELSE attempts END,
                    last_status = CASE WHEN $6::boolean THEN $8::int ELSE last_status END,
                    last_error = CASE WHEN $6::boolean THEN $9::text ELSE last_error END,
                    last_attempt_at = CASE WHEN $6::boolean THEN now() ELSE last_attempt_at END
              WHERE developer_id = $1 AND event_id = $2 AND status = 'PENDING' AND copy_id IS NOT DISTINCT FROM $4::uuid
              RETURNING 1),
           unrecorded AS (
             SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM callback_delivery WHERE developer_id = $1 AND event_id = $2))
           INSERT INTO outbox (kind, payload, publish_after)
           SELECT 'callback', $5::json, now() + $10::int * interval '1 millisecond'
             FROM (SELECT 1 FROM live UNION ALL SELECT 1 FROM unrecorded) AS go`,
    values: [
      callback.developerId, callback.body.eventId, next.copy, callback.copy ?? null, JSON.stringify(next),
      failed !== undefined, attempts, failed?.lastStatus ?? null, failed?.lastError ?? null, Math.min(Math.max(0, Math.round(delayMs)), 2 ** 31 - 1)
    ]
  })
  return rowCount === 1
}
