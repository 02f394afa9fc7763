// The provider-only scenarios at a small size: each runs its child process against the mocks and
// throws unless the mocks accepted every notification exactly once, so a scenario that stops
// sending, or sends twice, fails here rather than in the next person's benchmark run.
import t from 'tap'
import { runCeiling } from '../../src/scenarios/ceiling.js'
import { runPeer } from '../../src/scenarios/peer.js'
import { runSenders } from '../../src/scenarios/senders.js'

const perNotification = (figures: Record<string, number>) => Object.values(figures)

t.test("the dispatcher's senders alone deliver every notification once, half to each provider", async (t) => {
  const result = await runSenders({ notifications: 2000 })
  t.same(result.split, { apns: 1000, fcm: 1000 })
  t.same(result.accepted, result.split, 'the mocks accepted every notification')
  t.ok(result.notificationsPerSecond > 0, 'a rate measured')
  t.ok(perNotification(result.cpuMicrosecondsPerNotification).every((us) => us > 0), 'CPU measured for the senders and the mocks')
  t.ok(result.peakRssMb.senders! > 0, 'memory sampled')
  t.ok(result.hostStealPercent >= 0 && result.hostStealPercent <= 100, `the host's steal read: ${result.hostStealPercent}%`)
})

t.test('the ceiling and the peer run at a given setting', async (t) => {
  const ceiling = await runCeiling({ notifications: 2000, sessions: 1, streamsPerSession: 100 })
  t.equal(ceiling.accepted, 2000)
  t.equal(ceiling.trials, null, 'no search when the setting is given')
  const peer = await runPeer({ notifications: 2000, batchesInFlight: 4 })
  t.same(peer.accepted, { apns: 1000, fcm: 1000 })
  t.equal(peer.batchesInFlight, 4)
  for (const run of [ceiling, peer]) t.ok(run.hostStealPercent >= 0 && run.hostStealPercent <= 100, `the host's steal read: ${run.hostStealPercent}%`)
})
