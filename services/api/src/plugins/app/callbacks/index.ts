import { createGuardedDispatcher } from '@beacon/outbound'
import type { Stoppable } from '@beacon/transport'
import fp from 'fastify-plugin'
import type { ApiConfig } from '../../../config.js'
import type { CallbackTransport } from '../../../domain/callbacks/delivery.js'
import { DeveloperShares } from '../../../domain/callbacks/developer-shares.js'
import { handle, type Sending } from './deliver.js'
import { outboxKicks } from './outbox-kicks.js'

// Keeps a slow attempt from being handed to another instance meanwhile.
const WORKING_INTERVAL_MS = 5000
// Longer, and an instance cut off from the database alone would keep what healthy ones could send.
const KEPT_AT_MOST_MS = 5 * 60_000

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
    shares: new DeveloperShares({
      limit: signedApi.callbackDeveloperConcurrency,
      total: signedApi.callbackConcurrency,
      // By then every attempt in flight has ended (CALLBACK_TIMEOUT_MS), several times over.
      maxPutOffMs: Math.max(signedApi.callbackMaxDelayMs, 4 * signedApi.callbackTimeoutMs)
    }),
    kickAfter: outboxKicks(app),
    keptAtMostMs: KEPT_AT_MOST_MS
  }

  app.addHook('onReady', async () => {
    consumer = app.transport.consumeCallbacks(async (delivery) => {
      // Keeps a copy in hand (a slow server, a wait for the pool) from being handed to another
      // instance meanwhile. A heartbeat that cannot go out (the connection closed under a stop) is
      // not worth an uncaught exception: the next one, or the redelivery, covers it.
      const keepAlive = setInterval(() => { try { delivery.working() } catch {} }, WORKING_INTERVAL_MS)
      try {
        await handle(app, sending, delivery)
      } finally {
        clearInterval(keepAlive)
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
