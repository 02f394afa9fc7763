import { natsNames } from '@beacon/contracts'
import { untilWorkQueueSettled, type WorkQueueState } from '@beacon/testkit'
import type { FastifyInstance } from 'fastify'
import type { ApiConfig } from '../src/config.js'

/**
 * Waits until every callback queued so far is finished: none left in the outbox (each published)
 * and none left in the callback stream (each accepted, given up or dropped, none waiting for a
 * retry). No attempt can follow, so what a receiver got by then is all it will ever get: compare
 * the whole list. The outbox is read first: a row is deleted only once its callback is in the
 * stream. `deliveries` is how many attempts the api instances made in all.
 */
export async function callbacksSettled (app: FastifyInstance, config: ApiConfig, timeoutMs = 20_000): Promise<WorkQueueState> {
  const deadline = Date.now() + timeoutMs
  while (await app.db.outbox.count({ where: { kind: 'callback' } }) > 0) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the outbox to publish the callbacks')
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  const names = natsNames(config.nats.prefix)
  return await untilWorkQueueSettled({ stream: names.callbackStream, consumer: names.callbackConsumer, servers: config.nats.url },
    Math.max(deadline - Date.now(), 1000))
}
