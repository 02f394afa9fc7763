import { natsNames } from '@beacon/contracts'
import { untilWorkQueueSettled, type WorkQueueState } from '@beacon/testkit'
import type { FastifyInstance } from 'fastify'
import type { ApiConfig } from '../src/config.js'

/**
 * Waits until every callback queued so far is finished: none left in the outbox (each published,
 * no retry waiting there for its time) and none left in the callback stream (each accepted, given
 * up or dropped). No attempt can follow, so what a receiver got by then is all it will ever get:
 * compare the whole list. The outbox is read again once the stream has settled: a failed attempt
 * queues its retry there before its copy in the stream is acknowledged. `deliveries` is how many
 * deliveries the api instances took in all (attempts, and copies dropped or put off).
 */
export async function callbacksSettled (app: FastifyInstance, config: ApiConfig, timeoutMs = 20_000): Promise<WorkQueueState> {
  const deadline = Date.now() + timeoutMs
  const names = natsNames(config.nats.prefix)
  const outboxEmpty = async () => await app.db.outbox.count({ where: { kind: 'callback' } }) === 0
  for (;;) {
    while (!await outboxEmpty()) {
      if (Date.now() > deadline) throw new Error('timed out waiting for the outbox to publish the callbacks')
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
    const state = await untilWorkQueueSettled({ stream: names.callbackStream, consumer: names.callbackConsumer, servers: config.nats.url },
      Math.max(deadline - Date.now(), 1000))
    if (await outboxEmpty()) return state
  }
}
