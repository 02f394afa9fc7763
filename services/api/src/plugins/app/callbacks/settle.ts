import { type CallbackDelivery } from '@beacon/transport'
import type { FastifyInstance } from 'fastify'
import { queueCallbackCopy } from '../../../domain/callbacks/copies.js'
import { retryDelay } from '../../../domain/callbacks/delivery.js'
import { hasCallbackRecord, recordCallbackAttempt } from '../../../domain/callbacks/records.js'
import { countCallback } from '../../../metrics/callbacks.js'
import type { Sending } from './deliver.js'

type LastOutcome = { lastStatus: number } | { lastError: string }

// The contract's bound on a copy's attempts: far above CALLBACK_MAX_ATTEMPTS (100 at most).
const MOST_ATTEMPTS = 1000

/**
 * This delivery's attempt: the copies' before it, and this copy's deliveries (one that outlived
 * its acknowledgement wait, its instance gone, made an attempt too).
 */
export const attemptOf = (delivery: CallbackDelivery): number =>
  Math.min((delivery.callback.attempts ?? 0) + delivery.deliveryCount, MOST_ATTEMPTS)

/**
 * Settles the copy with JetStream once its outcome is written. A failure here (the connection to
 * NATS lost, the acknowledgement unconfirmed) changes nothing: the copy comes again, and the
 * record, moved on, has it dropped.
 */
export async function settleWithJetStream (app: FastifyInstance, delivery: CallbackDelivery, how: 'ack' | 'drop'): Promise<void> {
  try {
    if (how === 'ack') await delivery.ack()
    else await delivery.drop()
  } catch (error) {
    const { developerId, body } = delivery.callback
    app.log.warn({ err: error, developerId, eventId: body.eventId }, 'callback copy not settled with JetStream: it comes again, and is dropped then')
  }
}

/** Hands the copy back to JetStream for later (another instance, once this one has closed). */
export function handBack (delivery: CallbackDelivery, attempt: number, { settings }: Pick<Sending, 'settings'>): void {
  try { delivery.retry(retryDelay(attempt, settings.callbackBaseDelayMs, settings.callbackMaxDelayMs)) } catch {}
}

/**
 * Puts a callback off, unattempted, while its developer holds its whole share of the senders:
 * queued again for when the share should have room, and this copy acknowledged. With a delay of
 * 0: queued again as it was, by an instance that closes.
 */
export async function putOff (
  app: FastifyInstance, sending: Sending, delivery: CallbackDelivery, attempts: number, delayMs = sending.shares.putOff(delivery.callback.developerId)
): Promise<void> {
  const { developerId, body } = delivery.callback
  if (await queueCallbackCopy(app.db.pool, delivery.callback, { attempts, delayMs })) {
    app.log.debug({ developerId, eventId: body.eventId, delayMs }, 'callback put off: its developer holds its share of the senders')
    countCallback('put_off')
    sending.kickAfter(delayMs)
    await settleWithJetStream(app, delivery, 'ack')
  } else {
    await settleWithJetStream(app, delivery, 'drop')
  }
}

/** After a failed attempt: the retry queued through the outbox, or, after the last attempt, the callback given up. */
export async function retryOrGiveUp (
  app: FastifyInstance, sending: Sending, delivery: CallbackDelivery, attempt: number, last: LastOutcome
): Promise<void> {
  const { settings } = sending
  const { developerId, body } = delivery.callback
  if (attempt >= settings.callbackMaxAttempts) {
    await giveUp(app, delivery, attempt, last)
    return
  }
  const retryInMs = retryDelay(attempt, settings.callbackBaseDelayMs, settings.callbackMaxDelayMs)
  // The retry and the record of this attempt in one statement; then this copy is acknowledged.
  if (await queueCallbackCopy(app.db.pool, delivery.callback, { attempts: attempt, delayMs: retryInMs, failed: last })) {
    app.log.debug({ developerId, eventId: body.eventId, event: body.event, attempt, ...last, retryInMs }, 'callback attempt failed; retried')
    countCallback('retried')
    sending.kickAfter(retryInMs)
    await settleWithJetStream(app, delivery, 'ack')
  } else {
    await settleWithJetStream(app, delivery, 'drop')
  }
}

/**
 * Gives the callback up: recorded FAILED first, by this copy only while it is the live one (a
 * copy the callback went on without changes nothing, and is dropped quietly), then dropped. A
 * callback without a record (queued before records existed) is given up all the same, and logged
 * and counted so: only its record is missing.
 */
export async function giveUp (app: FastifyInstance, delivery: CallbackDelivery, attempts: number, last: LastOutcome): Promise<void> {
  const { developerId, body, copy } = delivery.callback
  const key = { developerId, eventId: body.eventId, copy: copy ?? null }
  const live = await recordCallbackAttempt(app.db.pool, key, { kind: 'given-up', attempts, ...last }) ||
    // Asked only on this rare path: the update's answer does not say why it changed nothing.
    !await hasCallbackRecord(app.db.pool, key)
  if (live) {
    app.log.warn({ developerId, eventId: body.eventId, event: body.event, attempts, ...last }, 'callback given up after the last attempt')
    countCallback('given_up')
  } else {
    app.log.debug({ developerId, eventId: body.eventId, copy }, 'callback copy dropped: the callback went on without it')
  }
  await settleWithJetStream(app, delivery, 'drop')
}

/**
 * Settles a delivery whose handling failed inside the api (a secret that does not open, a
 * statement that failed for good): an attempt like any other, retried through the outbox or given
 * up after the last. When even that cannot be written, the copy is handed back to JetStream.
 */
export async function settleUnexpected (app: FastifyInstance, sending: Sending, delivery: CallbackDelivery, error: unknown): Promise<void> {
  const { developerId, body } = delivery.callback
  const attempt = attemptOf(delivery)
  app.log.error({ err: error, developerId, eventId: body.eventId, attempt }, 'callback attempt failed unexpectedly')
  try {
    await retryOrGiveUp(app, sending, delivery, attempt, { lastError: 'InternalError' })
  } catch (failure) {
    app.log.warn({ err: failure, developerId, eventId: body.eventId }, 'callback handed back to JetStream: its outcome could not be written')
    handBack(delivery, attempt, sending)
  }
}
