import fp from 'fastify-plugin'
import { deleteUnlockedRows } from '../../domain/outbox/outbox.js'
import { publishedRows } from '../../domain/outbox/published-rows.js'
import { sweepOutbox } from '../../domain/outbox/sweeper.js'

declare module 'fastify' {
  interface FastifyInstance {
    outbox: {
      /** Runs a sweep soon (rows were just written for the sweeper to publish). */
      kick (): void
      /** Rows whose commands their writer published (or whose refusal it recorded): deleted with others' shortly. */
      published (ids: string[]): void
      /** How long the sweeper leaves a row to the request that wrote it (OUTBOX_PUBLISH_GRACE_MS). */
      publishGraceMs: number
    }
  }
}

export interface OutboxOptions {
  /** Pause between sweeps; a full batch goes again at once. */
  sweepIntervalMs: number
  /**
   * How long the sweeper leaves a row to the request that wrote it (which publishes it at once),
   * and how long a row whose publish failed waits for its next attempt.
   */
  publishGraceMs: number
}

const BATCH = 500

// Published rows wait this long for others to be deleted with them: at 500 sends a second, one
// statement for ~25 requests. Far below any grace the sweeper gives a row (OUTBOX_PUBLISH_GRACE_MS
// 0 too is safe: a row published twice is kept once by JetStream).
const DELETE_WINDOW_MS = 50
const DELETE_MAX_ROWS = 1000
// Beyond this many waiting (the database far slower than the sends), rows are left to the sweeper.
const DELETE_MAX_WAITING = 20_000

/**
 * The outbox sweeper every api instance runs: publishes what requests, planners and recorders
 * wrote to the outbox and did not publish themselves (NATS down, an instance killed between its
 * commit and its publish, campaign chunks), until JetStream confirms each.
 */
export default fp<OutboxOptions>(async (app, { sweepIntervalMs, publishGraceMs }) => {
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> | undefined
  let again = false

  const active = () => !stopped
  const sweep = async () => {
    while (active() && await sweepOutbox(app.db, app.transport, { batch: BATCH, retryDelayMs: publishGraceMs }, app.log) === BATCH);
  }
  const run = () => {
    clearTimeout(timer)
    if (stopped) return
    if (running !== undefined) { again = true; return }
    running = sweep()
      .catch((error: unknown) => app.log.error({ err: error }, 'outbox sweep failed; retried next round'))
      .finally(() => {
        running = undefined
        if (again) { again = false; run() } else schedule()
      })
  }
  const schedule = () => {
    if (!stopped) timer = setTimeout(run, sweepIntervalMs).unref()
  }

  const published = publishedRows({
    windowMs: DELETE_WINDOW_MS,
    maxRows: DELETE_MAX_ROWS,
    maxWaiting: DELETE_MAX_WAITING,
    remove: (ids) => deleteUnlockedRows(app.db.pool, ids),
    onError: (error, rows) => { app.log.error({ err: error, rows }, 'deleting published outbox rows failed; the sweeper publishes them again and deletes them') },
    // A publish that ends after the close began (it may take NATS's 5 s): its row is the sweeper's.
    onLeft: (rows, why) => {
      if (why === 'closed') app.log.debug({ rows }, 'published outbox rows left to the sweeper: the api is closing')
      else app.log.warn({ rows }, 'published outbox rows left to the sweeper: too many wait for their delete')
    }
  })

  app.decorate('outbox', { kick: run, published: (ids: string[]) => { published.add(ids) }, publishGraceMs })
  app.addHook('onReady', async () => { schedule() })
  // Before the pool closes (the db plugin's hook runs after this one): no published row is left.
  app.addHook('onClose', async () => {
    stopped = true
    clearTimeout(timer)
    await running
    await published.flush()
  })
}, { name: 'outbox', dependencies: ['db', 'transport'] })
