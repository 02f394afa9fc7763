import { randomUUID } from 'node:crypto'
import { setTimeout as delay } from 'node:timers/promises'
import { ApiErrorCode, type MessageSummary, type PushMessage, type SendCommand, type SendMode, type SendResult } from '@beacon/contracts'
import type { Db } from '@beacon/db'
import type { SummaryWatch } from '@beacon/transport'
import type { FastifyInstance } from 'fastify'
import { ApiError, badRequest } from '../../errors.js'
import { addSummary, emptyResult, recordedCounts } from './counts.js'
import { deleteRows, publishRows, type OutboxRow } from '../outbox/outbox.js'
import { recordRefusals } from '../outbox/refusals.js'

export interface SendOutcome { messageIds: string[], result: SendResult }

/** A command before its message is stored: the application's internal id comes from the store. */
type DraftCommand = Omit<SendCommand, 'applicationId'>

function toDraft (message: PushMessage): DraftCommand {
  return {
    kind: 'message',
    messageId: randomUUID(),
    userId: message.userId,
    ...(message.activationId === undefined ? {} : { activationId: message.activationId }),
    personal: message.attributes?.personal ?? false,
    silent: message.attributes?.silent ?? false,
    priority: message.priority ?? 'HIGH',
    body: message.body
  }
}

// A named statement through the pool (prepared once per connection): every send stores its
// messages and their commands' outbox rows in one statement, however many, looking the
// application up on the way (no row returned: no such application). The command gets the
// application's internal id in SQL. The sweeper leaves the rows to this request for $10 ms.
const STORE_MESSAGES = {
  name: 'beacon-store-messages',
  text: `WITH app AS (SELECT id FROM application WHERE app_id = $1::text),
         stored AS (
           INSERT INTO message (id, application_id, user_id, activation_id, personal, silent, priority, body)
           SELECT m.id, app.id, m.user_id, m.activation_id, m.personal, m.silent, m.priority::"MessagePriority", m.body
             FROM app, unnest($2::uuid[], $3::text[], $4::text[], $5::boolean[], $6::boolean[], $7::text[], $8::jsonb[])
                  AS m(id, user_id, activation_id, personal, silent, priority, body)
           RETURNING 1),
         queued AS (
           INSERT INTO outbox (kind, payload, publish_after)
           SELECT 'command', (c.command || jsonb_build_object('applicationId', app.id))::json, now() + $10::int * interval '1 millisecond'
             FROM app, unnest($9::jsonb[]) AS c(command)
           RETURNING id, payload->>'messageId' AS message_id)
         SELECT app.id AS application_id, q.id::text AS outbox_id, q.message_id FROM app LEFT JOIN queued q ON true`
}

interface Stored {
  applicationId: number
  /** The outbox row of each message's command, by message id. */
  outboxIds: Map<string, string>
}

/** Stores the messages of the application with PowerAuth id `appId` (a 400 if none) and their outbox rows. */
async function storeMessages (db: Db, appId: string, commands: DraftCommand[], graceMs: number): Promise<Stored> {
  const { rows } = await db.pool.query<{ application_id: number, outbox_id: string, message_id: string }>({
    ...STORE_MESSAGES,
    values: [
      appId, commands.map((c) => c.messageId), commands.map((c) => c.userId), commands.map((c) => c.activationId ?? null),
      commands.map((c) => c.personal), commands.map((c) => c.silent), commands.map((c) => c.priority), commands.map((c) => JSON.stringify(c.body)),
      commands.map((c) => JSON.stringify(c)), graceMs
    ]
  })
  if (rows.length === 0) throw badRequest(`Application with appId ${appId} does not exist`)
  return { applicationId: rows[0]!.application_id, outboxIds: new Map(rows.map((row) => [row.message_id, row.outbox_id])) }
}

/**
 * Publishes the stored commands at once (the fast path) and deletes the outbox rows of those
 * JetStream took, in one statement. What failed stays for the sweeper; a definite refusal fails
 * its message NotQueued. Returns whether one was refused.
 */
