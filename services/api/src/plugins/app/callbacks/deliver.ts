import type { CallbackDelivery } from '@beacon/transport'
import type { FastifyInstance } from 'fastify'
import type { ApiConfig } from '../../../config.js'
import { queueCallbackCopy } from '../../../domain/callbacks/copies.js'
import { postCallback, retryDelay, type AttemptOutcome, type CallbackTarget, type CallbackTransport } from '../../../domain/callbacks/delivery.js'
import type { DeveloperShares } from '../../../domain/callbacks/developer-shares.js'
import { recordCallbackAttempt, type CallbackAttempt } from '../../../domain/callbacks/records.js'
import { countCallback } from '../../../metrics/callbacks.js'
import type { OutboxKicks } from './outbox-kicks.js'

/** What every callback attempt of an instance shares. */
export interface Sending {
  settings: ApiConfig['signedApi']
  /** Aborted when the api closes: attempts in flight end. */
  shutdown: AbortSignal
  transport: CallbackTransport
  shares: DeveloperShares
  kickAfter: OutboxKicks
}

// Keeps a slow attempt from being handed to another instance meanwhile.
const WORKING_INTERVAL_MS = 5000

interface TargetRow {
  key: string | null
  secret: Buffer | null
  callbackUrl: string | null
  enabled: boolean | null
  /** The callback's record: null when it has none (queued before the record existed). */
  status: string | null
  copyId: string | null
}
// The developer, loaded per attempt: a rotated secret signs from the next attempt on, a disabled
// developer stops. With the callback's record, which says whether this copy is still the live one.
// A named statement through the pool (through Prisma it cost several times the CPU, per callback).
const CALLBACK_TARGET = {
  name: 'beacon-callback-target',
  text: `SELECT d.key, d.secret, d.callback_url AS "callbackUrl", d.enabled, c.status, c.copy_id::text AS "copyId"
           FROM (SELECT $1::int AS developer_id, $2::text AS event_id) AS wanted
           LEFT JOIN developer d ON d.id = wanted.developer_id
           LEFT JOIN callback_delivery c ON c.developer_id = wanted.developer_id AND c.event_id = wanted.event_id`
}

/** Handles one delivery of a callback copy: drops it, puts it off, or makes an attempt and settles it. */
export async function deliver (app: FastifyInstance, sending: Sending, delivery: CallbackDelivery): Promise<void> {
  const { callback } = delivery
  const { developerId, body } = callback
  const context = { developerId, eventId: body.eventId, event: body.event }
  const { rows: [row] } = await app.db.pool.query<TargetRow>({ ...CALLBACK_TARGET, values: [developerId, body.eventId] })
  const target = row!
  if (target.status !== null && (target.status !== 'PENDING' || target.copyId !== (callback.copy ?? null))) {
    // Delivered again after its next copy was queued, or after the callback ended.
    app.log.debug({ ...context, copy: callback.copy }, 'callback copy dropped: the callback went on without it')
    await delivery.drop()
    return
  }
  if (target.key === null || target.enabled !== true || target.callbackUrl === null || target.secret === null) {
    app.log.info(context, 'callback dropped: the developer is gone, disabled or has no callback URL')
    await delivery.drop()
    const why = target.key === null ? 'DeveloperGone' : target.enabled !== true ? 'DeveloperDisabled' : 'NoCallbackUrl'
    await record(app, delivery, { kind: 'dropped', lastError: why })
    return
  }
  // This delivery's attempt: the copies' before it, and this copy's deliveries (one that outlived
  // its acknowledgement wait, its instance gone, made an attempt too).
  const attempt = (callback.attempts ?? 0) + delivery.deliveryCount
  if (!sending.shares.take(developerId)) {
    await putOff(app, sending, delivery, attempt - 1)
    return
  }
  const started = performance.now()
  let outcome: AttemptOutcome
  try {
    // A secret that does not open here (DB_SECRET_UNREADABLE: moved from another row, another
    // MASTER_KEY) throws: logged with its code by the consumer's handler and retried.
    const secret = app.secrets.open({ column: 'developer.secret', rowId: developerId }, target.secret)
    outcome = await post(delivery, { callbackUrl: target.callbackUrl, key: target.key, secret }, sending)
  } finally {
    sending.shares.release(developerId, performance.now() - started)
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
    await record(app, delivery, { kind: 'delivered', attempts: attempt, lastStatus: outcome.status })
    return
  }
  await retryOrGiveUp(app, sending, delivery, attempt, 'status' in outcome ? { lastStatus: outcome.status } : { lastError: outcome.error })
}

/** One POST, with a heartbeat to JetStream while it waits, ended by its timeout or the api's shutdown. */
async function post (delivery: CallbackDelivery, target: CallbackTarget, { settings, shutdown, transport }: Sending): Promise<AttemptOutcome> {
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
  try {
    return await postCallback(target, delivery.callback.body, attempt.signal, transport)
  } finally {
    clearInterval(keepAlive)
    clearTimeout(timeout)
    shutdown.removeEventListener('abort', abort)
  }
}

/**
 * Puts a callback off, unattempted, while its developer holds its whole share of the senders:
 * queued again for when the share should have room, and this copy acknowledged.
 */
async function putOff (app: FastifyInstance, sending: Sending, delivery: CallbackDelivery, attempts: number) {
  const { developerId, body } = delivery.callback
  const delayMs = sending.shares.putOff(developerId)
  if (await queueCallbackCopy(app.db.pool, delivery.callback, { attempts, delayMs })) {
    app.log.debug({ developerId, eventId: body.eventId, delayMs }, 'callback put off: its developer holds its share of the senders')
    await delivery.ack()
    countCallback('put_off')
    sending.kickAfter(delayMs)
  } else {
    await delivery.drop()
  }
}

async function retryOrGiveUp (
  app: FastifyInstance, sending: Sending, delivery: CallbackDelivery, attempt: number, last: { lastStatus: number } | { lastError: string }
) {
  const { settings } = sending
  const { developerId, body } = delivery.callback
  const context = { developerId, eventId: body.eventId, event: body.event }
  if (attempt >= settings.callbackMaxAttempts) {
    app.log.warn({ ...context, attempts: attempt, ...last }, 'callback given up after the last attempt')
    await delivery.drop()
    countCallback('given_up')
    await record(app, delivery, { kind: 'given-up', attempts: attempt, ...last })
    return
  }
  const retryInMs = retryDelay(attempt, settings.callbackBaseDelayMs, settings.callbackMaxDelayMs)
  // The retry and the record of this attempt in one statement; then this copy is acknowledged.
  if (await queueCallbackCopy(app.db.pool, delivery.callback, { attempts: attempt, delayMs: retryInMs, failed: last })) {
    app.log.debug({ ...context, attempt, ...last, retryInMs }, 'callback attempt failed; retried')
    await delivery.ack()
    countCallback('retried')
    sending.kickAfter(retryInMs)
  } else {
    await delivery.drop()
  }
}

/**
 * Records what an attempt came to, after the callback was acknowledged or dropped: the record is
 * bookkeeping, and its failure must neither send the callback again nor stop its retries.
 */
async function record (app: FastifyInstance, delivery: CallbackDelivery, attempt: CallbackAttempt): Promise<void> {
  const { developerId, body } = delivery.callback
  await recordCallbackAttempt(app.db.pool, { developerId, eventId: body.eventId }, attempt).catch((error: unknown) => {
    app.log.warn({ err: error, developerId, eventId: body.eventId }, 'callback outcome not recorded')
  })
}
