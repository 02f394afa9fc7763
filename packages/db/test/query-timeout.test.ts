import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { createDb } from '../src/client.js'
import { isPoolFailure } from '../src/pool-failures.js'
import { createTestDatabase } from './helpers/databases.js'

// queryTimeoutMs (DATABASE_QUERY_TIMEOUT_MS) ends the wait for an answer; PostgreSQL goes on with
// the statement. The connection it was sent on must not serve another statement: that one would
// wait behind it, and then run inside whatever transaction it was part of.
const FRESH = 'SELECT pg_backend_pid() AS pid, now() = statement_timestamp() AS fresh'

t.test('a statement unanswered within queryTimeoutMs fails as the database\'s unavailability; its connection serves no one else', async (t) => {
  const database = await createTestDatabase()
  t.teardown(database.drop)
  const db = createDb({ url: database.url, poolSize: 1, queryTimeoutMs: 300 })
  t.teardown(() => db.$disconnect())
  const { rows: [first] } = await db.pool.query<{ pid: number }>(FRESH)
  const failure = await db.pool.query('SELECT pg_sleep(1)').catch((error: unknown) => error)
  t.match(failure, { message: 'Query read timeout' })
  t.ok(isPoolFailure(failure), 'an unavailability (503), not a defect (500)')
  const { rows: [next] } = await db.pool.query<{ pid: number }>(FRESH)
  t.not(next!.pid, first!.pid, 'the next statement runs on a new connection, at once')
})

// guarantee: query-timeout-drops-connection
t.test('a statement cut short inside a Prisma transaction: the next statement runs on a new connection, outside that transaction', async (t) => {
  const database = await createTestDatabase()
  t.teardown(database.drop)
  const db = createDb({ url: database.url, poolSize: 1, queryTimeoutMs: 300 })
  t.teardown(() => db.$disconnect())
  const { rows: [first] } = await db.pool.query<{ pid: number }>(FRESH)
  // The sleep outlasts the statement's limit and that of the ROLLBACK Prisma sends behind it.
  await t.rejects(db.$transaction(async (tx) => { await tx.$executeRawUnsafe('SELECT pg_sleep(1.2)') }))
  // Past the sleep: a client kept in the pool would now be idle inside the transaction.
  await sleep(1200)
  const { rows: [next] } = await db.pool.query<{ pid: number, fresh: boolean }>(FRESH)
  t.equal(next!.fresh, true, 'not inside the transaction of the statement that timed out')
  t.not(next!.pid, first!.pid, 'on a new connection')
  t.equal(db.pool.totalCount, 1, 'the old connection is out of the pool')
})
