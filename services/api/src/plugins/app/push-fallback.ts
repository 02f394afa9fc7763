import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import type { ApiConfig } from '../../config.js'
import { expireMessages, sendDuePushes } from '../../domain/in-app/fallback.js'

export interface PushFallbackOptions {
  signedApi: ApiConfig['signedApi']
  /** Accepted for symmetry with the send routes; the fallback sends ASYNCHRONOUSLY. */
  syncTimeoutMs: number
  /** Pause between rounds; a full batch goes again at once. */
  intervalMs?: number
}

const BATCH = 100

/** One round: overdue acknowledgements go out as push, then lifetimes that ended are reported. */
async function round (app: FastifyInstance, stopped: () => boolean): Promise<void> {
  while (!stopped() && await sendDuePushes(app, BATCH) === BATCH);
  while (!stopped() && await expireMessages(app, BATCH) === BATCH);
}

/**
 * The in-app channel's fallback and expiry, polled by every api instance: each round claims its
 * rows with FOR UPDATE SKIP LOCKED, so the instances share the work and never do a row twice.
 */
export default fp<PushFallbackOptions>(async (app, { intervalMs = 300 }) => {
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> = Promise.resolve()

  const schedule = () => {
    if (stopped) return
    timer = setTimeout(() => {
      running = round(app, () => stopped)
        .catch((error: unknown) => app.log.error({ err: error }, 'in-app push fallback round failed; retried next round'))
        .finally(schedule)
    }, intervalMs).unref()
  }

  // Nothing to resume at start: a claimed fallback's command is in the outbox until published.
  app.addHook('onReady', async () => { schedule() })
  app.addHook('onClose', async () => {
    stopped = true
    clearTimeout(timer)
    await running
  })
}, { name: 'push-fallback', dependencies: ['db', 'transport', 'callbacks', 'outbox'] })
