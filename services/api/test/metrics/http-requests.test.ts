import t from 'tap'
import { buildApp, call } from '../helper.js'
import { sampleValue, scrapeText } from './scrape.js'

const count = (text: string, labels: Record<string, string>) => sampleValue(text, 'beacon_http_request_duration_seconds_count', labels)

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

t.test('process metrics are exported unprefixed', async (t) => {
  const { app } = await buildApp(t)
  const text = await scrapeText(app)
  for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes']) {
    t.match(text, new RegExp(`^${name} `, 'm'), name)
  }
})
