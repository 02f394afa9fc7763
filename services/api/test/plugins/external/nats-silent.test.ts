import { startSilentNetwork, testNatsUrl, until } from '@beacon/testkit'
import t from 'tap'
import { buildApp } from '../../helper.js'

// NATS gone silent (a partition: the connection neither answers nor closes) under the api. Only
// NATS_PING_INTERVAL_MS finds the connection dead; with nats.js's own 2 minutes the api waited
// 4 to 6 before reconnecting, not ready all the while.
// guarantee: nats-silent
t.test('NATS silent under the api: not ready while silent, ready again once NATS answers, without a restart', async (t) => {
  const upstream = new URL(testNatsUrl)
  const network = await startSilentNetwork(upstream.hostname, Number(upstream.port || 4222))
  t.teardown(() => network.close())
  const { app } = await buildApp(t, { NATS_URL: network.urlFor(testNatsUrl), NATS_PING_INTERVAL_MS: '1000' })
  const readyz = async () => (await app.inject({ method: 'GET', url: '/readyz' })).statusCode
  t.equal(await readyz(), 200, 'ready')

  network.silence()
  await until(async () => await readyz() === 503, 'not ready while NATS is silent')
  network.heal()
  await until(async () => await readyz() === 200, 'ready again once NATS answers', 30_000)
  t.ok(network.silenced > 0, 'the api\'s connection was silenced')
  t.ok(network.connections > 1, 'and a new one made')
})
