import type { Stoppable } from '@beacon/transport'
import fp from 'fastify-plugin'
import { recordResults } from '../../domain/delivery-records.js'

/**
 * Consumes delivery results from the dispatchers and records them. Every api instance runs one;
 * they share a durable consumer, so each result is recorded by exactly one of them.
 */
export default fp(async (app) => {
  let consumer: Stoppable | undefined
  app.addHook('onReady', async () => {
    consumer = app.transport.consumeResults(async (events) => {
      await recordResults(app.db, events)
    }, { maxBatch: 500 })
  })
  app.addHook('onClose', async () => { await consumer?.stop() })
}, { name: 'result-recorder', dependencies: ['db', 'transport'] })
