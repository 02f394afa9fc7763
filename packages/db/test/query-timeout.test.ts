import { setTimeout as sleep } from 'node:timers/promises'
import type { Test } from 'tap'
import t from 'tap'
import { createDb } from '../src/client.js'
import { isPoolFailure } from '../src/pool-failures.js'
import { createTestDatabase } from './helpers/databases.js'

// queryTimeoutMs (DATABASE_QUERY_TIMEOUT_MS) ends the wait for an answer; PostgreSQL goes on with
// the statement. The connection it was sent on must not serve another statement: that one would
// wait behind it, and then run inside whatever transaction it was part of.
const FRESH = 'SELECT pg_backend_pid() AS pid, now() = statement_timestamp() AS fresh'

/** A pool of one connection with a 300 ms query timeout, and the backend of its first connection. */
async function oneConnection (t: Test) {
  const database = await createTestDatabase()
  t.teardown(database.drop)
  const db = createDb({ url: database.url, poolSize: 1, queryTimeoutMs: 300 })
  t.teardown(() => db.$disconnect())
  const { rows: [first] } = await db.pool.query<{ pid: number }>(FRESH)
  const next = async () => (await db.pool.query<{ pid: number, fresh: boolean }>(FRESH)).rows[0]!
  return { db, firstPid: first!.pid, next }
}

t.test('a statement unanswered within queryTimeoutMs fails as the database\'s unavailability, and the next one is not held behind it', async (t) => {
  const { db, firstPid, next } = await oneConnection(t)
  const failure = await db.pool.query('SELECT pg_sleep(1)').catch((error: unknown) => error)
  t.match(failure, { message: 'Query read timeout' })
  t.ok(isPoolFailure(failure), 'an unavailability (503), not a defect (500)')
  t.not((await next()).pid, firstPid, 'the next statement runs on a new connection, at once')
})

// guarantee: query-timeout-drops-connection
t.test('a statement cut short inside a Prisma transaction: the next statement runs on a new connection, outside that transaction', async (t) => {
  const { db, firstPid, next } = await oneConnection(t)
  // The sleep outlasts the statement's limit and that of the ROLLBACK Prisma sends behind it.
  await t.rejects(db.$transaction(async (tx) => { await tx.$executeRawUnsafe('SELECT pg_sleep(1.2)') }))
  // Past the sleep: a client kept in the pool would now be idle inside the transaction.
  await sleep(1200)
  const after = await next()
  t.equal(after.fresh, true, 'not inside the transaction of the statement that timed out')
  t.not(after.pid, firstPid, 'on a new connection')
  t.equal(db.pool.totalCount, 1, 'the old connection is out of the pool')
})

t.test('a connection handed back inside a transaction is dropped, not handed to the next statement', async (t) => {
  const { db, firstPid, next } = await oneConnection(t)
  const client = await db.pool.connect()
  await client.query('BEGIN')
  client.release()
  const after = await next()
  t.equal(after.fresh, true, 'not inside the transaction left open')
  t.not(after.pid, firstPid, 'on a new connection')
})

t.test('a connection handed back while its timed-out statement is still under way is dropped, not handed to the next statement', async (t) => {
  const { db, firstPid, next } = await oneConnection(t)
  const client = await db.pool.connect()
  await t.rejects(client.query('SELECT pg_sleep(1)'), /Query read timeout/)
  // Handed back without an error, as Prisma's adapter does with its transactions' clients.
  client.release()
  const after = await next()
  t.not(after.pid, firstPid, 'on a new connection, not behind the sleep')
})

t.test('a connection handed back inside a failed transaction is dropped', async (t) => {
  const { db, firstPid, next } = await oneConnection(t)
  const client = await db.pool.connect()
  await client.query('BEGIN')
  await t.rejects(client.query('SELECT 1 / 0'), /division by zero/)
  // The transaction is marked failed by the ReadyForQuery that follows the error.
  await sleep(100)
  client.release()
  const after = await next()
  t.equal(after.fresh, true, 'not inside the failed transaction (its statements would be refused, 25P02)')
  t.not(after.pid, firstPid, 'on a new connection')
})
