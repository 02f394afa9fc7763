import { randomBytes } from 'node:crypto'
import { natsTestPrefix, startPrivatePostgres, testNatsUrl } from '@beacon/testkit'
import t from 'tap'
import { loadConfig } from '../../../src/config.js'
import { createServer } from '../../../src/create-server.js'
import { readinessChecks } from '../../../src/plugins/app/operations/readiness.js'
import { createReadinessProbe, type ReadinessCheck } from '@beacon/metrics'
import { TransportError, TransportErrorCode } from '@beacon/transport'
import { credentials } from '../../helper.js'

/** The readiness /readyz would report, asked afresh. */
const checkReadiness = (checks: ReadinessCheck[]) => createReadinessProbe(checks, { reuseMs: 0 }).check()

const readyz = async (app: Awaited<ReturnType<typeof createServer>>) => {
  const answer = await app.inject({ method: 'GET', url: '/readyz' })
  return { status: answer.statusCode, body: answer.json() as unknown }
}

// guarantee: readyz-database
t.test('/readyz turns 503 naming only `database` while PostgreSQL is stopped, and 200 again once it is back', async (t) => {
  const postgres = await startPrivatePostgres()
  t.teardown(() => postgres.close())
  const config = loadConfig({
    DATABASE_URL: postgres.url,
    DATABASE_POOL_SIZE: '4',
    MASTER_KEY: randomBytes(32).toString('base64'),
    AUTH_USERNAME: credentials.username,
    AUTH_PASSWORD: credentials.password,
    LOG_LEVEL: 'silent',
    NATS_URL: testNatsUrl,
    NATS_PREFIX: natsTestPrefix()
  })
  const app = await createServer(config)
  t.teardown(() => app.close())
  await app.ready()

  t.strictSame(await readyz(app), { status: 200, body: { status: 'ok' } })
  await postgres.stop()
  // An answer serves the probes of the next second: probe until the stop shows.
  const stoppedBy = Date.now() + 10_000
  let down = await readyz(app)
  while (down.status === 200 && Date.now() < stoppedBy) {
    await new Promise((resolve) => setTimeout(resolve, 200))
    down = await readyz(app)
  }
  t.strictSame(down, { status: 503, body: { status: 'unavailable', failing: ['database'] } }, 'the part\'s name and nothing more')
  t.strictSame(await app.inject({ method: 'GET', url: '/healthz' }).then((r) => r.statusCode), 200, 'still live: the process answers')

  await postgres.start()
  // The pool opens new connections as it is asked: the first probe after the restart may still
  // meet a connection the server cut, so probe until it answers.
  const deadline = Date.now() + 20_000
  let again = await readyz(app)
  while (again.status !== 200 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200))
    again = await readyz(app)
  }
  t.strictSame(again, { status: 200, body: { status: 'ok' } }, 'ready again')
})

t.test('NATS parts: an unanswered broker is `nats`, a missing stream `streams`; one checkReady per probe', async (t) => {
  const pool = { query: async () => ({}) }
  let calls = 0
  const failing = async (error: Error | undefined) => {
    calls = 0
    const transport = { checkReady: async () => { calls++; if (error !== undefined) throw error } }
    return (await checkReadiness(readinessChecks(pool, transport))).failing
  }
  t.strictSame(await failing(undefined), [])
  t.equal(calls, 1, 'both NATS parts share one check')
  t.strictSame(await failing(new Error('TIMEOUT')), ['nats'], 'no answer: nats only')
  t.strictSame(await failing(new TransportError(TransportErrorCode.STREAM_MISSING, 'stream missing')), ['streams'])
  const downPool = { query: async () => { throw new Error('ECONNREFUSED') } }
  t.strictSame((await checkReadiness(readinessChecks(downPool, { checkReady: async () => {} }))).failing, ['database'])
})
