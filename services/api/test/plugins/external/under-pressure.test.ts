import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { buildApp, call } from '../../helper.js'
import { metricValue } from '../../metrics/scrape.js'

/** Blocks the event loop in bursts until under-pressure's last sample says it lags (a 1 ms threshold). */
async function overload (app: FastifyInstance): Promise<void> {
  const deadline = Date.now() + 30_000
  while (!app.isUnderPressure()) {
    if (Date.now() > deadline) throw new Error('the event loop never counted as lagging')
    const until = Date.now() + 150
    while (Date.now() < until);
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

// guarantee: under-pressure-503
t.test('past MAX_EVENT_LOOP_DELAY_MS requests are shed with 503 in each API\'s own body; probes and the scrape never are', async (t) => {
  const { app } = await buildApp(t, { MAX_EVENT_LOOP_DELAY_MS: '1' })
  const shedBefore = await metricValue(app, 'beacon_under_pressure_rejections_total')

  await overload(app)
  const basic = await call(app, 'GET', '/push/service/status')
  t.equal(basic.statusCode, 503)
  t.equal(basic.headers['retry-after'], '5')
  t.strictSame(basic.json(), { status: 'ERROR', responseObject: { code: 'ERROR_OVERLOADED', message: 'the server is overloaded; retry later' } })

  await overload(app)
  const signed = await app.inject({ method: 'POST', url: '/api/1.0/push/alice@carrier.example', payload: {} })
  t.equal(signed.statusCode, 503)
  t.strictSame(signed.json(), { error: { status: 503, code: 50300, message: 'the server is overloaded; retry later' } })

  for (const path of ['/healthz', '/readyz', '/metrics']) {
    await overload(app)
    t.equal((await app.inject({ method: 'GET', url: path })).statusCode, 200, `${path} is never shed`)
  }
  t.equal(await metricValue(app, 'beacon_under_pressure_rejections_total') - shedBefore, 2, 'both shed requests counted')
})

t.test('MAX_EVENT_LOOP_DELAY_MS=0 never sheds', async (t) => {
  const { app } = await buildApp(t, { MAX_EVENT_LOOP_DELAY_MS: '0' })
  t.equal(app.hasDecorator('isUnderPressure'), false, 'under-pressure is not even registered')
  const until = Date.now() + 300
  while (Date.now() < until);
  t.equal((await call(app, 'GET', '/push/service/status')).statusCode, 200)
})
