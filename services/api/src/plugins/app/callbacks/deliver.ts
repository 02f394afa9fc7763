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

/**
 * Handles one delivery of a callback copy: puts it off while its developer holds its share of the
 * senders, drops it when the callback went on without it, or makes an attempt and settles it.
 */
export async function deliver (app: FastifyInstance, sending: Sending, delivery: CallbackDelivery): Promise<void> {
  const { developerId } = delivery.callback
  // This delivery's attempt: the copies' before it, and this copy's deliveries (one that outlived
  // its acknowledgement wait, its instance gone, made an attempt too).
  const attempt = attemptOf(delivery)
  // Before any statement: a backlog behind a hanging server costs one statement per callback put
  // off (which also finds a copy left behind), not two.
  const sender = sending.shares.take(developerId)
  if (sender === undefined) {
    await putOff(app, sending, delivery, attempt - 1)
    return
  }
  try {
    await attemptOnce(app, sending, delivery, attempt)
  } finally {
    sending.shares.release(sender)
  }
}

async function attemptOnce (app: FastifyInstance, sending: Sending, delivery: CallbackDelivery, attempt: number) {
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
  // Past the last attempt only by deliveries JetStream handed back while the database was down.
  if (attempt > sending.settings.callbackMaxAttempts) {
    await giveUp(app, delivery, attempt - 1, { lastError: 'InternalError' })
    return
  }
  // A secret that does not open here (DB_SECRET_UNREADABLE: moved from another row, another
  // MASTER_KEY) throws: logged with its code by settleUnexpected, and counted as an attempt.
  const secret = app.secrets.open({ column: 'developer.secret', rowId: developerId }, target.secret)
  const outcome = await post(delivery, { callbackUrl: target.callbackUrl, key: target.key, secret }, sending)
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

/**
 * Settles a delivery whose handling failed unexpectedly (a secret that does not open, a statement
 * that failed): an attempt like any other, retried through the outbox or given up after the last.
 * Only when that fails too (the database is unreachable) is the copy handed back to JetStream,
 * never given up unrecorded: a later delivery settles it once the database answers.
 */
export async function settleUnexpected (app: FastifyInstance, sending: Sending, delivery: CallbackDelivery, error: unknown): Promise<void> {
  const { developerId, body } = delivery.callback
  const attempt = attemptOf(delivery)
  app.log.error({ err: error, developerId, eventId: body.eventId, attempt }, 'callback attempt failed unexpectedly')
  const { callbackBaseDelayMs, callbackMaxDelayMs } = sending.settings
  try {
    await retryOrGiveUp(app, sending, delivery, attempt, { lastError: 'InternalError' }, { recordFirst: true })
  } catch (failure) {
    app.log.warn({ err: failure, developerId, eventId: body.eventId }, 'callback handed back to JetStream: its outcome could not be written')
    try { delivery.retry(retryDelay(attempt, callbackBaseDelayMs, callbackMaxDelayMs)) } catch {}
  }
}

// The contract's bound on a copy's attempts: far above CALLBACK_MAX_ATTEMPTS (100 at most), reached
// only by deliveries JetStream handed back while the database was unreachable.
const MOST_ATTEMPTS = 1000
const attemptOf = (delivery: CallbackDelivery) => Math.min((delivery.callback.attempts ?? 0) + delivery.deliveryCount, MOST_ATTEMPTS)

/** One POST, ended by its timeout or the api's shutdown. */
async function post (delivery: CallbackDelivery, target: CallbackTarget, { settings, shutdown, transport }: Sending): Promise<AttemptOutcome> {
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

/**
 * After a failed attempt: the retry queued through the outbox, or, after the last attempt, the
 * callback given up. `recordFirst`: the give-up is recorded before the copy is dropped, and throws
 * when it cannot be (the failure handled may be the database's).
 */
async function retryOrGiveUp (
  app: FastifyInstance, sending: Sending, delivery: CallbackDelivery, attempt: number,
  last: { lastStatus: number } | { lastError: string }, { recordFirst = false } = {}
) {
  const { settings } = sending
  const { developerId, body } = delivery.callback
  if (attempt >= settings.callbackMaxAttempts) {
    await giveUp(app, delivery, attempt, last, recordFirst)
    return
  }
  const retryInMs = retryDelay(attempt, settings.callbackBaseDelayMs, settings.callbackMaxDelayMs)
  // The retry and the record of this attempt in one statement; then this copy is acknowledged.
  if (await queueCallbackCopy(app.db.pool, delivery.callback, { attempts: attempt, delayMs: retryInMs, failed: last })) {
    app.log.debug({ developerId, eventId: body.eventId, event: body.event, attempt, ...last, retryInMs }, 'callback attempt failed; retried')
    await delivery.ack()
    countCallback('retried')
    sending.kickAfter(retryInMs)
  } else {
    await delivery.drop()
  }
}

async function giveUp (
  app: FastifyInstance, delivery: CallbackDelivery, attempts: number, last: { lastStatus: number } | { lastError: string }, recordFirst = false
) {
  const { developerId, body } = delivery.callback
  const outcome: CallbackAttempt = { kind: 'given-up', attempts, ...last }
  if (recordFirst) await recordCallbackAttempt(app.db.pool, { developerId, eventId: body.eventId }, outcome)
  app.log.warn({ developerId, eventId: body.eventId, event: body.event, attempts, ...last }, 'callback given up after the last attempt')
  await delivery.drop()
  countCallback('given_up')
  if (!recordFirst) await record(app, delivery, outcome)
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
