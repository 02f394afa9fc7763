import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import type { ApiConfig } from '../../config.js'
import { expireMessages, resumeUnfinishedPushes, sendDuePushes } from '../../domain/in-app-fallback.js'

export interface PushFallbackOptions {
  signedApi: ApiConfig['signedApi']
  /** Accepted for symmetry with the send routes; the fallback sends ASYNCHRONOUSLY. */
  syncTimeoutMs: number
  /** Pause between rounds; a full batch goes again at once. */
  intervalMs?: number
}

const BATCH = 100
// Unfinished fallback pushes older than this are not resumed at start: too late to matter.
const RESUME_WINDOW_MS = 24 * 3600 * 1000

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

  app.addHook('onReady', async () => {
    await resumeUnfinishedPushes(app, new Date(Date.now() - RESUME_WINDOW_MS))
      .catch((error: unknown) => app.log.error({ err: error }, 'unfinished push fallbacks could not be resumed'))
    schedule()
  })
  app.addHook('onClose', async () => {
    stopped = true
    clearTimeout(timer)
    await running
  })
}, { name: 'push-fallback', dependencies: ['db', 'transport', 'callbacks'] })
