import { rm } from 'node:fs/promises'
import { createDb } from '@beacon/db'
import { createTestDatabase } from '@beacon/testkit'
import t from 'tap'
import { freePort, spawnStandalone, temporaryDataDir } from './helpers/standalone-process.js'

const SHUTDOWN_TIMEOUT_MS = 1000

// guarantee: standalone-shutdown-timeout
t.test('a shutdown held up past SHUTDOWN_TIMEOUT_MS (a request waiting on a database lock) exits 1, saying so', async (t) => {
  const dataDir = await temporaryDataDir()
  const database = await createTestDatabase()
  t.teardown(async () => {
    await rm(dataDir, { recursive: true, force: true })
    await database.drop()
  })
  const port = await freePort()
  const credentials = Buffer.from('operator:operator-password-123').toString('base64')
  const run = spawnStandalone({
    BEACON_DATA_DIR: dataDir,
    PORT: String(port),
    DATABASE_URL: database.url,
    AUTH_USERNAME: 'operator',
    AUTH_PASSWORD: 'operator-password-123',
    SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
    // The api's own cut-off of a slow request comes long after the shutdown limit.
    REQUEST_TIMEOUT_MS: '600000'
  })
  t.teardown(() => { run.child.kill('SIGKILL') })
  await run.waitForStdout(/Stop with Ctrl\+C/)

  // A request in progress keeps the api from closing: it waits on a lock this test holds, so its
  // pooled session stays checked out and the pool cannot end. (A request whose body never came
  // held it before; the api now cuts connections at half of SHUTDOWN_TIMEOUT_MS.)
  const db = createDb({ url: database.url, poolSize: 2 })
  const locker = await db.pool.connect()
  t.teardown(async () => {
    await locker.query('ROLLBACK').catch(() => {})
    locker.release()
    await db.$disconnect()
  })
  await locker.query('BEGIN')
  await locker.query('LOCK TABLE application IN ACCESS EXCLUSIVE MODE')
  const waiting = fetch(`http://127.0.0.1:${port}/admin/app/create`, {
    method: 'POST',
    headers: { authorization: `Basic ${credentials}`, 'content-type': 'application/json' },
    body: JSON.stringify({ requestObject: { appId: 'held', appName: 'held' } })
  }).catch(() => null)
  t.teardown(() => waiting)
  const blocked = async () => (await db.pool.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")).rows[0]?.n ?? 0
  for (let i = 0; i < 200 && await blocked() === 0; i++) await new Promise((resolve) => setTimeout(resolve, 25))
  t.ok(await blocked() > 0, 'the request waits on the lock')

  run.child.kill('SIGTERM')
  t.equal(await run.exitCode, 1, 'exit code 1')
  t.match(run.stderr(), `Beacon did not stop within ${SHUTDOWN_TIMEOUT_MS} ms (SHUTDOWN_TIMEOUT_MS); exiting`)
  t.notMatch(run.stdout(), /Beacon stopped\./, 'not reported as a clean stop')
})
