import { adminDatabaseUrl, startSilentNetwork, until } from '@beacon/testkit'
import t from 'tap'
import { buildApp, call } from '../../helper.js'

// A database that goes silent rather than away: a failed-over primary whose packets are dropped
// (or a partition). Its connections are neither answered nor reset, so only the api's own limits,
// DATABASE_QUERY_TIMEOUT_MS and DATABASE_CONNECT_TIMEOUT_MS, end what waits on it. Without them
// each request, and the pooled connection under it, waited until TCP gave up: here, for good.
const QUIET = { OUTBOX_SWEEP_INTERVAL_MS: '60000' }
const NO_ANSWER_MS = 15_000

/** A request's answer, or 'no answer' after NO_ANSWER_MS (far beyond the 1 s limits set here). */
async function answerOf (request: Promise<{ statusCode: number, json (): any }>) {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<'no answer'>((resolve) => { timer = setTimeout(() => resolve('no answer'), NO_ANSWER_MS) })
  try {
    const response = await Promise.race([request, late])
    return response === 'no answer' ? response : { status: response.statusCode, code: response.json().responseObject?.code }
  } finally {
    clearTimeout(timer)
  }
}

// guarantee: database-silent
t.test('a database gone silent: requests answer 503 ERROR_DATABASE within the limits, and the api serves again once connections can be had, without a restart', async (t) => {
  // The relay stands between the api and the machine's PostgreSQL; the test's database is reached through it.
  const upstream = new URL(adminDatabaseUrl)
  const network = await startSilentNetwork(upstream.hostname, Number(upstream.port || 5432))
  t.teardown(() => network.close())
  const limits = { DATABASE_QUERY_TIMEOUT_MS: '1000', DATABASE_CONNECT_TIMEOUT_MS: '1000' }
  const { app } = await buildApp(t, { ...QUIET, ...limits }, { databaseUrl: (url) => network.urlFor(url) })
  await app.db.application.create({ data: { appId: '2', name: 'app' } })
  const requests = {
    'device registration (pool)': () => call(app, 'POST', '/push/device/create', { requestObject: { appId: 2, token: 'a'.repeat(64), platform: 'ios', activationId: 'a-1' } }),
    'message send (pool)': () => call(app, 'POST', '/push/message/send', { requestObject: { appId: 2, mode: 'ASYNCHRONOUS', message: { userId: 'u-1', body: { title: 'hi' } } } }),
    'application list (Prisma)': () => call(app, 'GET', '/admin/app/list')
  }
  for (const [what, request] of Object.entries(requests)) t.match(await answerOf(request()), { status: 200 }, `${what} before`)

  network.silence()
  for (const [what, request] of Object.entries(requests)) {
    t.same(await answerOf(request()), { status: 503, code: 'ERROR_DATABASE' }, `${what}: 503 while the database is silent`)
  }
  t.ok(network.silenced > 0, 'connections were open, and silenced')

  // New connections reach the database again (the new primary); the old ones stay silent.
  network.heal()
  for (const [what, request] of Object.entries(requests)) {
    await until(async () => {
      const answer = await answerOf(request())
      return answer !== 'no answer' && answer.status === 200
    }, `${what} answered again`)
  }
  t.pass('every request is served again, on new connections')
})
