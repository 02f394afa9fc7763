import t from 'tap'
import { buildApp } from '../../../helper.js'

const WARNING = 'TRUST_PROXY is not set'
const warnings = (logs: string) => logs.split('\n').filter((line) => line.includes(WARNING)).map((line) => JSON.parse(line) as { level: number, remoteAddress: string })
const probe = { method: 'GET' as const, url: '/healthz' }

// guarantee: untrusted-forwarding-warned
t.test('without TRUST_PROXY the first request through a proxy is warned of, once', async (t) => {
  const { app, logs } = await buildApp(t, {}, { captureLogs: true })
  await app.inject(probe)
  t.same(warnings(logs()), [], 'no word while no request says it was forwarded')
  await app.inject({ ...probe, headers: { 'x-forwarded-for': '203.0.113.7' } })
  await app.inject({ ...probe, headers: { 'x-forwarded-for': '203.0.113.8' } })
  await app.inject({ ...probe, headers: { forwarded: 'for=203.0.113.9' } })
  const said = warnings(logs())
  t.equal(said.length, 1, 'said once per process')
  t.equal(said[0]?.level, 40, 'at warn level')
  t.equal(said[0]?.remoteAddress, '127.0.0.1', 'with the address every client then shares (the proxy\'s)')
})

t.test('with TRUST_PROXY set nothing is said', async (t) => {
  const { app, logs } = await buildApp(t, { TRUST_PROXY: '1' }, { captureLogs: true })
  await app.inject({ ...probe, headers: { 'x-forwarded-for': '203.0.113.7' } })
  t.same(warnings(logs()), [])
})
