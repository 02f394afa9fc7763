import type { CallbackBody } from '@beacon/contracts'
import { createGuardedDispatcher } from '@beacon/outbound'
import type { Stoppable } from '@beacon/transport'
import fp from 'fastify-plugin'
import type { ApiConfig } from '../../../config.js'
import { retryDelay, type CallbackTransport } from '../../../domain/callbacks/delivery.js'
import { DeveloperShares } from '../../../domain/callbacks/developer-shares.js'
import { queueCallbacks } from '../../../domain/outbox/outbox.js'
import { deliver, type Sending } from './deliver.js'
import { outboxKicks } from './outbox-kicks.js'

declare module 'fastify' {
  interface FastifyInstance {
    callbacks: {
      /**
       * Queues a signed callback durably: written to the outbox (its sweeper, woken now, publishes
       * it even if NATS is down at this moment); a repeat of an eventId is de-duplicated.
       */
      emit (developerId: number, body: CallbackBody): Promise<void>
    }
  }
}

/**
 * Signed callbacks to developers' servers: emitted into JetStream, sent by whichever api instance
 * takes them, each developer's on at most its share of the instance's senders
 * (CALLBACK_DEVELOPER_CONCURRENCY of CALLBACK_CONCURRENCY), retried with exponential backoff until
 * accepted (2xx) or callbackMaxAttempts. A retry, and a callback put off while its developer's
 * share is full, waits in the outbox as a copy of its own, published when due.
 */
export default fp<{ signedApi: ApiConfig['signedApi'] }>(async (app, { signedApi }) => {
  const shutdown = new AbortController()
  let consumer: Stoppable | undefined
  // One keep-alive pool for every callback, each connection through the destination guard.
  const transport: CallbackTransport = {
    dispatcher: createGuardedDispatcher({ allowPrivateNetworks: signedApi.callbackPolicy.allowPrivateNetworks }),
    policy: signedApi.callbackPolicy
  }
  const sending: Sending = {
    settings: signedApi,
    shutdown: shutdown.signal,
    transport,
    shares: new DeveloperShares(signedApi.callbackDeveloperConcurrency),
    kickAfter: outboxKicks(app)
  }

  app.decorate('callbacks', {
    emit: async (developerId: number, body: CallbackBody) => {
      await queueCallbacks(app.db.pool, [{ developerId, body }])
      app.outbox.kick()
    }
  })
  app.addHook('onReady', async () => {
    consumer = app.transport.consumeCallbacks(async (delivery) => {
      try {
        await deliver(app, sending, delivery)
      } catch (error) {
        // E.g. the database is unreachable, and the outbox with it: the copy stays with JetStream,
        // handed back for later (its next delivery counts as the next attempt).
        const { callback } = delivery
        const attempt = (callback.attempts ?? 0) + delivery.deliveryCount
        app.log.error({ err: error, developerId: callback.developerId, eventId: callback.body.eventId }, 'callback attempt failed unexpectedly')
        try { delivery.retry(retryDelay(attempt, signedApi.callbackBaseDelayMs, signedApi.callbackMaxDelayMs)) } catch {}
      }
    }, { concurrency: signedApi.callbackConcurrency })
  })
  app.addHook('onClose', async () => {
    shutdown.abort()
    sending.kickAfter.cancel()
    await consumer?.stop()
    await transport.dispatcher.destroy()
  })
}, { name: 'callbacks', dependencies: ['db', 'transport', 'outbox'] })
