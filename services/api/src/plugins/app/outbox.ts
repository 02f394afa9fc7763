import fp from 'fastify-plugin'
import { sweepOutbox } from '../../domain/outbox/sweeper.js'

declare module 'fastify' {
  interface FastifyInstance {
    outbox: {
      /** Runs a sweep soon (rows were just written for the sweeper to publish). */
      kick (): void
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

  app.decorate('outbox', { kick: run, publishGraceMs })
  app.addHook('onReady', async () => { schedule() })
  app.addHook('onClose', async () => {
    stopped = true
    clearTimeout(timer)
    await running
  })
}, { name: 'outbox', dependencies: ['db', 'transport'] })
