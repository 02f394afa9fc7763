import t from 'tap'
import { authorization, buildApp } from './helper.js'

t.test('errors of the router answer in the error body of the API the path belongs to', async (t) => {
  const { app } = await buildApp(t)
  const signed = await app.inject({ method: 'POST', url: '/api/1.0/push/%E0%A4%A', payload: '{}', headers: { 'content-type': 'application/json' } })
  t.equal(signed.statusCode, 400)
  t.same(signed.json(), { error: { status: 400, code: 40000, message: 'the request URL is malformed' } })
  const powerAuth = await app.inject({ method: 'GET', url: '/push/campaign/%E0%A4%A/detail', headers: { authorization } })
  t.equal(powerAuth.statusCode, 400)
  t.same(powerAuth.json(), { status: 'ERROR', responseObject: { code: 'ERROR_GENERIC', message: 'the request URL is malformed' } })
  const tooLong = await app.inject({ method: 'GET', url: `/push/campaign/${'9'.repeat(3000)}/detail`, headers: { authorization } })
  t.equal(tooLong.statusCode, 414)
  t.same(tooLong.json(), { status: 'ERROR', responseObject: { code: 'ERROR_REQUEST', message: 'a path parameter is longer than 2048 characters' } })
})

t.test('a long username@carrier reaches the signed route (no 414 below the longest address)', async (t) => {
  const { app } = await buildApp(t)
  // 255 characters, percent-encoded: the longest username, as long as the path ever gets.
  const address = `${encodeURIComponent('あ'.repeat(255))}%40carrier.example`
  t.ok(address.length > 2000, `${address.length} characters`)
  const response = await app.inject({ method: 'POST', url: `/api/1.0/push/${address}`, payload: '{}', headers: { 'content-type': 'application/json' } })
  t.equal(response.statusCode, 401, 'routed: asked for a signature')
})
