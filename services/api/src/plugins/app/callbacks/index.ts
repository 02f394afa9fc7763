import type { CallbackBody } from '@beacon/contracts'
import { createGuardedDispatcher } from '@beacon/outbound'
import type { CallbackDelivery, Stoppable } from '@beacon/transport'
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import type { ApiConfig } from '../../config.js'
import { postCallback, retryDelay, type AttemptOutcome, type CallbackTransport } from '../../domain/callbacks/delivery.js'
import { recordCallbackAttempt, type CallbackAttempt } from '../../domain/callbacks/records.js'
import { queueCallbacks } from '../../domain/outbox/outbox.js'
import { countCallback } from '../../metrics/callbacks.js'

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

type CallbackSettings = ApiConfig['signedApi']

const CONCURRENCY = 16
// Keeps a slow attempt from being handed to another instance meanwhile.
const WORKING_INTERVAL_MS = 5000

/**
 * Signed callbacks to developers' servers: emitted into JetStream, sent by whichever api instance
 * takes them, retried with exponential backoff until accepted (2xx) or callbackMaxAttempts.
 */
export default fp<{ signedApi: CallbackSettings }>(async (app, { signedApi }) => {
  const shutdown = new AbortController()
  let consumer: Stoppable | undefined
  // One keep-alive pool for every callback, each connection through the destination guard.
  const transport: CallbackTransport = {
    dispatcher: createGuardedDispatcher({ allowPrivateNetworks: signedApi.callbackPolicy.allowPrivateNetworks }),
    policy: signedApi.callbackPolicy
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
        await deliver(app, signedApi, delivery, shutdown.signal, transport)
      } catch (error) {
        // E.g. the database is unreachable: counted as an attempt like any other failure.
        app.log.error({ err: error, eventId: delivery.callback.body.eventId }, 'callback attempt failed unexpectedly')
        await retryOrGiveUp(app, signedApi, delivery, { lastError: 'InternalError' }).catch(() => {})
      }
    }, { concurrency: CONCURRENCY })
  })
  app.addHook('onClose', async () => {
    shutdown.abort()
    await consumer?.stop()
    await transport.dispatcher.destroy()
  })
}, { name: 'callbacks', dependencies: ['db', 'transport', 'outbox'] })

interface CallbackDeveloper { key: string, secret: Buffer, callbackUrl: string | null, enabled: boolean }
const CALLBACK_DEVELOPER = {
  name: 'beacon-callback-developer',
  text: 'SELECT key, secret, callback_url AS "callbackUrl", enabled FROM developer WHERE id = $1'
}

async function deliver (
  app: FastifyInstance, settings: CallbackSettings, delivery: CallbackDelivery, shutdown: AbortSignal, transport: CallbackTransport
) {
  const { developerId, body } = delivery.callback
  const context = { developerId, eventId: body.eventId, event: body.event }
  // Loaded per attempt: a rotated secret signs from the next attempt on, a disabled developer stops.
  // A named statement through the pool (through Prisma it cost several times the CPU, per callback).
  const { rows: [developer] } = await app.db.pool.query<CallbackDeveloper>({ ...CALLBACK_DEVELOPER, values: [developerId] })
  if (developer === undefined || !developer.enabled || developer.callbackUrl === null) {
    app.log.info(context, 'callback dropped: the developer is gone, disabled or has no callback URL')
    await delivery.drop()
    const why = developer === undefined ? 'DeveloperGone' : !developer.enabled ? 'DeveloperDisabled' : 'NoCallbackUrl'
    await record(app, delivery, { kind: 'dropped', lastError: why })
    return
  }
  // A secret that does not open here (DB_SECRET_UNREADABLE: moved from another row, another
  // MASTER_KEY) throws: logged with its code by the caller and retried like any failed attempt.
  const secret = app.secrets.open({ column: 'developer.secret', rowId: developerId }, developer.secret)
  const target = { callbackUrl: developer.callbackUrl, key: developer.key, secret }
  // A heartbeat that cannot go out (the connection closed under a stop) is not worth an uncaught
  // exception, which would end the process: the next one, or the redelivery, covers it.
  const keepAlive = setInterval(() => { try { delivery.working() } catch {} }, WORKING_INTERVAL_MS)
  // The attempt's own signal, aborted by its timeout or the api's shutdown, and unlinked from
  // the shutdown after: on Node 20 AbortSignal.any would leave an entry per callback on it.
  const attempt = new AbortController()
  const abort = () => { attempt.abort(shutdown.reason) }
  // The reason AbortSignal.timeout gives, so that the attempt is reported as a TimeoutError.
  const timeout = setTimeout(() => { attempt.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')) }, settings.callbackTimeoutMs)
  if (shutdown.aborted) abort()
  else shutdown.addEventListener('abort', abort, { once: true })
  let outcome: AttemptOutcome
  try {
    outcome = await postCallback(target, body, attempt.signal, transport)
  } finally {
    clearInterval(keepAlive)
    clearTimeout(timeout)
    shutdown.removeEventListener('abort', abort)
  }
  // The host and the address it resolved to, never the URL's path or query (they may carry a token).
  if ('refused' in outcome && outcome.refused !== undefined) {
    app.log.warn({ ...context, ...outcome.refused }, 'callback destination refused: not a public address')
  } else if ('error' in outcome && outcome.error === 'InsecureCallbackUrl') {
    app.log.warn(context, 'callback refused: its URL is not https')
  }
  if (outcome.ok) {
    await delivery.ack()
    countCallback('sent')
    await record(app, delivery, { kind: 'delivered', attempts: delivery.deliveryCount, lastStatus: outcome.status })
    return
  }
  await retryOrGiveUp(app, settings, delivery, 'status' in outcome ? { lastStatus: outcome.status } : { lastError: outcome.error })
}

async function retryOrGiveUp (
  app: FastifyInstance, settings: CallbackSettings, delivery: CallbackDelivery, last: { lastStatus: number } | { lastError: string }
) {
  const { developerId, body } = delivery.callback
  const context = { developerId, eventId: body.eventId, event: body.event }
  if (delivery.deliveryCount >= settings.callbackMaxAttempts) {
    app.log.warn({ ...context, attempts: delivery.deliveryCount, ...last }, 'callback given up after the last attempt')
    await delivery.drop()
    countCallback('given_up')
    await record(app, delivery, { kind: 'given-up', attempts: delivery.deliveryCount, ...last })
    return
  }
  const retryInMs = retryDelay(delivery.deliveryCount, settings.callbackBaseDelayMs, settings.callbackMaxDelayMs)
  app.log.debug({ ...context, attempt: delivery.deliveryCount, ...last, retryInMs }, 'callback attempt failed; retried')
  delivery.retry(retryInMs)
  countCallback('retried')
  await record(app, delivery, { kind: 'retried', attempts: delivery.deliveryCount, ...last })
}

/**
 * Records what an attempt came to, after the callback was acknowledged, retried or dropped: the
 * record is bookkeeping, and its failure must neither send the callback again nor stop its retries.
 */
async function record (app: FastifyInstance, delivery: CallbackDelivery, attempt: CallbackAttempt): Promise<void> {
  const { developerId, body } = delivery.callback
  await recordCallbackAttempt(app.db.pool, { developerId, eventId: body.eventId }, attempt).catch((error: unknown) => {
    app.log.warn({ err: error, developerId, eventId: body.eventId }, 'callback outcome not recorded')
  })
}
