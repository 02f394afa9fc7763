import { setTimeout as sleep } from 'node:timers/promises'
import type { Db } from '@beacon/db'

// Oldest first within an application, a batch per statement, rows another instance is deleting
// skipped (SKIP LOCKED): api instances sweeping together share the work. Per application, so that
// (application_id, created_at, id) bounds the scan to the old rows, and each statement goes on from
// the last row the one before deleted: a message still without an outcome for some device
// (completed_at null) is kept, however old (it is what an operator looks for), and is read once per
// purge rather than by every statement after it. Its per-device rows go with it (ON DELETE CASCADE).
// The position goes out and back as UTC text: a Date would drop the microseconds, and the
// session's DateStyle and TimeZone do not come into it.
const PURGE_MESSAGES = `
  WITH doomed AS (
    SELECT id, created_at FROM message
     WHERE application_id = $1 AND (created_at, id) > ($4::timestamp AT TIME ZONE 'UTC', $5::uuid)
       AND created_at < $2 AND completed_at < $2
     ORDER BY created_at, id LIMIT $3
       FOR UPDATE SKIP LOCKED),
  gone AS (DELETE FROM message m USING doomed WHERE m.id = doomed.id RETURNING 1)
  SELECT (SELECT count(*) FROM gone)::int AS deleted, to_char(d.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS "createdAt", d.id::text AS id
    FROM doomed d ORDER BY d.created_at DESC, d.id DESC LIMIT 1`

// Before every message: the first position of each application's walk.
const START = { createdAt: '-infinity', id: '00000000-0000-0000-0000-000000000000' }

// Callback records have no index on their time; their ids grow with it. They are walked a page at
// a time by id from where the last statement stopped (each statement reads only its page, the kept
// rows included once per round), until a page reaches a record made at or after the cut-off. A
// record still PENDING (its callback not yet delivered or given up) is kept.
const PURGE_CALLBACK_PAGE = `
  WITH page AS (SELECT id, created_at, status FROM callback_delivery WHERE id > $1 ORDER BY id LIMIT $2),
  doomed AS (
    SELECT c.id FROM callback_delivery c JOIN page p ON p.id = c.id
     WHERE p.created_at < $3 AND p.status <> 'PENDING'
       FOR UPDATE OF c SKIP LOCKED),
  gone AS (DELETE FROM callback_delivery c USING doomed WHERE c.id = doomed.id RETURNING c.id)
  SELECT (SELECT max(id) FROM page)::text AS last, (SELECT count(*) FROM page)::int AS seen,
         coalesce((SELECT bool_or(created_at >= $3) FROM page), false) AS reached, (SELECT count(*) FROM gone)::int AS deleted`

export type PurgedRecord = 'message' | 'callback'

export interface PurgeOptions {
  /** Records made (and finished) before this go. */
  before: Date
  /** Rows per statement. */
  batch: number
  /** Checked between statements: false stops the purge (the api is closing). */
  active?: () => boolean
  /** Pause after a statement that deleted a whole batch: a backlog (retention just enabled) is spread out, not one burst of writes. */
  pauseMs?: number
  /** Told after each statement what it deleted (so that a purge failing half-way has counted what it did). */
  onDeleted?: (record: PurgedRecord, count: number) => void
}

/** What one purge deleted. */
export interface Purged { messages: number, callbacks: number }

/** Adds one statement's deletions to a tally. */
export function tally (purged: Purged, record: PurgedRecord, count: number): void {
  purged[record === 'message' ? 'messages' : 'callbacks'] += count
}

/** Deletes finished messages (with their per-device outcomes) and callback records made before `before`. */
export async function purgeFinishedRecords (db: Db, options: PurgeOptions): Promise<Purged> {
  const { before, batch, active = () => true, pauseMs = 0, onDeleted = () => {} } = options
  const purged: Purged = { messages: 0, callbacks: 0 }
  const deleted = async (record: PurgedRecord, count: number) => {
    tally(purged, record, count)
    onDeleted(record, count)
    if (count === batch && pauseMs > 0) await sleep(pauseMs)
  }
  const { rows: applications } = await db.pool.query<{ id: number }>('SELECT id FROM application ORDER BY id')
  for (const application of applications) {
    for (let count = batch, after = START; count === batch && active();) {
      const { rows: [last] } = await db.pool.query<{ deleted: number, createdAt: string, id: string }>(
        PURGE_MESSAGES, [application.id, before, batch, after.createdAt, after.id])
      count = last?.deleted ?? 0
      if (last !== undefined) after = last
      await deleted('message', count)
    }
  }
  let after = '0'
  while (active()) {
    const { rows: [page] } = await db.pool.query<{ last: string | null, seen: number, reached: boolean, deleted: number }>(PURGE_CALLBACK_PAGE, [after, batch, before])
    await deleted('callback', page?.deleted ?? 0)
    if (page === undefined || page.last === null || page.reached || page.seen < batch) break
    after = page.last
  }
  return purged
}
