// The scale-out curve and projection from made-up campaign figures: costs by kind of process,
// where the curve flattens, and which bound limits the projected rate.
import t from 'tap'
import { cheapest, curvePoint, flattening, kindOf, project, whyFlat, type CampaignPoint } from '../src/scale-out-model.js'

// 100,000 users; CPU seconds chosen so that µs per notification are round.
const point = (dispatchers: number, seconds: number, dispatcherSeconds: number[]): CampaignPoint => ({
  dispatchers,
  users: 100_000,
  seconds,
  notificationsPerSecond: Math.round(100_000 / seconds),
  cpuSeconds: {
    api: 2,
    ...Object.fromEntries(dispatcherSeconds.map((used, i) => [`dispatcher${i + 1}`, used])),
    postgres: 5,
    nats: 1,
    'bench (provider mocks)': 6
  }
})

t.test('process kinds', async (t) => {
  t.equal(kindOf('dispatcher3'), 'dispatchers')
  t.equal(kindOf('bench (provider mocks)'), 'mocks')
  t.equal(kindOf('postgres'), 'postgres')
  t.equal(kindOf('someone else'), undefined)
})

t.test('a point: µs per notification by kind, dispatchers summed, and the cores it kept busy', async (t) => {
  const p = curvePoint(point(2, 20, [9, 11]))
  t.same(p.microseconds, { api: 20, dispatchers: 200, postgres: 50, nats: 10, mocks: 60 })
  t.equal(p.machineCoresBusy, undefined, 'no machine figure given')
  t.equal(p.beaconMicroseconds, 280, 'the mocks are not Beacon')
  t.equal(p.coresBusy, 34 / 20, 'every process counts for the cores busy')
  t.equal(p.notificationsPerSecond, 5000)
})

t.test('the curve flattens at the first step that adds less than 10%', async (t) => {
  const rising = [point(1, 40, [16]), point(2, 20, [16, 0]), point(4, 10, [16, 0, 0, 0])].map(curvePoint)
  t.equal(flattening(rising), undefined, 'doubling every step is still rising')
  // 1: 2,500/s, 2: 4,000/s (+60%), 4: 4,348/s (+8.7%): flat after 2.
  const flat = [point(4, 23, [4, 4, 4, 4]), point(1, 40, [16]), point(2, 25, [8, 8])].map(curvePoint)
  t.equal(flattening(flat)?.dispatchers, 2, 'found whatever order the points come in')
  t.equal(flattening(flat, 0.05), undefined, 'with a 5% threshold the step to 4 still counts')
})

t.test('projection: N cores over Beacon µs, bounded by one api process and PostgreSQL at one core', async (t) => {
  // api 20, dispatchers 200, PostgreSQL 50, NATS 10: 280 µs per notification.
  const costs = curvePoint(point(1, 40, [20]))
  const [two, four, eight] = project(costs, [2, 4, 8])
  t.same(two, { cores: 2, notificationsPerSecond: 7143, limitedBy: 'cores', dispatchersNeeded: 2 }, '2 × 1e6 / 280, 7,143 × 200 µs = 1.43 dispatchers')
  t.same(four, { cores: 4, notificationsPerSecond: 14286, limitedBy: 'cores', dispatchersNeeded: 3 })
  t.same(eight, { cores: 8, notificationsPerSecond: 20000, limitedBy: 'PostgreSQL (one core)', dispatchersNeeded: 4 }, '1e6 / 50 µs caps 28,571')

  const busyApi = curvePoint({ ...point(1, 40, [20]), cpuSeconds: { api: 10, dispatcher1: 1, postgres: 1 } })
  t.same(project(busyApi, [16])[0], { cores: 16, notificationsPerSecond: 10000, limitedBy: 'api (one process)', dispatchersNeeded: 1 })
})

t.test('the costs are projected from the point where Beacon spent least per notification', async (t) => {
  const curve = [point(1, 40, [20]), point(2, 30, [9, 9]), point(4, 29, [12, 12, 12, 12])].map(curvePoint)
  t.equal(cheapest(curve).dispatchers, 2)
  t.throws(() => cheapest([]), /no campaign/)
})

t.test('why the curve is flat: our processes filled the cores, others did, or the cores were not full', async (t) => {
  // 2 cores: full from 1.8 busy (0.9 × 2); point() itself spends 34 CPU seconds in 20 s, 1.7 cores.
  const ours = curvePoint({ ...point(2, 20, [9, 11]), cpuSeconds: { api: 2, dispatcher1: 20, postgres: 14 }, machineCpuSeconds: 38 })
  t.equal(ours.coresBusy, 1.8)
  t.equal(whyFlat(ours, 2), 'cores', '1.8 of 2 is full')
  const others = curvePoint({ ...point(2, 20, [9, 11]), machineCpuSeconds: 39 })
  t.equal(others.machineCoresBusy, 1.95)
  t.equal(whyFlat(others, 2), 'others', 'the machine full, the run not: disturbed')
  // 35.8 CPU seconds of the run (1.79 cores), 36.4 of the machine (1.82): 0.03 of a core is not a disturbance.
  const nearlyOurs = curvePoint({ ...point(2, 20, [9, 11]), cpuSeconds: { api: 2, dispatcher1: 20, postgres: 13.8 }, machineCpuSeconds: 36.4 })
  t.equal(nearlyOurs.coresBusy.toFixed(2), '1.79')
  t.equal(whyFlat(nearlyOurs, 2), 'cores', 'the machine full, almost all of it the run: its own cores')
  t.equal(whyFlat(curvePoint({ ...point(2, 20, [9, 11]), machineCpuSeconds: 35 }), 2), 'not CPU')
  t.equal(whyFlat(curvePoint(point(2, 20, [9, 11])), 2), 'not CPU', 'no machine figure: only the run counts')
  // The bounds themselves, at floating-point quotients: 1.8 of 2 busy is full (SATURATED 0.9),
  // 0.2 of 2 taken by others is a disturbance (DISTURBED 0.1).
  const at = (run: number, machine: number) => whyFlat({ ...curvePoint(point(2, 20, [9, 11])), coresBusy: run, machineCoresBusy: machine }, 2)
  t.equal(at(1.7, 1.9), 'others', 'exactly a tenth of the cores to others (1.9 - 1.7 is 0.19999… in floating point)')
  t.equal(at(1.71, 1.9), 'cores', 'less than a tenth to others')
  t.equal(at(0.9 * 2, 1.8), 'cores', 'the run at exactly 0.9 of the cores')
  t.equal(at(1.5, 0.9 * 2), 'others', 'the machine at exactly 0.9 of the cores, 0.3 of it others')
  t.equal(at(1.5, 1.79), 'not CPU', 'the machine below 0.9 of the cores')
})
