// The hypervisor's steal as the bench reads and reports it: /proc/stat's cpu line, the share of a
// run, every measured part of a run's steps, and the lines of its report.
import t from 'tap'
import { measureMachineCpu, parseMachineTicks, stealPercent } from '../src/cpu-usage.js'
import { figureRows } from '../src/figure-rows.js'
import { goalRows } from '../src/goal-rows.js'
import { stealReadings, stealSummary } from '../src/host-steal.js'
import { markdown } from '../src/report.js'
import type { RunResults } from '../src/results.js'
import type { runRegistration } from '../src/scenarios/registration.js'

// user nice system idle iowait irq softirq steal guest guest_nice, as Linux prints them (guest time
// is inside user already: counted twice, the totals below would be off by 300).
const stat = (user: number, idle: number, steal: number) => `cpu  ${user} 0 50 ${idle} 5 0 10 ${steal} 300 0\ncpu0 1 2 3 4 5 6 7 8 0 0\n`

t.test('/proc/stat: busy counts steal (the run could not have that time), total adds idle and iowait', async (t) => {
  t.same(parseMachineTicks(stat(1000, 8000, 40)), { busy: 1100, steal: 40, total: 9105 })
  t.throws(() => parseMachineTicks('intr 1 2 3'), /not a \/proc\/stat cpu line/)
  t.throws(() => parseMachineTicks(''), /not a \/proc\/stat cpu line/)
})

t.test('steal in percent of the machine\'s CPU time between two readings', async (t) => {
  // 1,000 ticks elapsed (two cores, 5 s), 113 of them stolen.
  const before = parseMachineTicks(stat(1000, 8000, 40))
  const after = parseMachineTicks(stat(1500, 8387, 153))
  t.equal(after.total - before.total, 1000)
  t.equal(stealPercent(before, after), 11.3)
  t.equal(stealPercent(before, before), 0, 'no time elapsed: no steal, not NaN')
})

t.test('measured on this machine: busy seconds and a share within bounds', async (t) => {
  const machine = measureMachineCpu()
  let spin = 0
  for (let i = 0; i < 5e6; i++) spin += i % 7
  const { busySeconds, stealPercent: percent } = machine.stop()
  t.ok(spin > 0 && busySeconds >= 0, `busy ${busySeconds} s`)
  t.ok(percent >= 0 && percent <= 100, `steal ${percent}%`)
})

// A registration result as runRegistration returns it: its servers are properties, each with its own steal.
const registration = (ours: number, plain: number, domain: number) => {
  const server = (label: string, hostStealPercent: number) => ({ server: label, requestsPerSecond: 1000, hostStealPercent })
  const result: Pick<Awaited<ReturnType<typeof runRegistration>>, 'ours' | 'plainPg' | 'domainCodeBareRoute' | 'ratio'> =
    { ours: server('beacon api', ours) as never, plainPg: server('fastify + pg', plain) as never, domainCodeBareRoute: server('domain code', domain) as never, ratio: 1 }
  return result
}

t.test('every measured part of a run: scenarios, their parts, the scale-out\'s own campaigns only', async (t) => {
  const readings = stealReadings({
    ceiling: { hostStealPercent: 0.2 },
    'campaign:1': { dispatchers: 1, hostStealPercent: 0.5 },
    scaleout: { reusedFromCampaignScenario: [1], runs: [{ dispatchers: 1, hostStealPercent: 0.5 }, { dispatchers: 4, hostStealPercent: 3.1 }] },
    registration: registration(0.4, 0.6, 0.5),
    signed: { echo: { hostStealPercent: 1 }, push: { hostStealPercent: 12.5 } },
    // A step of a run from before steal was measured, and one that failed.
    peer: { notifications: 10 },
    large: undefined
  })
  t.same(readings, [
    { part: 'ceiling', percent: 0.2 },
    { part: 'campaign:1', percent: 0.5 },
    { part: 'scaleout (4 dispatchers)', percent: 3.1 },
    { part: 'registration (ours)', percent: 0.4 },
    { part: 'registration (plainPg)', percent: 0.6 },
    { part: 'registration (domainCodeBareRoute)', percent: 0.5 },
    { part: 'signed (echo)', percent: 1 },
    { part: 'signed (push)', percent: 12.5 }
  ])
  t.equal(stealSummary(readings), 'Hypervisor steal (/proc/stat) during the measured parts: 0.2–12.5% of all cores\' time. ' +
    'Above 2% in scaleout (4 dispatchers) 3.1%, signed (push) 12.5%: those figures are of a slower machine than the others (less throughput, longer tails, more CPU per unit of work).')
  t.equal(stealSummary([{ part: 'ceiling', percent: 0 }, { part: 'single', percent: 2 }]),
    'Hypervisor steal (/proc/stat) during the measured parts: 0–2% of all cores\' time. None above 2%: the figures are this machine\'s own.')
  t.equal(stealSummary([]), undefined, 'nothing measured: no line')
})

t.test('the report: each scenario\'s row ends with its steal, the summary line under the heading', async (t) => {
  const single = { ratePerSecond: 500, earlierMessages: 100_000, achievedPerSecond: 499, deliveryLatencyMs: { p50: 20, p99: 60 }, roundTripMs: { p99: 70 }, errors: {}, cpuMicrosecondsPerRequest: { api: 700 } }
  const withSteal = figureRows({ campaigns: [], single: { ...single, hostStealPercent: 11 } } as unknown as RunResults)
  t.match(withSteal[0]!.figure, /CPU per message: api 700 µs; host steal 11%$/)
  const before = figureRows({ campaigns: [], single } as unknown as RunResults)
  t.notMatch(before[0]!.figure, /steal/, 'a result from before steal was measured reads as it did')
  // Goal 3's latency, which steal moves most, carries it too.
  const judged = { ...single, requests: 10_000, cpuSeconds: { api: 7 }, deliveredOnceEach: true, hostStealPercent: 11 }
  const p99 = goalRows({ campaigns: [], single: judged } as unknown as RunResults).rows.find((row) => row.goal.startsWith('3. single messages: API call'))!
  t.equal(p99.measured, '60 ms (p50 20 ms; round trip p99 70 ms; host steal 11%)')
  const md = markdown('2026-12-06', 2, 'full sizes', { figures: [], goals: [], sections: [], preamble: ['Hypervisor steal: 0–1%.'] }).split('\n')
  t.equal(md[2]!.startsWith('2 cores, full sizes'), true)
  t.same(md.slice(3, 6), ['', 'Hypervisor steal: 0–1%.', ''])
})
