import t from 'tap'
import { buildApp } from '../helper.js'

t.test('one access line per request: method, URL, status and time, after the response', async (t) => {
  const { app, logs } = await buildApp(t, {}, { captureLogs: true })
  const before = (logs().match(/"msg":"request completed"/g) ?? []).length
  const response = await app.inject({ method: 'GET', url: '/no/such/route?x=1' })
  t.equal(response.statusCode, 404)
  const lines = logs().split('\n').filter((line) => line.includes('/no/such/route'))
  t.equal(lines.length, 1, 'a single line for the request')
  const line = JSON.parse(lines[0]!)
  t.match(line, { level: 30, msg: 'request completed', req: { method: 'GET', url: '/no/such/route?x=1' }, res: { statusCode: 404 } })
  t.type(line.responseTime, 'number')
  t.equal((logs().match(/"msg":"request completed"/g) ?? []).length, before + 1)
})
