// The bench's seeding: what the single-message scenario measures against must be what a server in
// service holds (earlier messages, fresh statistics), or its plans are those of empty tables.
import { createDb } from '@beacon/db'
import { cleanUpRun, createTestDatabase } from '@beacon/testkit'
import t, { type Test } from 'tap'
import { seedMessageHistory, seedUsers } from '../src/seed.js'

// Under `npm test` every test process shares one run id, and cleaning the run up would drop the
// databases of the tests still running beside this one: the runner cleans up at its end. Alone,
// this process's run is its own.
if (process.env.BEACON_TEST_RUN === undefined) t.teardown(cleanUpRun)

/** A database of the test's own with one application; dropped when the test ends. */
async function withApplication (t: Test) {
  const database = await createTestDatabase()
  const db = createDb({ url: database.url, poolSize: 2 })
  t.teardown(async () => { await db.$disconnect(); await database.drop() })
  return { db, application: await db.application.create({ data: { appId: 'bench', name: 'bench' } }) }
}

t.test('message history: each earlier message complete, with one SENT delivery to a device of its own user, and the tables analyzed', async (t) => {
  const { db, application } = await withApplication(t)
  await seedUsers(db, application.id, 7)
  await seedMessageHistory(db, application.id, 30)

  const { rows: [counts] } = await db.pool.query<{ messages: number, complete: number, deliveries: number, own: number, users: number }>(`
    SELECT (SELECT count(*)::int FROM message WHERE application_id = $1) AS messages,
           (SELECT count(*)::int FROM message WHERE application_id = $1 AND completed_at IS NOT NULL AND summary_at IS NOT NULL) AS complete,
           (SELECT count(*)::int FROM message_delivery WHERE status = 'SENT' AND attempts = 1) AS deliveries,
           (SELECT count(*)::int FROM message m JOIN message_delivery d ON d.message_id = m.id
              JOIN device_activation a ON a.device_id = d.device_id AND a.user_id = m.user_id AND a.application_id = m.application_id
              JOIN device v ON v.id = d.device_id AND v.platform = d.platform) AS own,
           (SELECT count(DISTINCT user_id)::int FROM message) AS users`, [application.id])
  t.same(counts, { messages: 30, complete: 30, deliveries: 30, own: 30, users: 7 }, 'spread over every user, each delivery its user\'s device')

  const { rows: analyzed } = await db.pool.query<{ relname: string }>(
    "SELECT relname FROM pg_stat_user_tables WHERE relname IN ('message', 'message_delivery') AND last_analyze IS NOT NULL ORDER BY relname")
  t.same(analyzed.map((row) => row.relname), ['message', 'message_delivery'], 'statistics taken after the seeding')
})

t.test('no history: nothing written, not even statistics taken', async (t) => {
  const { db, application } = await withApplication(t)
  await seedUsers(db, application.id, 3)
  await seedMessageHistory(db, application.id, 0)
  const { rows: [row] } = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM message')
  t.equal(row!.n, 0)
  const { rows: analyzed } = await db.pool.query("SELECT 1 FROM pg_stat_user_tables WHERE relname = 'message' AND last_analyze IS NOT NULL")
  t.equal(analyzed.length, 0, 'the empty tables of a new database, as --history 0 asks')
})

t.test('history without devices: a clear error, nothing written', async (t) => {
  const { db, application } = await withApplication(t)
  await t.rejects(seedMessageHistory(db, application.id, 5), /has no devices to address 5 earlier messages to/)
  const { rows: [row] } = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM message')
  t.equal(row!.n, 0)
})
