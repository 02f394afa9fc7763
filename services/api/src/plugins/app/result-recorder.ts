import type { Stoppable } from '@beacon/transport'
import fp from 'fastify-plugin'
import { recordResults } from '../../domain/results/delivery-records.js'
import { queueCallbacks } from '../../domain/outbox/outbox.js'
import { pushOutcomeCallbacks } from '../../domain/callbacks/push-outcomes.js'
import { countRecordedOutcomes } from '../../metrics/results-recorded.js'

/**
 * Consumes delivery results from the dispatchers and records them. Every api instance runs one;
 * they share a durable consumer, so each result is recorded by exactly one of them. A complete push
 * fallback of an in-app message is then reported to its developer (push.sent / push.failed, through
 * the outbox): if that fails the batch is redelivered, recording is idempotent and the callbacks'
 * eventIds dedupe.
 */
export default fp<{ spacingMs: number }>(async (app, { spacingMs }) => {
  let consumer: Stoppable | undefined
  app.addHook('onReady', async () => {
    consumer = app.transport.consumeResults(async (events) => {
      const recorded = await recordResults(app.db, events, (error) => {
        app.log.error({ err: error }, 'registrations called invalid not deleted; the provider says so again at their next send')
      })
      countRecordedOutcomes(recorded.written)
      if (recorded.inAppComplete.length === 0) return
      const callbacks = await pushOutcomeCallbacks(app.db, recorded.inAppComplete)
      await queueCallbacks(app.db.pool, callbacks.map(({ developerId, body }) => ({ developerId, body })))
      app.outbox.kick()
      // NATS messages per batch: each carries up to 500 device results, so at most 10,000 results
      // (one UPDATE) at a time, whatever backlog a large campaign builds. While busy, batches start
      // RESULTS_BATCH_SPACING_MS apart, so that what arrives meanwhile shares one statement.
    }, { maxBatch: 20, spacingMs })
  })
  app.addHook('onClose', async () => { await consumer?.stop() })
}, { name: 'result-recorder', dependencies: ['db', 'transport', 'callbacks', 'outbox'] })
