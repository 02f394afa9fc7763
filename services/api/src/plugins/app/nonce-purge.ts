import type { FastifyInstance } from 'fastify'
import { purgeExpiredNonces } from '../../domain/developer-api/nonce-store.js'

// Nonces are purged this long after they expired: an instance whose clock is behind the purging
// one's must still find them while it could accept the replay.
const PURGE_GRACE_MS = 60_000

/** Deletes expired nonces now and then, so the table holds about one window of requests. */
export function purgeExpiredNoncesNowAndThen (app: FastifyInstance, windowSeconds: number): void {
  let running: Promise<void> | undefined
  const everyMs = Math.min(Math.max(windowSeconds, 1), 60) * 1000
  const timer = setInterval(() => {
    running ??= purgeExpiredNonces(app.db, new Date(Date.now() - PURGE_GRACE_MS))
      .then((count) => { if (count > 0) app.log.debug({ count }, 'expired nonces purged') })
      .catch((err: unknown) => { app.log.warn({ err }, 'purging expired nonces failed; the next run retries') })
      .finally(() => { running = undefined })
  }, everyMs)
  timer.unref()
  app.addHook('onClose', async () => {
    clearInterval(timer)
    await running
  })
}
