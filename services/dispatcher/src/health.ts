import { databaseReadiness, type Db } from '@beacon/db'
import type { Stoppable, Transport } from '@beacon/transport'
import type { Logger } from 'pino'
import { reportDependencies } from './metrics/dependencies.js'
import { outageOf, type Part } from './outage.js'
import { withinTimeout } from './within-timeout.js'

const PROBE_INTERVAL_MS = 1000
const NAMES: Record<Part, string> = { database: 'database', nats: 'NATS' }

/**
 * Whether the database and NATS are reachable, as the dispatcher last saw them. A part is marked
 * down by a step that failed for want of it (or NATS's own disconnect), and up again by a step
 * that succeeded, NATS's reconnect, or (the database) a probe every second while it is down.
 * While a part is down no command is taken: `ready()` resolves when both are up. One log line
 * when pausing, one when resuming. `check()` (a metrics scrape) asks an idle dispatcher's database.
 */
export function createHealth (db: Db, transport: Transport, log: Logger, timing: CheckTiming = CHECK_TIMING) {
  const down = new Set<Part>()
  const since = new Map<Part, number>()
  let waiters: Array<() => void> = []
  const state = { closed: false }
  let probing: Promise<void> | undefined

  const wakeAll = () => {
    const woken = waiters
    waiters = []
    for (const wake of woken) wake()
  }
  const up = (part: Part) => {
    if (!down.delete(part)) return
    since.delete(part)
    if (down.size === 0) log.info('dispatcher resumed')
    else log.info({ part: NAMES[part] }, `${NAMES[part]} reachable again`)
    wakeAll()
  }
  const readiness = databaseReadiness(db.pool, timing.timeoutMs)
  // One statement at a time: a silent database's connect may hang for minutes (the kernel's own
  // timeout), and a probe every second must not pile statements up in the pool meanwhile.
  let asking: Promise<boolean> | undefined
  /** Whether the database answers `SELECT 1` within the timeout; a refusal that is not an outage (it answered) counts. */
  const answers = (): Promise<boolean> => {
    asking ??= readiness.check().then(() => true, (error: unknown) => outageOf(error) === null && !isReadTimeout(error))
      .finally(() => { asking = undefined })
    return withinTimeout(asking, false, timing.timeoutMs)
  }
  const probeDatabase = async () => {
    while (down.has('database') && !state.closed) {
      await new Promise((resolve) => setTimeout(resolve, PROBE_INTERVAL_MS).unref())
      if (await answers()) up('database')
    }
    probing = undefined
  }
  const markDown = (part: Part) => {
    if (down.has(part) || state.closed) return
    down.add(part)
    since.set(part, Date.now())
    log.warn({ part: NAMES[part] }, `dispatcher paused: ${NAMES[part]} unreachable`)
    if (part === 'database') probing ??= probeDatabase()
  }
  // A busy dispatcher's steps find a lost database themselves (and a check would wait behind them
  // in the pool); an idle one makes no step, so a scrape asks for it, at most once per `everyMs`.
  // From an idle pool, no answer in time is a database gone silent: an outage too.
  let checking: Promise<void> | undefined
  let lastCheck = -Infinity
  const poolIdle = () => db.pool.waitingCount === 0 && db.pool.idleCount === db.pool.totalCount
  const check = async () => {
    if (checking === undefined) {
      if (down.has('database') || state.closed || !poolIdle() || performance.now() - lastCheck < timing.everyMs) return
      lastCheck = performance.now()
      checking = answers().then((answered) => { if (!answered) markDown('database') }).finally(() => { checking = undefined })
    }
    await checking
  }
  const watch: Stoppable = transport.watchConnection((connected) => { if (connected) up('nats'); else markDown('nats') })
  const isUp = (part: Part) => !down.has(part)
  const unreported = reportDependencies({ isUp, check })

  return {
    down: markDown,
    up,
    isUp,
    /** Asks the database if it is thought up and the pool idle; marks it down if it does not answer. Never rejects. */
    check,
    /** How long `part` has been down (0 while up). */
    downForMs: (part: Part) => { const at = since.get(part); return at === undefined ? 0 : Date.now() - at },
    /** Resolves when nothing is down (at once if so). */
    async ready (): Promise<void> {
      while (down.size > 0 && !state.closed) await new Promise<void>((resolve) => waiters.push(resolve))
    },
    /** Calls `listener` at the next change (a part back, or closing); the result stops listening. */
    onChange (listener: () => void): () => void {
      waiters.push(listener)
      return () => {
        const index = waiters.indexOf(listener)
        if (index !== -1) waiters.splice(index, 1)
      }
    },
    async close (): Promise<void> {
      state.closed = true
      unreported()
      wakeAll()
      await watch.stop()
    }
  }
}
export type Health = ReturnType<typeof createHealth>

/** How long a check of the database may take (the query's own timeout too), and how often a scrape may ask. */
export interface CheckTiming { timeoutMs: number, everyMs: number }
const CHECK_TIMING: CheckTiming = { timeoutMs: 2000, everyMs: 1000 }

// node-postgres's query_timeout: the statement was sent and no answer came in time.
const isReadTimeout = (error: unknown) => error instanceof Error && error.message === 'Query read timeout'
