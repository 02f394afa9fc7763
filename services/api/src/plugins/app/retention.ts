import fp from 'fastify-plugin'
import type { RetentionSettings } from '../../config.js'
import { purgeFinishedRecords, tally, type Purged } from '../../domain/retention/purge.js'
import { countPurged, startCountingPurged } from '../../metrics/records-purged.js'

const BATCH = 1000
// Between two full batches: a backlog of millions (retention just enabled) goes at most ~20
// statements a second, leaving the database to the sends and its replicas time to follow.
const PAUSE_MS = 50
const DAY_MS = 86_400_000

/**
 * Deletes finished records older than RETENTION_DAYS on every api instance (they share the work:
 * purge.ts), once at start and then every RETENTION_SWEEP_INTERVAL_MS. Off with 0 days, the
 * default: nothing is deleted.
 */
export default fp<RetentionSettings>(async (app, { days, sweepIntervalMs }) => {
  if (days === 0) return
  startCountingPurged()
  let closing = false
  let running: Promise<void> | undefined
  const round = async () => {
    // Its own tally, told as each statement ends: a round that fails still says what it deleted.
    const purged: Purged = { messages: 0, callbacks: 0 }
    try {
      await purgeFinishedRecords(app.db, {
        before: new Date(Date.now() - days * DAY_MS),
        batch: BATCH,
        pauseMs: PAUSE_MS,
        active: () => !closing,
        onDeleted: (record, count) => {
          countPurged(record, count)
          tally(purged, record, count)
        }
      })
      if (purged.messages + purged.callbacks > 0) app.log.info({ ...purged, retentionDays: days }, 'finished records past their retention deleted')
    } catch (err) {
      app.log.warn({ err, deletedBefore: purged, retentionDays: days }, 'deleting records past their retention failed; the next round retries')
    }
  }
  const start = () => { if (!closing) running ??= round().finally(() => { running = undefined }) }
  const timer = setInterval(start, sweepIntervalMs).unref()
  // A first round at start: instances restarted more often than the interval would never purge.
  app.addHook('onReady', async () => { setImmediate(start) })
  app.addHook('onClose', async () => {
    closing = true
    clearInterval(timer)
    await running
  })
}, { name: 'retention', dependencies: ['db'] })
