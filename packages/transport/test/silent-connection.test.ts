import { startSilentNetwork, testNatsUrl } from '@beacon/testkit'
import t from 'tap'
import { createNatsTransport } from '../src/index.js'
import { natsPrefix } from './fixtures.js'

// README, NATS_PING_INTERVAL_MS: a silent NATS (the connection neither answers nor closes) is
// found two to three intervals after the silence began: two pings outstanding at the next check.
// guarantee: nats-silent-found
t.test('a connection gone silent is taken for dead within three ping intervals', async (t) => {
  const prefix = await natsPrefix(t)
  const target = new URL(testNatsUrl)
  const network = await startSilentNetwork(target.hostname, Number(target.port || 4222))
  t.teardown(() => network.close())
  const intervalMs = 1000
  const transport = await createNatsTransport({ servers: network.urlFor(testNatsUrl), prefix, name: 'silent-test', pingIntervalMs: intervalMs })
  t.teardown(() => transport.close().catch(() => {}))
  let silencedAt = 0
  const foundAfter = new Promise<number>((resolve) => {
    const watch = transport.watchConnection((connected) => {
      if (connected || silencedAt === 0) return
      resolve(Date.now() - silencedAt)
      watch.stop().catch(() => {})
    })
  })
  silencedAt = Date.now()
  network.silence()
  const ms = await foundAfter
  // Three intervals, and one more for a loaded machine's timers; nats.js's 5 pings would take 5 to 6.
  t.ok(ms < 4 * intervalMs, `found dead ${ms} ms after the silence began (interval ${intervalMs} ms)`)
})
