import { freePort, spawnService, startPrivateNats, startPrivatePostgres } from '@beacon/testkit'
import t from 'tap'
import { startHarness } from './harness.js'

const get = async (url: string) => {
  const response = await fetch(url)
  return { status: response.status, body: await response.text() }
}

t.test('METRICS_PORT that is not a port: a clear message, exit 1', async (t) => {
  const h = await startHarness(t)
  const dispatcher = spawnService('services/dispatcher/src/server.ts', h.dispatcherEnv({ METRICS_PORT: 'nine', METRICS_HOST: 'not a host!' }))
  t.equal(await dispatcher.exited, 1)
  t.match(dispatcher.output(), /METRICS_PORT must be an integer from 1 to 65535, got "nine"/)
  t.match(dispatcher.output(), /METRICS_HOST must be an address or host name to listen on/)
})

// guarantee: dispatcher-readyz-nats
t.test('a dispatcher process with METRICS_PORT: /healthz, /metrics, and /readyz 503 naming nats while its NATS is down, 200 once it is back', async (t) => {
  const h = await startHarness(t)
  const nats = await startPrivateNats()
  t.teardown(() => nats.close())
  const port = await freePort()
  const dispatcher = spawnService('services/dispatcher/src/server.ts', h.dispatcherEnv({ NATS_URL: nats.url, METRICS_PORT: String(port), METRICS_HOST: '127.0.0.1', LOG_LEVEL: 'info' }))
  t.teardown(() => dispatcher.stop('SIGKILL'))
  await dispatcher.waitForOutput(/dispatcher started/)
  const ops = `http://127.0.0.1:${port}`

  t.same(await get(`${ops}/healthz`), { status: 200, body: '{"status":"ok"}' })
  t.same(await get(`${ops}/readyz`), { status: 200, body: '{"status":"ok"}' })
  const metrics = await get(`${ops}/metrics`)
  t.equal(metrics.status, 200)
  t.match(metrics.body, /process_resident_memory_bytes \d/, 'process metrics')
  t.match(metrics.body, /beacon_dependency_up\{part="nats"\} 1/)
  t.match(metrics.body, /beacon_queue_pending\{queue="commands"\} 0/, 'the backlog, read from its NATS')

  await nats.stop()
  await h.until(async () => (await get(`${ops}/readyz`)).status === 503, '/readyz to turn 503')
  t.same(await get(`${ops}/readyz`), { status: 503, body: '{"status":"unavailable","failing":["nats"]}' }, 'nats named, and only nats')
  t.match((await get(`${ops}/metrics`)).body, /beacon_dependency_up\{part="nats"\} 0/)
  t.equal((await get(`${ops}/healthz`)).status, 200, 'alive all along')

  await nats.start()
  await h.until(async () => (await get(`${ops}/readyz`)).status === 200, '/readyz back to 200')
  t.match((await get(`${ops}/metrics`)).body, /beacon_dependency_up\{part="nats"\} 1/)

  t.equal(await dispatcher.stop('SIGTERM'), 0)
  await t.rejects(fetch(`${ops}/healthz`), 'the listener closed with the dispatcher')
})

// guarantee: dispatcher-readyz-database
// guarantee: dispatcher-dependency-up-idle
t.test('a dispatcher process with METRICS_PORT: /readyz 503 naming database and beacon_dependency_up 0 while its PostgreSQL is stopped, idle; both back once it is', async (t) => {
  const h = await startHarness(t)
  const postgres = await startPrivatePostgres()
  t.teardown(() => postgres.close())
  const port = await freePort()
  const dispatcher = spawnService('services/dispatcher/src/server.ts', h.dispatcherEnv({ DATABASE_URL: postgres.url, METRICS_PORT: String(port), METRICS_HOST: '127.0.0.1', LOG_LEVEL: 'info' }))
  t.teardown(() => dispatcher.stop('SIGKILL'))
  await dispatcher.waitForOutput(/dispatcher started/)
  const ops = `http://127.0.0.1:${port}`
  t.same(await get(`${ops}/readyz`), { status: 200, body: '{"status":"ok"}' })

  await postgres.stop()
  await h.until(async () => (await get(`${ops}/readyz`)).status === 503, '/readyz to turn 503')
  t.same(await get(`${ops}/readyz`), { status: 503, body: '{"status":"unavailable","failing":["database"]}' }, 'database named, and only database')
  t.equal((await get(`${ops}/healthz`)).status, 200, 'alive all along')
  // The dispatcher is idle (no step of its could fail): the scrape itself asks the database, and
  // the dispatcher pauses as a failed step would make it.
  t.match((await get(`${ops}/metrics`)).body, /beacon_dependency_up\{part="database"\} 0/, 'the database down in beacon_dependency_up, idle')
  await h.until(() => dispatcher.output().includes('dispatcher paused: database unreachable'), 'the pause logged')
  // A command that comes meanwhile is held, not failed.
  const command = await h.storeMessage('user-1')
  await h.transport.publishCommand(command)

  await postgres.start()
  await h.until(async () => (await get(`${ops}/readyz`)).status === 200, '/readyz back to 200')
  t.same(await get(`${ops}/readyz`), { status: 200, body: '{"status":"ok"}' })
  await h.until(async () => /beacon_dependency_up\{part="database"\} 1/.test((await get(`${ops}/metrics`)).body), 'the database up again in beacon_dependency_up')
  // The command's step was held, not failed, and ran once the database was back: that database
  // holds the schema alone, so the harness's application is not found there.
  await h.until(() => h.events.some((e) => e.kind === 'summary' && e.summary.messageId === command.messageId), 'the held command to finish')
  t.match(h.events.find((e) => e.kind === 'summary' && e.summary.messageId === command.messageId), { summary: { reason: 'ApplicationNotFound' } })
  t.equal(await dispatcher.stop('SIGTERM'), 0)
})
