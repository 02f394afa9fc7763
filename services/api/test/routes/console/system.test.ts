import t from 'tap'
import { systemStatus } from '../../../src/domain/console/system.js'
import { countCallback } from '../../../src/metrics/callbacks.js'
import { countRecordedOutcomes } from '../../../src/metrics/results-recorded.js'
import { authorization, buildApp } from '../../helper.js'

const status = async (app: Awaited<ReturnType<typeof buildApp>>['app']) => {
  const response = await app.inject({ method: 'GET', url: '/admin/console/system/status', headers: { authorization } })
  t.equal(response.statusCode, 200, response.body.slice(0, 200))
  t.equal(response.headers['cache-control'], 'no-store', 'a reading of now is never cached')
  return response.json().responseObject
}

/** A series' sum in the text /metrics answers. */
const scraped = (text: string, series: string, labelFilter: RegExp = /.*/) => text.split('\n')
  .filter((line) => line.startsWith(series) && labelFilter.test(line))
  .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0)

// guarantee: console-system-status
t.test('the System page\'s reading: each part ready, and the counters /metrics reports', async (t) => {
  const { app } = await buildApp(t)
  const before = await status(app)
  t.same(before.parts, [{ part: 'database', ready: true }, { part: 'nats', ready: true }, { part: 'streams', ready: true }])
  t.equal(before.ready, true)
  t.ok(Date.parse(before.timestamp) <= Date.now())

  countRecordedOutcomes({ SENT: 3, FAILED: 2, EXPIRED: 1 })
  for (let i = 0; i < 4; i++) await app.inject({ method: 'GET', url: '/admin/app/list', headers: { authorization } })
  const after = await status(app)
  t.equal(after.counters.notificationsSent - before.counters.notificationsSent, 3, 'sent outcomes counted')
  t.equal(after.counters.notificationsFailed - before.counters.notificationsFailed, 2)
  t.equal(after.counters.notificationsExpired - before.counters.notificationsExpired, 1)
  t.ok(after.counters.httpRequests - before.counters.httpRequests >= 5, 'the requests answered since (the four and the first reading)')

  // The same figures as the scrape: the page and a Prometheus server see one truth.
  const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body
  const reading = await status(app)
  t.equal(reading.counters.notificationsSent, scraped(metrics, 'beacon_results_recorded_total', /outcome="sent"/))
  t.equal(reading.counters.httpServerErrors, scraped(metrics, 'beacon_http_request_duration_seconds_count', /status_code="5/))
  // The scrape itself and the reading after it are answered in between.
  t.ok(reading.counters.httpRequests >= scraped(metrics, 'beacon_http_request_duration_seconds_count'))
  t.equal(reading.gauges.outboxDepth, 0)
  t.equal(reading.gauges.campaignsRunning, 0)
})

t.test('a part that does not answer is named, the others stay ready', async (t) => {
  const probe = { parts: ['database', 'nats', 'streams'], check: async () => ({ ready: false, failing: ['nats'] }), answer: async () => ({ statusCode: 503 as const, body: { status: 'unavailable' as const, failing: ['nats'] } }) }
  const reading = await systemStatus(probe)
  t.equal(reading.ready, false)
  t.same(reading.parts, [{ part: 'database', ready: true }, { part: 'nats', ready: false }, { part: 'streams', ready: true }])
})

t.test('without credentials or a console session, no reading', async (t) => {
  const { app } = await buildApp(t)
  const response = await app.inject({ method: 'GET', url: '/admin/console/system/status' })
  t.equal(response.statusCode, 401)
  t.equal(response.json().responseObject.code, 'ERROR_UNAUTHORIZED')
})

// guarantee: console-system-status
t.test('each figure is its own series: callbacks given up, 4xx answers not server errors, the requests counted once, each gauge', async (t) => {
  const { app } = await buildApp(t)
  const application = await app.db.application.create({ data: { appId: '2', name: 'app2' } })
  await app.db.campaign.create({ data: { applicationId: application.id, message: { title: 'Hi', body: 'There' }, sentAt: new Date() } })
  const before = await status(app)
  for (const outcome of ['sent', 'given_up', 'given_up', 'retried', 'put_off'] as const) countCallback(outcome)
  t.equal((await app.inject({ method: 'GET', url: '/admin/app/list' })).statusCode, 401)
  const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body
  const after = await status(app)
  t.equal(after.counters.callbacksSent - before.counters.callbacksSent, 1)
  t.equal(after.counters.callbacksGivenUp - before.counters.callbacksGivenUp, 2)
  t.equal(after.counters.httpServerErrors, scraped(metrics, 'beacon_http_request_duration_seconds_count', /status_code="5/), 'a 401 is no server error')
  const requests = scraped(metrics, 'beacon_http_request_duration_seconds_count')
  t.ok(after.counters.httpRequests >= requests && after.counters.httpRequests <= requests + 2,
    `the requests answered (${after.counters.httpRequests}), each once: not their buckets or durations (${requests} at the scrape)`)
  // The gauges come from a database snapshot that may time out on a loaded machine: read again until one answers.
  let gauges = after.gauges
  for (let tries = 0; gauges.campaignsRunning !== 1 && tries < 20; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 250))
    gauges = (await status(app)).gauges
  }
  t.same(gauges, { outboxDepth: 0, campaignsRunning: 1 }, 'the campaign sending; nothing in the outbox')
})
