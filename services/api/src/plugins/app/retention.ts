import fp from 'fastify-plugin'
import type { RetentionSettings } from '../../config.js'
import { purgeFinishedRecords } from '../../domain/retention/purge.js'
import { countPurged } from '../../metrics/records-purged.js'

const BATCH = 1000
const DAY_MS = 86_400_000

/**
 * Deletes finished records older than RETENTION_DAYS, every RETENTION_SWEEP_INTERVAL_MS, on every
 * api instance (they share the work: purge.ts). Off with 0 days, the default: nothing is deleted.
 */
export default fp<RetentionSettings>(async (app, { days, sweepIntervalMs }) => {
  if (days === 0) return
  let closing = false
  let running: Promise<void> | undefined
  const round = async () => {
    const purged = await purgeFinishedRecords(app.db, { before: new Date(Date.now() - days * DAY_MS), batch: BATCH, active: () => !closing })
    countPurged(purged)
    if (purged.messages + purged.callbacks > 0) app.log.info({ ...purged, retentionDays: days }, 'finished records past their retention deleted')
  }
  const timer = setInterval(() => {
    running ??= round()
      .catch((err: unknown) => { app.log.warn({ err }, 'deleting records past their retention failed; the next round retries') })
      .finally(() => { running = undefined })
  }, sweepIntervalMs)
  timer.unref()
  app.addHook('onClose', async () => {
    closing = true
    clearInterval(timer)
    await running
  })
}, { name: 'retention', dependencies: ['db'] })
