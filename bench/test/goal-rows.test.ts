// Goals 1 and 2 as the report's rows: over several rounds, judged on the medians with every round's
// ratio shown and the median round named; a run of one round says so.
import t from 'tap'
import { figureRows } from '../src/figure-rows.js'
import { goalRows } from '../src/goal-rows.js'
import type { Round, RunResults } from '../src/results.js'

// Only what the goals read; 10,000 notifications each.
const peer = (us: number, rate: number) => ({ notifications: 10_000, notificationsPerSecond: rate, cpuSeconds: { peer: us / 100, 'bench (provider mocks)': 1 }, cpuMicrosecondsPerNotification: {} }) as unknown as NonNullable<Round['peer']>
const senders = (rate: number) => ({ notifications: 10_000, notificationsPerSecond: rate, cpuSeconds: { senders: 0.8 }, cpuMicrosecondsPerNotification: {} }) as unknown as NonNullable<Round['senders']>
// Beacon: api 10 + postgres 40 + nats 10 µs + the dispatchers'.
const campaign = (dispatcherUs: number, rate: number) => ({ users: 10_000, dispatchers: 1, notificationsPerSecond: rate, cpuSeconds: { api: 0.1, dispatcher1: dispatcherUs / 100, postgres: 0.4, nats: 0.1, 'bench (provider mocks)': 1 }, cpuMicrosecondsPerNotification: {}, peakRssMb: {} }) as unknown as Round['campaigns'][number]
const twoDispatchers = (eachUs: number, rate: number) => ({ users: 10_000, dispatchers: 2, notificationsPerSecond: rate, cpuSeconds: { api: 0.1, dispatcher1: eachUs / 100, dispatcher2: eachUs / 100, postgres: 0.4, nats: 0.1 }, cpuMicrosecondsPerNotification: {}, peakRssMb: {} }) as unknown as Round['campaigns'][number]

const row = (rows: ReturnType<typeof goalRows>['rows'], start: string) => rows.find((r) => r.goal.startsWith(start))!

// guarantee: bench-rounds
t.test('three rounds: medians judged, every round shown, the median round named with its split', async (t) => {
  // 1 dispatcher: 1.43 (slow peer), 1.93, 1.60 (round 3: the median). 2 dispatchers: 1.71, 1.93, 1.89 (round 3).
  const rounds: Round[] = [
    { peer: peer(105, 9000), senders: senders(9500), campaigns: [campaign(90, 8500), twoDispatchers(60, 7000)] },
    { peer: peer(83, 11_000), senders: senders(11_500), campaigns: [campaign(100, 7500), twoDispatchers(50, 9000)] },
    { peer: peer(90, 10_000), senders: senders(9000), campaigns: [campaign(84, 7000), twoDispatchers(55, 8000)] }
  ]
  const run: RunResults = { ...rounds[2]!, rounds }
  const { rows, judged } = goalRows(run)
  const cpu = row(rows, '1. campaign, 1 dispatcher: Beacon')
  t.equal(cpu.met, false, 'the median 1.60 misses though round 1 alone reads 1.43')
  t.equal(cpu.measured, '1.60 (median of 3 rounds: 1.43, 1.93, 1.60; round 3: Beacon 144 µs: api 10, dispatcher1 84, postgres 40, nats 10; peer 90 µs)')
  const rate = row(rows, '1. campaign, 1 dispatcher: throughput')
  t.equal(rate.measured, '0.70 (median of 3 rounds: 0.94, 0.68, 0.70; 8,500/s ÷ 9,000/s, 7,500/s ÷ 11,000/s, 7,000/s ÷ 10,000/s)')
  t.equal(rate.met, false)
  // Each round's two-dispatcher campaign against that round's peer, apart from the one-dispatcher ones.
  const cpu2 = row(rows, '1. campaign, 2 dispatchers: Beacon')
  t.equal(cpu2.measured, '1.89 (median of 3 rounds: 1.71, 1.93, 1.89; round 3: Beacon 170 µs: api 10, dispatcher1 55, dispatcher2 55, postgres 40, nats 10; peer 90 µs)')
  t.equal(cpu2.met, false)
  const rate2 = row(rows, '1. campaign, 2 dispatchers: throughput')
  t.match(rate2.measured, /^0\.800 \(median of 3 rounds: 0\.78, 0\.82, 0\.800;/, 'three places on the target')
  t.equal(rate2.met, true)
  // Senders: 1.06, 1.05, 0.90: the median 1.05 (round 2) is met.
  const sendersRow = row(rows, '2.')
  t.equal(sendersRow.measured, '1.05 (median of 3 rounds: 1.06, 1.05, 0.90; round 2: 11,500/s ÷ 11,000/s; CPU per notification: senders 80 µs, peer 83 µs)')
  t.equal(sendersRow.met, true)
  t.ok(judged['campaign, 1 dispatcher'], 'judged for the results file')
  t.ok(figureRows(run).some((r) => r.scenario.startsWith('2. peer') && r.scenario.includes('round 3 of 3')), 'the scenario table names the round it shows')
})

t.test('one round: the ratio and its figures, marked as one round', async (t) => {
  const round: Round = { peer: peer(90, 10_000), senders: senders(10_000), campaigns: [campaign(75, 8000)] }
  const { rows } = goalRows({ ...round })
  const cpu = row(rows, '1. campaign, 1 dispatcher: Beacon')
  t.equal(cpu.measured, '1.500 (one round; Beacon 135 µs: api 10, dispatcher1 75, postgres 40, nats 10; peer 90 µs)')
  t.equal(cpu.met, true)
  t.equal(row(rows, '1. campaign, 1 dispatcher: throughput').measured, '0.800 (one round; 8,000/s ÷ 10,000/s)')
  t.equal(row(rows, '2.').measured, '1.000 (one round; 10,000/s ÷ 10,000/s; CPU per notification: senders 80 µs, peer 90 µs)')
  t.notOk(figureRows({ ...round }).some((r) => r.scenario.includes('round')), 'no round named in the scenario table')
})

t.test('a ratio that two places would round onto its target shows three', async (t) => {
  // 7,990 ÷ 10,000: 0.799 is not met, and must not read 0.80.
  const { rows } = goalRows({ peer: peer(90, 10_000), campaigns: [campaign(75, 7990)] })
  const rate = row(rows, '1. campaign, 1 dispatcher: throughput')
  t.equal(rate.measured, '0.799 (one round; 7,990/s ÷ 10,000/s)')
  t.equal(rate.met, false)
  t.match(row(rows, '1. campaign, 1 dispatcher: Beacon').measured, /^1\.500 /, 'on the target, three places too')
})

t.test('no peer measured: no goal 1 or 2 rows', async (t) => {
  const { rows } = goalRows({ campaigns: [campaign(75, 8000)], senders: senders(10_000) })
  t.equal(rows.length, 0)
})
