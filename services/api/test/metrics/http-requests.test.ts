import t from 'tap'
import { authorization, buildApp, call } from '../helper.js'
import { sampleValue, scrapeText } from './scrape.js'

const count = (text: string, labels: Record<string, string>) => sampleValue(text, 'beacon_http_request_duration_seconds_count', labels)

// guarantee: metrics-route-label-bounded
t.test('requests are timed by route template, method and status; no raw path ever becomes a label', async (t) => {
  const { app } = await buildApp(t)
  const before = await scrapeText(app)
  const created = await call(app, 'POST', '/push/device/create', { requestObject: { appId: 'nope', token: 'a'.repeat(64), platform: 'ios' } })
  t.equal(created.statusCode, 400, 'an unknown application: refused, and still timed')
  const unknownPath = '/push/device/8127361/user-7f3a9c2e-secret'
  t.equal((await call(app, 'GET', unknownPath)).statusCode, 404)
  t.equal((await app.inject({ method: 'GET', url: '/api/1.0/nothing/5550123' })).statusCode, 401, 'unknown under the signed API: unsigned, 401 first')
  const signedPath = '/api/1.0/push/alice-92837@carrier.example'
  t.equal((await app.inject({ method: 'POST', url: signedPath, payload: {} })).statusCode, 401, 'unsigned: 401')
  const after = await scrapeText(app)

  const delta = (labels: Record<string, string>) => count(after, labels) - count(before, labels)
  t.equal(delta({ method: 'POST', route: '/push/device/create', status_code: '400' }), 1, 'the route template')
  t.equal(delta({ method: 'GET', route: 'unmatched', status_code: '404' }), 1, 'a path no route matched is `unmatched`')
  t.equal(delta({ method: 'GET', route: 'unmatched', status_code: '401' }), 1, 'in the signed API\'s scope too')
  t.equal(delta({ method: 'POST', route: '/api/1.0/push/:address', status_code: '401' }), 1, 'the signed API\'s template, not the address')
  t.ok(sampleValue(after, 'beacon_http_request_duration_seconds_bucket', { route: '/push/device/create', le: '+Inf' }) >= 1, 'histogram buckets')
  for (const raw of ['5550123', '8127361', 'user-7f3a9c2e', 'alice-92837', 'carrier.example']) {
    t.notOk(after.includes(raw), `"${raw}" of a requested path appears nowhere in the scrape`)
  }
})

// guarantee: metrics-route-label-bounded
t.test('answers of the router itself and of body parsing are each timed once: refused URLs as `unmatched`', async (t) => {
  const { app } = await buildApp(t, { BODY_LIMIT_BYTES: '1024' })
  const before = await scrapeText(app)
  const create = { method: 'POST' as const, url: '/push/device/create', headers: { authorization } }
  const answers = [
    // The router refuses these before any route or hook: Fastify's frameworkErrors answer them.
    await app.inject({ method: 'GET', url: '/push/device/%zz', headers: { authorization } }),
    await app.inject({ method: 'POST', url: '/api/1.0/push/%E0%A4%A', payload: '{}', headers: { 'content-type': 'application/json' } }),
    await app.inject({ method: 'GET', url: `/push/campaign/${'q'.repeat(3000)}/detail`, headers: { authorization } }),
    // A matched route refuses these while reading the body: its hooks run.
    await app.inject({ ...create, headers: { ...create.headers, 'content-type': 'application/xml' }, payload: '<a/>' }),
    await app.inject({ ...create, headers: { ...create.headers, 'content-type': 'application/json' }, payload: JSON.stringify({ requestObject: { token: 'a'.repeat(2000) } }) }),
    await app.inject({ ...create, headers: { ...create.headers, 'content-type': 'application/json' }, payload: '{"requestObject":' })
  ]
  t.same(answers.map((answer) => answer.statusCode), [400, 400, 414, 415, 413, 400])
  const after = await scrapeText(app)

  const delta = (labels: Record<string, string>) => count(after, labels) - count(before, labels)
  t.equal(delta({ method: 'GET', route: 'unmatched', status_code: '400' }), 1, 'a malformed URL: `unmatched`')
  t.equal(delta({ method: 'POST', route: 'unmatched', status_code: '400' }), 1, 'under the signed API too')
  t.equal(delta({ method: 'GET', route: 'unmatched', status_code: '414' }), 1, 'a path parameter too long')
  for (const status of ['415', '413', '400']) t.equal(delta({ method: 'POST', route: '/push/device/create', status_code: status }), 1, `${status} while reading the body: the route`)
  // The scrape before is timed too (after its answer); nothing else may have been.
  t.equal(delta({}) - delta({ route: '/metrics' }), answers.length, 'each request observed once, none twice')
  t.equal(delta({ route: '/metrics' }), 1)
  t.notOk(after.includes('%zz') || after.includes('qqqq'), 'no refused path in the scrape')
})

t.test('process metrics are exported unprefixed', async (t) => {
  const { app } = await buildApp(t)
  const text = await scrapeText(app)
  for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes']) {
    t.match(text, new RegExp(`^${name} `, 'm'), name)
  }
})
