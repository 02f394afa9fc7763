import { databaseReadiness, type Db } from '@beacon/db'
import type { Stoppable, Transport } from '@beacon/transport'
import type { Logger } from 'pino'
import { reportDependencies } from './metrics/dependencies.js'
import { outageOf, type Part } from './outage.js'

const PROBE_INTERVAL_MS = 1000
// How long a scrape waits for its check of the database (a statement waiting for a pool
// connection in a busy dispatcher may take longer: the scrape then reports what health knows).
const CHECK_WAIT_MS = 2000
const NAMES: Record<Part, string> = { database: 'database', nats: 'NATS' }

/**
 * Whether the database and NATS are reachable, as the dispatcher last saw them. A part is marked
 * down by a step that failed for want of it (or NATS's own disconnect), and up again by a step
 * that succeeded, NATS's reconnect, or (the database) a probe every second while it is down.
 * While a part is down no command is taken: `ready()` resolves when both are up. One log line
 * when pausing, one when resuming. `check()` asks the database while it is thought up (a metrics
 * scrape does): an idle dispatcher makes no step that could fail.
 */
export function createHealth (db: Db, transport: Transport, log: Logger) {
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
  const probeDatabase = async () => {
    while (down.has('database') && !state.closed) {
      await new Promise((resolve) => setTimeout(resolve, PROBE_INTERVAL_MS).unref())
      try {
        await db.pool.query('SELECT 1')
        up('database')
      } catch {}
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
  const readiness = databaseReadiness(db.pool)
  let checking: Promise<void> | undefined
  const check = async () => {
    if (down.has('database') || state.closed) return
    // Only an outage pauses the dispatcher; a slow answer (a busy pool, query_timeout) does not.
    checking ??= readiness.check().then(() => {}, (error: unknown) => { if (outageOf(error) === 'database') markDown('database') })
      .finally(() => { checking = undefined })
    let timer: NodeJS.Timeout | undefined
    await Promise.race([checking, new Promise((resolve) => { timer = setTimeout(resolve, CHECK_WAIT_MS).unref() })])
    clearTimeout(timer)
  }
  const watch: Stoppable = transport.watchConnection((connected) => { if (connected) up('nats'); else markDown('nats') })
  const isUp = (part: Part) => !down.has(part)
  const unreported = reportDependencies({ isUp, check })

  return {
    down: markDown,
    up,
    isUp,
    /** Asks the database if it is thought up; marks it down if it is unreachable. Never rejects. */
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
