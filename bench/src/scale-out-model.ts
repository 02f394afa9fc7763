// The scale-out curve (the campaign with 1, 2, 4… dispatchers) and a projection for N cores from
// the measured CPU per notification. Pure, tested with made-up figures (test/scale-out-model.test.ts).
//
// The model. A campaign is CPU-bound: every notification costs a fixed amount of CPU in each
// process (the api, the dispatchers, PostgreSQL, NATS), and the rate is the cores it gets divided
// by that cost: rate(N) ≈ N × 1e6 / (µs of all of Beacon's processes per notification). On this
// machine the provider mocks take their share of the same cores too, which is why `coresBusy`
// (CPU seconds of every process ÷ wall seconds) is printed beside each point: once it reaches the
// cores, a further dispatcher only shares the same CPU and the curve flattens.
// The projection assumes the providers run elsewhere (as in production) and enough dispatchers
// to use the cores (one process each, one JS thread: `dispatchersNeeded`), and bounds the rate by
// the processes that do not scale out: the one api process (one JS thread, so 1e6 / its µs) and
// the one PostgreSQL server, held conservatively to one core's worth (its backends can use more
// cores, but every outcome commit goes through its one WAL): past that bound the projection
// says PostgreSQL, not the dispatchers, is what to measure next.

export type ProcessKind = 'api' | 'dispatchers' | 'postgres' | 'nats' | 'mocks'
const kinds: ProcessKind[] = ['api', 'dispatchers', 'postgres', 'nats', 'mocks']

/** The CPU group names of the campaign scenario, by kind. */
export function kindOf (name: string): ProcessKind | undefined {
  if (name === 'api' || name === 'postgres' || name === 'nats') return name
  if (/^dispatcher\d*$/.test(name)) return 'dispatchers'
  if (name.startsWith('bench')) return 'mocks'
  return undefined
}

export interface CampaignPoint {
  dispatchers: number
  users: number
  seconds: number
  notificationsPerSecond: number
  cpuSeconds: Record<string, number>
  /** Every process of the machine, anyone's (/proc/stat). */
  machineCpuSeconds?: number
}

export interface CurvePoint {
  dispatchers: number
  notificationsPerSecond: number
  /** µs of CPU per notification by kind of process (the dispatchers summed). */
  microseconds: Record<ProcessKind, number>
  /** api + dispatchers + PostgreSQL + NATS. */
  beaconMicroseconds: number
  /** CPU seconds of every measured process ÷ wall seconds: how many cores the run kept busy. */
  coresBusy: number
  /** The same for the whole machine: above `coresBusy` when something else ran at the same time. */
  machineCoresBusy: number | undefined
}

export function curvePoint (run: CampaignPoint): CurvePoint {
  const microseconds = Object.fromEntries(kinds.map((kind) => [kind, 0])) as Record<ProcessKind, number>
  let allSeconds = 0
  for (const [name, used] of Object.entries(run.cpuSeconds)) {
    allSeconds += used
    const kind = kindOf(name)
    if (kind !== undefined) microseconds[kind] += used * 1e6 / run.users
  }
  const beaconMicroseconds = microseconds.api + microseconds.dispatchers + microseconds.postgres + microseconds.nats
  return {
    dispatchers: run.dispatchers,
    notificationsPerSecond: run.notificationsPerSecond,
    microseconds,
    beaconMicroseconds,
    coresBusy: allSeconds / run.seconds,
    machineCoresBusy: run.machineCpuSeconds === undefined ? undefined : run.machineCpuSeconds / run.seconds
  }
}

/**
 * Where the curve stops rising: the first point after which one more step of dispatchers adds
 * less than `minimumGain` (10%) of rate; undefined while every step still adds.
 */
export function flattening (curve: CurvePoint[], minimumGain = 0.1): CurvePoint | undefined {
  const sorted = [...curve].sort((a, b) => a.dispatchers - b.dispatchers)
  for (let i = 0; i + 1 < sorted.length; i++) {
    if (sorted[i + 1]!.notificationsPerSecond < sorted[i]!.notificationsPerSecond * (1 + minimumGain)) return sorted[i]
  }
  return undefined
}

/** Cores at least this busy count as full: /proc's 10 ms ticks and start-up gaps keep a saturated run just under 100%. */
export const SATURATED = 0.9

/** Other processes count as disturbing a run from this share of the cores on: less is the machine's own noise. */
export const DISTURBED = 0.1

/**
 * Why the curve stops rising at `point`: the measured processes filled the cores ('cores'); the
 * machine was full with a real share of processes not of the run ('others': the figures are
 * disturbed); or the cores were not full ('not CPU': waits bound it, a lock or a round trip).
 * A full machine whose other processes took less than DISTURBED is the run's own: 1.79 cores
 * of the run and 1.82 of the machine had been called disturbed, for 0.03 of a core.
 */
export function whyFlat (point: CurvePoint, cores: number): 'cores' | 'others' | 'not CPU' {
  // Core counts are quotients of CPU seconds: compare with a margin, or 1.9 - 1.7 misses 0.2.
  const atLeast = (value: number, bound: number) => value >= bound - 1e-9
  if (atLeast(point.coresBusy, SATURATED * cores)) return 'cores'
  const machine = point.machineCoresBusy ?? 0
  if (!atLeast(machine, SATURATED * cores)) return 'not CPU'
  return atLeast(machine - point.coresBusy, DISTURBED * cores) ? 'others' : 'cores'
}

export type Limit = 'cores' | 'api (one process)' | 'PostgreSQL (one core)'
export interface Projection { cores: number, notificationsPerSecond: number, limitedBy: Limit, dispatchersNeeded: number }

/** rate(N) for each N of `cores`, from the costs of one point (the model above). */
export function project (costs: CurvePoint, cores: number[]): Projection[] {
  const { api, dispatchers, postgres } = costs.microseconds
  const bounds: Array<[Limit, number]> = [['api (one process)', 1e6 / api], ['PostgreSQL (one core)', 1e6 / postgres]]
  return cores.map((n) => {
    let best: [Limit, number] = ['cores', n * 1e6 / costs.beaconMicroseconds]
    for (const bound of bounds) if (bound[1] < best[1]) best = bound
    const rate = Math.round(best[1])
    return { cores: n, notificationsPerSecond: rate, limitedBy: best[0], dispatchersNeeded: Math.max(1, Math.ceil(rate * dispatchers / 1e6)) }
  })
}

/**
 * The costs to project from: the point where Beacon's own processes spent the least per
 * notification, i.e. the one least inflated by processes waiting on each other for the cores.
 */
export function cheapest (curve: CurvePoint[]): CurvePoint {
  if (curve.length === 0) throw new Error('no campaign measured')
  return curve.reduce((a, b) => b.beaconMicroseconds < a.beaconMicroseconds ? b : a)
}
