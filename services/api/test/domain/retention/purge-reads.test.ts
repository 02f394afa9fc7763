import { createDb } from '@beacon/db'
import { createTestDatabase } from '@beacon/testkit'
import t from 'tap'
import { purgeFinishedRecords } from '../../../src/domain/retention/purge.js'

const KEPT = 300
const FINISHED = 30
const BATCH = 5

// guarantee: retention-kept-read-once
// A message without an outcome for every device is kept however old, so a backlog of them sits at
// the old end of the index the purge walks. Each statement goes on from where the last one
// stopped: the kept ones are read once per purge, not once per statement (7 statements here).
t.test('old messages kept (unfinished) are read once per purge, not by every statement', async (t) => {
  const database = await createTestDatabase()
  // One connection, so the statistics read are those its own statements reported.
  const db = createDb({ url: database.url, poolSize: 1 })
  t.teardown(async () => { await db.$disconnect(); await database.drop() })
  const { rows: [application] } = await db.pool.query<{ id: number }>('INSERT INTO application (app_id, name, updated_at) VALUES (\'2\', \'app\', now()) RETURNING id')
  const insert = `INSERT INTO message (id, application_id, user_id, personal, silent, priority, body, created_at, completed_at)
    SELECT gen_random_uuid(), $1, 'u', false, false, 'HIGH', '{}', now() - make_interval(days => $2) + make_interval(secs => n), $3
      FROM generate_series(1, $4::int) AS n`
  // The kept ones older than every finished one: the old walk met them all at each statement.
  await db.pool.query(insert, [application!.id, 60, null, KEPT])
  await db.pool.query(insert, [application!.id, 40, new Date(Date.now() - 39 * 86_400_000), FINISHED])
  await db.pool.query('ANALYZE message')

  // Entries read from the index the purge walks, (application_id, created_at, id). The deletes'
  // look-ups by id are left out: on a table this small PostgreSQL reads it whole for some of them.
  const walkEntriesRead = async () => {
    await db.pool.query('SELECT pg_stat_force_next_flush()')
    const { rows: [read] } = await db.pool.query<{ n: string }>(`SELECT pg_stat_clear_snapshot(),
      (SELECT idx_tup_read FROM pg_stat_user_indexes WHERE indexrelname = 'message_application_id_created_at_id_idx')::text AS n`)
    return Number(read!.n)
  }
  const before = await walkEntriesRead()
  const purged = await purgeFinishedRecords(db, { before: new Date(Date.now() - 30 * 86_400_000), batch: BATCH })
  const read = await walkEntriesRead() - before
  t.same(purged, { messages: FINISHED, callbacks: 0 })
  const { rows: [left] } = await db.pool.query<{ kept: number, finished: number }>(
    'SELECT count(*) FILTER (WHERE completed_at IS NULL)::int AS kept, count(*) FILTER (WHERE completed_at IS NOT NULL)::int AS finished FROM message')
  t.same(left, { kept: KEPT, finished: 0 }, 'every finished one gone, every kept one left')
  // Each entry about once (380 here). Read by every statement, the kept ones alone made 7 × KEPT
  // (2,160 entries in all before this change).
  t.ok(read >= KEPT + FINISHED && read < 2 * (KEPT + FINISHED), `${read} index entries read (kept ${KEPT}, finished ${FINISHED}, batch ${BATCH})`)
})
