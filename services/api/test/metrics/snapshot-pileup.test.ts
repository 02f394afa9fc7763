import t from 'tap'
import { buildApp } from '../helper.js'

/**
 * /metrics needs no credentials, and its database gauges read at scrape time. While that reading
 * is blocked (a lock, an overloaded database) scrapes must not pile up readings, each holding a
 * pooled connection, until the API's own statements wait: one reading at a time, cancelled by
 * PostgreSQL after 2 s. (Found by the review of issue 14: 5 scrapes had taken the whole pool.)
 */
t.test('slow snapshot: scrapes do not take the pool away from the API', async (t) => {
  const { app, databaseUrl } = await buildApp(t, { DATABASE_POOL_SIZE: '4' })
  // A slow snapshot query: another session holds a lock the query needs.
  // A session of its own, outside the api's pool (a pool of one, built like the api's).
  const Pool = app.db.pool.constructor as new (options: object) => typeof app.db.pool
  const lockerPool = new Pool({ connectionString: databaseUrl, max: 1 })
  const locker = await lockerPool.connect()
  t.teardown(async () => { await locker.query('ROLLBACK').catch(() => {}); locker.release(); await lockerPool.end() })
  await locker.query('BEGIN')
  await locker.query('LOCK TABLE campaign IN ACCESS EXCLUSIVE MODE')

  for (let i = 0; i < 5; i++) {
    const scrape = await app.inject({ method: 'GET', url: '/metrics' })
    t.equal(scrape.statusCode, 200, `scrape ${i + 1} answers`)
    await new Promise((resolve) => setTimeout(resolve, 2100))
  }
  const pool = app.db.pool
  // PostgreSQL itself ends the blocked reading (statement_timeout), while the lock is still held.
  const stillReading = async () => (await locker.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE state = 'active' AND query LIKE 'SET LOCAL statement_timeout%'")).rows[0].n as number
  const deadline = Date.now() + 10_000
  while (await stillReading() > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200))
  t.equal(await stillReading(), 0, 'no reading is left blocked on the lock')
  t.equal(pool.waitingCount, 0, 'nothing waits for a connection')
  t.ok(pool.totalCount - pool.idleCount <= 1, `at most one connection busy (${pool.totalCount - pool.idleCount})`)
  const probe = await Promise.race([
    pool.query('SELECT 1').then(() => 'answered'),
    new Promise((resolve) => setTimeout(() => resolve('still waiting after 3 s'), 3000))
  ])
  t.equal(probe, 'answered', 'an API statement still gets a connection')
  await locker.query('ROLLBACK')
})
