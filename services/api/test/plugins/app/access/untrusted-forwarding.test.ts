import t from 'tap'
import { buildApp } from '../../../helper.js'

const WARNING = 'that TRUST_PROXY does not name'
const warnings = (logs: string) => logs.split('\n').filter((line) => line.includes(WARNING)).map((line) => JSON.parse(line) as { level: number, remoteAddress: string })
const probe = { method: 'GET' as const, url: '/healthz' }
const forwarded = (address: string) => ({ ...probe, headers: { 'x-forwarded-for': address } })

// guarantee: untrusted-forwarding-warned
t.test('without TRUST_PROXY the first request through a proxy is warned of, once', async (t) => {
  const { app, logs } = await buildApp(t, {}, { captureLogs: true })
  await app.inject(probe)
  await app.inject({ ...probe, headers: { forwarded: 'for=203.0.113.9' } })
  t.same(warnings(logs()), [], 'no word while no request carries X-Forwarded-For (the only header TRUST_PROXY reads)')
  await app.inject(forwarded('203.0.113.7'))
  await app.inject(forwarded('203.0.113.8'))
  const said = warnings(logs())
  t.equal(said.length, 1, 'said once per process')
  t.equal(said[0]?.level, 40, 'at warn level')
  t.equal(said[0]?.remoteAddress, '127.0.0.1', 'with the address every client then shares (the proxy\'s)')
})

t.test('a TRUST_PROXY list that leaves the proxy out is warned of too', async (t) => {
  for (const setting of ['10.0.0.0/8']) {
    const { app, logs } = await buildApp(t, { TRUST_PROXY: setting }, { captureLogs: true })
    await app.inject(forwarded('203.0.113.7'))
    t.equal(warnings(logs()).length, 1, `TRUST_PROXY=${setting}, the proxy at 127.0.0.1`)
  }
})

t.test('with TRUST_PROXY naming the proxy nothing is said', async (t) => {
  for (const setting of ['127.0.0.1', '127.0.0.0/8, ::1']) {
    const { app, logs } = await buildApp(t, { TRUST_PROXY: setting }, { captureLogs: true })
    await app.inject(forwarded('203.0.113.7'))
    t.same(warnings(logs()), [], `TRUST_PROXY=${setting}`)
  }
})
