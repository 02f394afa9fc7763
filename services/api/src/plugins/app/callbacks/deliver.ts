import type { CallbackDelivery } from '@beacon/transport'
import type { FastifyInstance } from 'fastify'
import type { ApiConfig } from '../../../config.js'
import { isPoolFailure, sqlStateOf } from '@beacon/db'
import { postCallback, type AttemptOutcome, type CallbackTarget, type CallbackTransport } from '../../../domain/callbacks/delivery.js'
import type { DeveloperShares } from '../../../domain/callbacks/developer-shares.js'
import { recordCallbackAttempt } from '../../../domain/callbacks/records.js'
import { countCallback } from '../../../metrics/callbacks.js'
import type { OutboxKicks } from './outbox-kicks.js'
import { attemptOf, giveUp, handBack, putOff, retryOrGiveUp, settleUnexpected, settleWithJetStream } from './settle.js'

/** What every callback attempt of an instance shares. */
export interface Sending {
  settings: ApiConfig['signedApi']
  /** Aborted when the api closes: attempts in flight end. */
  shutdown: AbortSignal
  transport: CallbackTransport
  shares: DeveloperShares
  kickAfter: OutboxKicks
  /** How long a copy is kept in hand while its outcome cannot be written, before it is handed back. */
  keptAtMostMs: number
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
 * Handles one delivery of a callback copy until it is settled. While the database cannot be
 * reached the copy is kept in hand and handled again once it answers: handed back to JetStream,
 * each delivery would count as an attempt, and an outage of a few minutes would use them all up.
 * Once a POST has been made, only its outcome is written again, whatever stopped it: the POST is
 * never made twice for one delivery, and an accepted callback is never taken for a failed one.
 * Kept past `keptAtMostMs`, or when the api closes, the copy is handed back for another instance.
 */
export async function handle (app: FastifyInstance, sending: Sending, delivery: CallbackDelivery): Promise<void> {
  const handling: Handling = {}
  const since = performance.now()
  for (let waitMs = KEPT_FIRST_WAIT_MS; ; waitMs = Math.min(waitMs * 2, KEPT_MAX_WAIT_MS)) {
    try {
      await deliver(app, sending, delivery, handling)
      return
    } catch (error) {
      if (!isDatabaseUnreachable(error) && handling.outcome === undefined) {
        await settleUnexpected(app, sending, delivery, error)
        return
      }
      const { developerId, body } = delivery.callback
      app.log.warn({ err: error, developerId, eventId: body.eventId, waitMs }, 'callback kept in hand: its outcome could not be written')
      if (performance.now() - since > sending.keptAtMostMs || !await sleepUnlessClosed(waitMs, sending.shutdown)) {
        handBack(delivery, attemptOf(delivery), sending)
        return
      }
    }
  }
}

/** What one delivery's handling has done so far: the POST's outcome, once made. */
interface Handling { outcome?: AttemptOutcome }

const KEPT_FIRST_WAIT_MS = 1000
const KEPT_MAX_WAIT_MS = 30_000

/**
 * No connection, a connection lost, or a server that takes no work for now: class 08, too many
 * connections (53300), shut down or starting (57P01–57P03). Not a full disk or the like: a write
 * that fails for good is an unexpected failure, retried (and given up) as an attempt.
 */
function isDatabaseUnreachable (error: unknown): boolean {
  if (!isPoolFailure(error)) return false
  const sqlState = sqlStateOf(error)
  return sqlState === undefined || /^(08|53300|57P0[123])/.test(sqlState)
}

/** Sleeps unless the api closes first; false when it did. */
async function sleepUnlessClosed (ms: number, closed: AbortSignal): Promise<boolean> {
  if (closed.aborted) return false
  return await new Promise((resolve) => {
    const done = (slept: boolean) => { clearTimeout(timer); closed.removeEventListener('abort', onClose); resolve(slept) }
    const onClose = () => { done(false) }
    const timer = setTimeout(() => { done(true) }, ms)
    closed.addEventListener('abort', onClose, { once: true })
  })
}

/**
 * Puts the copy off while its developer holds its share of the senders; otherwise drops it when
 * the callback went on without it, or makes an attempt and settles it. Every outcome is written
 * before the copy is settled with JetStream: a copy delivered again after a lost acknowledgement
 * finds the callback moved on and is dropped.
 */
async function deliver (app: FastifyInstance, sending: Sending, delivery: CallbackDelivery, handling: Handling): Promise<void> {
  const { developerId } = delivery.callback
  const attempt = attemptOf(delivery)
  if (handling.outcome !== undefined) {
    await settleOutcome(app, sending, delivery, attempt, handling.outcome)
    return
  }
  // Before any statement: a backlog behind a hanging server costs one statement per callback put
  // off (which also finds a copy left behind), not two.
  const sender = sending.shares.take(developerId)
  if (sender === undefined) {
    await putOff(app, sending, delivery, attempt - 1)
    return
  }
  try {
    await attemptOnce(app, sending, delivery, attempt, handling)
  } finally {
    sending.shares.release(sender)
  }
}

async function attemptOnce (app: FastifyInstance, sending: Sending, delivery: CallbackDelivery, attempt: number, handling: Handling) {
  const { callback } = delivery
  const { developerId, body } = callback
  const context = { developerId, eventId: body.eventId, event: body.event }
  const key = { developerId, eventId: body.eventId, copy: callback.copy ?? null }
  const { rows: [row] } = await app.db.pool.query<TargetRow>({ ...CALLBACK_TARGET, values: [developerId, body.eventId] })
  const target = row!
  if (target.status !== null && (target.status !== 'PENDING' || target.copyId !== key.copy)) {
    // Delivered again after its next copy was queued, or after the callback ended.
    app.log.debug({ ...context, copy: callback.copy }, 'callback copy dropped: the callback went on without it')
    await settleWithJetStream(app, delivery, 'drop')
    return
  }
  if (target.key === null || target.enabled !== true || target.callbackUrl === null || target.secret === null) {
    const why = target.key === null ? 'DeveloperGone' : target.enabled !== true ? 'DeveloperDisabled' : 'NoCallbackUrl'
    await recordCallbackAttempt(app.db.pool, key, { kind: 'dropped', lastError: why })
    app.log.info(context, 'callback dropped: the developer is gone, disabled or has no callback URL')
    await settleWithJetStream(app, delivery, 'drop')
    return
  }
  // Past the last attempt only by copies delivered again after their instances closed or died.
  if (attempt > sending.settings.callbackMaxAttempts) {
    await giveUp(app, delivery, attempt - 1, { lastError: 'InternalError' })
    return
  }
  // A secret that does not open here (DB_SECRET_UNREADABLE: moved from another row, another
  // MASTER_KEY) throws: logged with its code by settleUnexpected, and counted as an attempt.
  const secret = app.secrets.open({ column: 'developer.secret', rowId: developerId }, target.secret)
  // An api that closes makes no attempt, and one it cut short is no failure of the developer's:
  // queued again as it was, for another instance.
  if (sending.shutdown.aborted) {
    await putOff(app, sending, delivery, attempt - 1, 0)
    return
  }
  const outcome = await post(delivery, { callbackUrl: target.callbackUrl, key: target.key, secret }, sending)
  if (!outcome.ok && sending.shutdown.aborted && 'error' in outcome) {
    await putOff(app, sending, delivery, attempt - 1, 0)
    return
  }
  handling.outcome = outcome
  // The host and the address it resolved to, never the URL's path or query (they may carry a token).
  if ('refused' in outcome && outcome.refused !== undefined) {
    app.log.warn({ ...context, ...outcome.refused }, 'callback destination refused: not a public address')
  } else if ('error' in outcome && outcome.error === 'InsecureCallbackUrl') {
    app.log.warn(context, 'callback refused: its URL is not https')
  }
  if (outcome.ok) countCallback('sent')
  await settleOutcome(app, sending, delivery, attempt, outcome)
}

/** Writes what the POST came to, then settles the copy: delivered, retried or given up. */
async function settleOutcome (app: FastifyInstance, sending: Sending, delivery: CallbackDelivery, attempt: number, outcome: AttemptOutcome) {
  if (outcome.ok) {
    const { developerId, body, copy } = delivery.callback
    await recordCallbackAttempt(app.db.pool, { developerId, eventId: body.eventId, copy: copy ?? null }, { kind: 'delivered', attempts: attempt, lastStatus: outcome.status })
    await settleWithJetStream(app, delivery, 'ack')
    return
  }
  await retryOrGiveUp(app, sending, delivery, attempt, 'status' in outcome ? { lastStatus: outcome.status } : { lastError: outcome.error })
}

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
