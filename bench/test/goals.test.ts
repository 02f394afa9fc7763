// Issue 16's goals from made-up figures: which processes count as Beacon's, and each goal's
// boundary on both sides, so a report can neither call a miss met nor a hit missed.
import t from 'tap'
import { isBeaconProcess, judgeCampaign, judgeLarge, judgeSenders, judgeSingle, microsecondsPer } from '../src/goals.js'

// 10,000 notifications in 1 s; the peer's own process used 0.9 s: 90 µs each.
const peer = { count: 10_000, perSecond: 10_000, cpuSeconds: { peer: 0.9, 'bench (provider mocks)': 0.5 } }

t.test("Beacon's processes are the api, the dispatchers, PostgreSQL and NATS; not the mocks or the client", async (t) => {
  for (const name of ['api', 'dispatcher1', 'dispatcher12', 'postgres', 'nats']) t.ok(isBeaconProcess(name), name)
  for (const name of ['bench (provider mocks)', 'bench (client, provider mocks)', 'peer', 'senders']) t.notOk(isBeaconProcess(name), name)
  t.equal(microsecondsPer({ api: 0.2, dispatcher1: 1, 'bench (provider mocks)': 5 }, 10_000, isBeaconProcess), 120)
})

t.test('campaign: CPU ≤ 1.5 × the peer and rate ≥ 0.8 × the peer, the mocks not counted', async (t) => {
  // 135 µs of Beacon's own: exactly 1.5 × 90, whatever the mocks used.
  const atBoundary = judgeCampaign({ count: 10_000, perSecond: 8000, cpuSeconds: { api: 0.15, dispatcher1: 0.6, dispatcher2: 0.3, postgres: 0.2, nats: 0.1, 'bench (provider mocks)': 9 } }, peer)
  t.equal(Math.round(atBoundary.ownMicroseconds), 135)
  t.equal(Math.round(atBoundary.peerMicroseconds), 90)
  t.equal(atBoundary.cpuMet, true, '1.5 × is met')
  t.equal(atBoundary.rateMet, true, '0.8 × is met')
  t.equal(atBoundary.met, true)

  const dearer = judgeCampaign({ count: 10_000, perSecond: 9000, cpuSeconds: { api: 0.16, dispatcher1: 1, postgres: 0.2, nats: 0.1 } }, peer)
  t.ok(dearer.cpuOverPeer > 1.5)
  t.equal(dearer.cpuMet, false, '146 µs against 90 is not met')
  t.equal(dearer.rateMet, true)
  t.equal(dearer.met, false, 'one part missed misses the goal')

  const slower = judgeCampaign({ count: 10_000, perSecond: 7999, cpuSeconds: { dispatcher1: 0.5 } }, peer)
  t.equal(slower.cpuMet, true)
  t.equal(slower.rateMet, false, '0.7999 × the peer is not met')
  t.equal(slower.met, false)
})

t.test('senders alone: at least the peer’s rate, with both CPU figures', async (t) => {
  const equal = judgeSenders({ count: 10_000, perSecond: 10_000, cpuSeconds: { senders: 1.17, 'bench (provider mocks)': 0.6 } }, peer)
  t.equal(equal.met, true, 'equal to the peer is met')
  t.equal(Math.round(equal.sendersMicroseconds), 117)
  t.equal(Math.round(equal.peerMicroseconds), 90)
  t.equal(judgeSenders({ count: 10_000, perSecond: 9999, cpuSeconds: { senders: 1 } }, peer).met, false)
})

t.test('single messages: rate, p99 and CPU across every process, delivered once without errors', async (t) => {
  // 1,000 requests; 1.5 s of CPU in all is 1.5 ms each, 1.0 s of it Beacon's.
  const good = { requests: 1000, achievedPerSecond: 490, p99Ms: 49.9, cpuSeconds: { api: 0.3, dispatcher: 0.3, postgres: 0.2, nats: 0.2, 'bench (client, provider mocks)': 0.5 }, deliveredOnceEach: true, errors: {} }
  const judged = judgeSingle(good)
  t.equal(judged.met, true)
  t.equal(judged.cpuMs, 1.5)
  t.equal(judged.beaconCpuMs, 1)
  t.same(judged.split, { api: 0.3, dispatcher: 0.3, postgres: 0.2, nats: 0.2, 'bench (client, provider mocks)': 0.5 }, 'ms per message by process')

  t.equal(judgeSingle({ ...good, achievedPerSecond: 489 }).rateMet, false, 'under 0.98 × 500/s')
  t.equal(judgeSingle({ ...good, p99Ms: 50 }).latencyMet, false, 'p99 must be under 50 ms')
  t.equal(judgeSingle({ ...good, p99Ms: undefined }).latencyMet, false, 'nothing arrived is not met')
  t.equal(judgeSingle({ ...good, cpuSeconds: { ...good.cpuSeconds, api: 0.31 } }).cpuMet, false, '1.51 ms is over')
  t.equal(judgeSingle({ ...good, deliveredOnceEach: false }).met, false, 'a lost or repeated message fails it')
  t.equal(judgeSingle({ ...good, errors: { 503: 1 } }).met, false, 'an error answer fails it')
})

t.test('large campaign: ≤ 120 s at 1,000,000 users, every process < 256 MB; time unjudged at other sizes', async (t) => {
  const rss = { api: 228, dispatcher1: 163, dispatcher2: 255 }
  t.same(judgeLarge({ users: 1_000_000, seconds: 120, peakRssMb: rss }), { timeMet: true, rssMet: true, met: true })
  t.same(judgeLarge({ users: 1_000_000, seconds: 120.01, peakRssMb: rss }), { timeMet: false, rssMet: true, met: false })
  t.same(judgeLarge({ users: 1_000_000, seconds: 100, peakRssMb: { ...rss, api: 256 } }), { timeMet: true, rssMet: false, met: false })
  t.same(judgeLarge({ users: 20_000, seconds: 5, peakRssMb: rss }), { timeMet: undefined, rssMet: true, met: undefined }, 'a quick run leaves the goal open')
  t.equal(judgeLarge({ users: 20_000, seconds: 5, peakRssMb: { api: 300 } }).met, false, 'too much memory fails at any size')
})
