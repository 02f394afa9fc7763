import type { Db } from '@beacon/db'

// Oldest first, a batch per statement, rows another instance is deleting skipped (SKIP LOCKED):
// api instances sweeping together share the work instead of waiting on each other's locks.
// Per application, so that (application_id, created_at, id) bounds the scan to the old rows.
// A message still without an outcome for some device (completed_at null) is kept, however old:
// it is what an operator looks for. Its per-device rows go with it (ON DELETE CASCADE).
const PURGE_MESSAGES = `
  WITH doomed AS (
    SELECT id FROM message
     WHERE application_id = $1 AND created_at < $2 AND completed_at < $2
     ORDER BY created_at, id LIMIT $3
       FOR UPDATE SKIP LOCKED)
  DELETE FROM message m USING doomed WHERE m.id = doomed.id`

// Callback records have no index on their time; their ids grow with it. The first record made at
// or after the cut-off bounds the scan (found by id, after the old ones only). A record still
// PENDING (its callback not yet delivered or given up) is kept.
const PURGE_CALLBACKS = `
  WITH boundary AS (
    SELECT coalesce((SELECT id FROM callback_delivery WHERE created_at >= $1 ORDER BY id LIMIT 1), 9223372036854775807) AS id),
  doomed AS (
    SELECT c.id FROM callback_delivery c, boundary b
     WHERE c.id < b.id AND c.status <> 'PENDING'
     ORDER BY c.id LIMIT $2
       FOR UPDATE OF c SKIP LOCKED)
  DELETE FROM callback_delivery c USING doomed WHERE c.id = doomed.id`

export interface PurgeOptions {
  /** Records made (and finished) before this go. */
  before: Date
  /** Rows per statement. */
  batch: number
  /** Checked between statements: false stops the purge (the api is closing). */
  active?: () => boolean
}

/** What one purge deleted. */
export interface Purged { messages: number, callbacks: number }

/** Deletes finished messages (with their per-device outcomes) and callback records made before `before`. */
export async function purgeFinishedRecords (db: Db, { before, batch, active = () => true }: PurgeOptions): Promise<Purged> {
  const purged: Purged = { messages: 0, callbacks: 0 }
  const { rows: applications } = await db.pool.query<{ id: number }>('SELECT id FROM application ORDER BY id')
  for (const application of applications) {
    for (let deleted = batch; deleted === batch && active();) {
      deleted = (await db.pool.query(PURGE_MESSAGES, [application.id, before, batch])).rowCount ?? 0
      purged.messages += deleted
    }
  }
  for (let deleted = batch; deleted === batch && active();) {
    deleted = (await db.pool.query(PURGE_CALLBACKS, [before, batch])).rowCount ?? 0
    purged.callbacks += deleted
  }
  return purged
}
