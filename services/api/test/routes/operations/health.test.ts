import { request } from 'undici'
import t from 'tap'
import { buildApp } from '../../helper.js'

const unauthenticated = { headers: {} }

t.test('/healthz, /readyz and /metrics answer without credentials on the API port', async (t) => {
  const { app } = await buildApp(t)
  const live = await app.inject({ method: 'GET', url: '/healthz', ...unauthenticated })
  t.equal(live.statusCode, 200)
  t.strictSame(live.json(), { status: 'ok' })
  const ready = await app.inject({ method: 'GET', url: '/readyz', ...unauthenticated })
  t.equal(ready.statusCode, 200, 'the database, NATS and the streams answer')
  t.strictSame(ready.json(), { status: 'ok' })
  const metrics = await app.inject({ method: 'GET', url: '/metrics', ...unauthenticated })
  t.equal(metrics.statusCode, 200)
  t.match(metrics.headers['content-type'], /^text\/plain/)
  t.match(metrics.body, /^# TYPE beacon_http_request_duration_seconds histogram$/m)
  t.equal((await app.inject({ method: 'GET', url: '/push/service/status' })).statusCode, 401, 'the rest still needs credentials')
})

// guarantee: metrics-own-listener
t.test('with METRICS_PORT, /metrics is served on that port only; health on both', async (t) => {
  const { app } = await buildApp(t, { METRICS_PORT: '0', METRICS_HOST: '127.0.0.1' })
  t.equal((await app.inject({ method: 'GET', url: '/metrics' })).statusCode, 404, 'not on the API port')
  t.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200, 'health stays on the API port')
  t.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200)

  const port = app.opsListener()?.port
  t.ok(port !== undefined && port > 0, 'the ops listener is up once the api is ready')
  const get = async (path: string) => {
    const answer = await request(`http://127.0.0.1:${port}${path}`)
    return { status: answer.statusCode, body: await answer.body.text() }
  }
  const metrics = await get('/metrics')
  t.equal(metrics.status, 200)
  t.match(metrics.body, /^# TYPE beacon_outbox_depth gauge$/m, 'the api\'s metrics, on the ops port')
  t.strictSame(JSON.parse((await get('/readyz')).body), { status: 'ok' })
  t.equal((await get('/healthz')).status, 200)
  t.equal((await get('/push/service/status')).status, 404, 'nothing of the API there')

  await app.close()
  await t.rejects(get('/healthz'), 'closed with the api')
})