async function publishStored (app: FastifyInstance, commands: SendCommand[], outboxIds: Map<string, string>): Promise<boolean> {
  const rows: OutboxRow[] = commands.map((command) => ({ id: outboxIds.get(command.messageId)!, kind: 'command', payload: command }))
  const outcome = await publishRows(app.transport, rows)
  // Refusals recorded before their rows go (recording again is harmless): a failure in between
  // leaves the row to the sweeper, never a message that no one will ever end.
  if (outcome.refused.length > 0) await recordRefusals(app.db.pool, outcome.refused, app.log)
  await deleteRows(app.db.pool, [...outcome.published, ...outcome.refused].map((row) => row.id))
  if (outcome.failed.length > 0) {
    app.log.warn({ err: outcome.error, commands: outcome.failed.length }, 'send commands not published yet; the outbox sweeper publishes them')
  }
  return outcome.refused.length > 0
}

// How long a request waits for JetStream to confirm its commands: well above a confirmation's
// usual millisecond, well below the client's patience. While NATS is unreachable a publish fails
// only after its own timeout (5 s); the request answers after this instead, and the publish
// finishes (or leaves the row to the sweeper) in the background.
const FAST_PATH_WAIT_MS = 1000

/** publishStored, waited for at most FAST_PATH_WAIT_MS; whether a command was refused by then. */
async function publishedInTime (app: FastifyInstance, commands: SendCommand[], outboxIds: Map<string, string>): Promise<boolean> {
  const publishing = publishStored(app, commands, outboxIds).catch((error: unknown) => {
    // E.g. the delete failed: the rows stay, and the sweeper publishes them again harmlessly.
    app.log.error({ err: error }, 'send commands: publishing or clearing their outbox rows failed')
    return false
  })
  const waiting = new AbortController()
  const timeout = delay(FAST_PATH_WAIT_MS, false, { signal: waiting.signal }).catch(() => false)
  try {
    return await Promise.race([publishing, timeout])
  } finally {
    waiting.abort()
  }
}

/** Each watch's summary, or null if none came by `deadline` or before the api started to close. */
async function waitForSummaries (app: FastifyInstance, watches: SummaryWatch[], deadline: number): Promise<Array<MessageSummary | null>> {
  const stop = () => { for (const watch of watches) watch.cancel() }
  if (app.closing.aborted) {
    stop()
    return watches.map(() => null)
  }
  app.closing.addEventListener('abort', stop, { once: true })
  try {
    return await Promise.all(watches.map((watch) => watch.wait(Math.max(deadline - Date.now(), 0))))
  } finally {
    app.closing.removeEventListener('abort', stop)
  }
}

/**
 * Stores the messages of the application with PowerAuth id `appId` (a 400 if there is none)
 * with their commands in the outbox, hands them to the dispatchers and, in SYNCHRONOUS mode,
 * waits until each is done or `syncTimeoutMs` passes; what has no outcome by then is counted as
 * pending (at once if the api starts to close meanwhile). Once stored a message is sent even if
 * NATS is down now (the outbox sweeper publishes it when NATS is back): only a definite refusal
 * answers 503 (its message is failed NotQueued).
 */
export async function sendMessages (
  app: FastifyInstance, appId: string, messages: PushMessage[], mode: SendMode, syncTimeoutMs: number
): Promise<SendOutcome> {
  const drafts = messages.map(toDraft)
  const { applicationId, outboxIds } = await storeMessages(app.db, appId, drafts, app.outbox.publishGraceMs)
  const commands: SendCommand[] = drafts.map((draft) => ({ ...draft, applicationId }))
  const messageIds = commands.map((command) => command.messageId)
  const watches = mode === 'SYNCHRONOUS' ? commands.map((command) => app.transport.watchSummary(command.messageId)) : []
  if (await publishedInTime(app, commands, outboxIds)) {
    for (const watch of watches) watch.cancel()
    throw new ApiError(503, ApiErrorCode.INTERNAL, 'the message was refused by the queue (too large to queue); it is recorded as NotQueued')
  }
  if (mode === 'ASYNCHRONOUS') return { messageIds, result: emptyResult() }

  const summaries = await waitForSummaries(app, watches, Date.now() + syncTimeoutMs)
  const result = emptyResult()
  const unfinished: string[] = []
  summaries.forEach((summary, index) => {
    if (summary === null) unfinished.push(messageIds[index]!)
    else addSummary(result, summary)
  })
  if (unfinished.length > 0) addSummary(result, await recordedCounts(app.db, unfinished))
  return { messageIds, result }
}
