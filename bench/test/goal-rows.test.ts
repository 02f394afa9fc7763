// Goals 1 and 2 as the report's rows: over several rounds, judged on the medians with every round's
// ratio shown; a run of one round reads as before (a ratio and its figures).
import t from 'tap'
import { goalRows } from '../src/goal-rows.js'
import type { Round, RunResults } from '../src/results.js'

// Only what the goals read; 10,000 notifications each.
const peer = (us: number, rate: number) => ({ notifications: 10_000, notificationsPerSecond: rate, cpuSeconds: { peer: us / 100, 'bench (provider mocks)': 1 } }) as unknown as NonNullable<Round['peer']>
const senders = (rate: number) => ({ notifications: 10_000, notificationsPerSecond: rate, cpuSeconds: { senders: 0.8 } }) as unknown as NonNullable<Round['senders']>
const campaign = (dispatcherUs: number, rate: number) => ({ users: 10_000, dispatchers: 1, notificationsPerSecond: rate, cpuSeconds: { api: 0.1, dispatcher1: dispatcherUs / 100, postgres: 0.4, nats: 0.1, 'bench (provider mocks)': 1 } }) as unknown as Round['campaigns'][number]

const row = (rows: ReturnType<typeof goalRows>['rows'], start: string) => rows.find((r) => r.goal.startsWith(start))!

// guarantee: bench-rounds
t.test('three rounds: medians judged, every round shown, the median round’s split', async (t) => {
  // Beacon: api 10 + postgres 40 + nats 10 + the dispatcher. Ratios 1.6, 1.43 (slow peer), 1.93.
  const rounds: Round[] = [
    { peer: peer(90, 10_000), senders: senders(9000), campaigns: [campaign(84, 7000)] },
    { peer: peer(105, 9000), senders: senders(9500), campaigns: [campaign(90, 8500)] },
    { peer: peer(83, 11_000), senders: senders(11_500), campaigns: [campaign(100, 7500)] }
  ]
  const run: RunResults = { ...rounds[0]!, rounds }
  const { rows, judged } = goalRows(run)
  const cpu = row(rows, '1. campaign, 1 dispatcher: Beacon')
  t.equal(cpu.met, false, 'the median 1.60 misses though round 2 alone reads 1.43')
  t.match(cpu.measured, /^1\.60 \(median of 3 rounds: 1\.60, 1\.43, 1\.93; round 1: Beacon 144 µs: api 10, dispatcher1 84, postgres 40, nats 10; peer 90 µs\)$/)
  const rate = row(rows, '1. campaign, 1 dispatcher: throughput')
  t.match(rate.measured, /^0\.70 \(median of 3 rounds: 0\.70, 0\.94, 0\.68; 7,000\/s ÷ 10,000\/s, 8,500\/s ÷ 9,000\/s, 7,500\/s ÷ 11,000\/s\)$/)
  t.equal(rate.met, false)
  const sendersRow = row(rows, '2.')
  // 0.9, 1.06, 1.05: the median 1.05 (round 3) is met.
  t.match(sendersRow.measured, /^1\.05 \(median of 3 rounds: 0\.90, 1\.06, 1\.05; round 3: 11,500\/s ÷ 11,000\/s; CPU per notification: senders 80 µs, peer 83 µs\)$/)
  t.equal(sendersRow.met, true)
  t.ok(judged['campaign, 1 dispatcher'], 'judged for the results file')
})

t.test('one round: the ratio and its figures, no median', async (t) => {
  const round: Round = { peer: peer(90, 10_000), senders: senders(10_000), campaigns: [campaign(75, 8000)] }
  const { rows } = goalRows({ ...round })
  const cpu = row(rows, '1. campaign, 1 dispatcher: Beacon')
  t.equal(cpu.measured, '1.50 (Beacon 135 µs: api 10, dispatcher1 75, postgres 40, nats 10; peer 90 µs)')
  t.equal(cpu.met, true)
  t.equal(row(rows, '1. campaign, 1 dispatcher: throughput').measured, '0.80 (8,000/s ÷ 10,000/s)')
  t.equal(row(rows, '2.').measured, '1.00 (10,000/s ÷ 10,000/s; CPU per notification: senders 80 µs, peer 90 µs)')
})

t.test('no peer measured: no goal 1 or 2 rows', async (t) => {
  const { rows } = goalRows({ campaigns: [campaign(75, 8000)], senders: senders(10_000) })
  t.equal(rows.length, 0)
})
