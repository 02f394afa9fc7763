// Issue 16's goals from made-up figures: which processes count as Beacon's, and each goal's
// boundary on both sides, so a report can neither call a miss met nor a hit missed.
import t from 'tap'
import { isBeaconProcess, judgeCampaign, judgeCampaignRounds, judgeLarge, judgeSenders, judgeSendersRounds, judgeSingle, median, medianIndex, microsecondsPer } from '../src/goals.js'

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

t.test('the median is a figure some round measured: the middle one; of an even count, the side asked for', async (t) => {
  t.equal(median([3, 1, 2]), 2)
  t.equal(median([3, 1, 2], 'upper'), 2)
  t.equal(median([4, 1, 3, 2]), 2)
  t.equal(median([4, 1, 3, 2], 'upper'), 3)
  t.equal(median([7], 'upper'), 7)
  t.throws(() => median([]))
  t.equal(medianIndex([0.9, 1.2, 1.1]), 2, 'where the middle figure was measured')
  // Nothing measured (0 ÷ 0) sorts last, and a NaN ratio never meets a target.
  t.equal(medianIndex([Number.NaN, 1.2, 1.1]), 1)
  const nothing = judgeCampaignRounds([{ campaign: { count: 0, perSecond: 0, cpuSeconds: {} }, peer: { count: 0, perSecond: 0, cpuSeconds: {} } }])
  t.equal(nothing.middle, 0)
  t.equal(nothing.met, false)
})

t.test('two rounds: each goal takes the middle figure less favourable to it', async (t) => {
  const peer = { count: 10_000, perSecond: 10_000, cpuSeconds: { peer: 0.9 } }
  const campaign = (us: number, rate: number) => ({ count: 10_000, perSecond: rate, cpuSeconds: { dispatcher1: us / 100 } })
  const judged = judgeCampaignRounds([{ campaign: campaign(126, 9000), peer }, { campaign: campaign(144, 7000), peer }])
  t.equal(Number(judged.cpuOverPeer.toFixed(2)), 1.6, 'the higher CPU ratio')
  t.equal(judged.rateOverPeer, 0.7, 'the lower rate ratio')
  t.equal(judged.met, false)
  t.equal(judged.middle, 1)
  const senders = (rate: number) => ({ count: 10_000, perSecond: rate, cpuSeconds: { senders: 1 } })
  t.equal(judgeSendersRounds([{ senders: senders(11_000), peer }, { senders: senders(9000), peer }]).rateOverPeer, 0.9, 'the lower senders ratio')
})

t.test('campaign over rounds: each round against its own peer, judged on the medians', async (t) => {
  // 10,000 notifications each; µs of the peer's own process and of Beacon's (dispatcher1 alone here).
  const round = (peerUs: number, peerRate: number, beaconUs: number, rate: number) => ({
    peer: { count: 10_000, perSecond: peerRate, cpuSeconds: { peer: peerUs / 100 } },
    campaign: { count: 10_000, perSecond: rate, cpuSeconds: { dispatcher1: beaconUs / 100, 'bench (provider mocks)': 5 } }
  })
  // A slow peer alone (round 2) reads met; the median round (1.6) does not.
  const oneLucky = judgeCampaignRounds([round(90, 10_000, 144, 7000), round(105, 9000, 150, 8500), round(83, 11_000, 160, 7500)])
  t.same(oneLucky.rounds.map((r) => Number(r.cpuOverPeer.toFixed(2))), [1.6, 1.43, 1.93], 'each round over its own peer')
  t.equal(Number(oneLucky.cpuOverPeer.toFixed(2)), 1.6)
  t.equal(oneLucky.middle, 0, 'the round the median came from')
  t.equal(oneLucky.cpuMet, false)
  // Rates: 0.7, 0.944, 0.682: the median 0.7 misses, though round 2 alone is over 0.8.
  t.equal(Number(oneLucky.rateOverPeer.toFixed(2)), 0.7)
  t.equal(oneLucky.rateMet, false)
  t.equal(oneLucky.met, false)

  const twoOfThree = judgeCampaignRounds([round(90, 10_000, 135, 8000), round(100, 10_000, 140, 8100), round(90, 10_000, 180, 7000)])
  t.equal(twoOfThree.cpuOverPeer, 1.5, 'exactly 1.5 × is met')
  t.equal(twoOfThree.rateOverPeer, 0.8, 'exactly 0.8 × is met')
  t.equal(twoOfThree.met, true, 'one round over the target does not fail the median')
})

t.test('senders over rounds: the median rate ratio, each round against its own peer', async (t) => {
  const round = (peerRate: number, rate: number) => ({ peer: { count: 10_000, perSecond: peerRate, cpuSeconds: { peer: 1 } }, senders: { count: 10_000, perSecond: rate, cpuSeconds: { senders: 1 } } })
  const judged = judgeSendersRounds([round(10_000, 9000), round(8000, 9000), round(10_000, 10_000)])
  t.same(judged.rounds.map((r) => r.rateOverPeer), [0.9, 1.125, 1])
  t.equal(judged.rateOverPeer, 1)
  t.equal(judged.middle, 2)
  t.equal(judged.met, true)
  t.equal(judgeSendersRounds([round(10_000, 9000), round(8000, 9000), round(10_000, 9999)]).met, false, 'the median 0.9999 misses')
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
