import { randomUUID } from 'node:crypto'
import { ApiErrorCode, type MessageSummary, type PushMessage, type SendCommand, type SendMode, type SendResult } from '@beacon/contracts'
import type { SummaryWatch } from '@beacon/transport'
import type { FastifyInstance } from 'fastify'
import { ApiError, badRequest } from '../../errors.js'
import { addSummary, emptyResult, recordedCounts } from './counts.js'
import { publishRows, type OutboxRow } from '../outbox/outbox.js'
import { messageWrites, type DraftCommand } from './message-writes.js'
import { recordRefusals } from '../outbox/refusals.js'

export interface SendOutcome { messageIds: string[], result: SendResult }

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

/** Stores the messages of the application with PowerAuth id `appId` (a 400 if none) and their outbox rows. */
async function storeMessages (app: FastifyInstance, appId: string, commands: DraftCommand[]): Promise<{ applicationId: number, outboxIds: Map<string, string> }> {
  const { applicationId, outboxIds } = await messageWrites(app.db).store(appId, commands, app.outbox.publishGraceMs)
  if (applicationId === null) throw badRequest(`Application with appId ${appId} does not exist`)
  return { applicationId, outboxIds }
}

/**
 * Publishes the stored commands at once (the fast path) and hands the outbox rows of those
 * JetStream took to the outbox plugin, which deletes them with other requests' shortly (the
 * answer does not wait for it). What failed stays for the sweeper; a definite refusal fails its
 * message NotQueued. Returns whether one was refused.
 */
async function publishStored (app: FastifyInstance, commands: SendCommand[], outboxIds: Map<string, string>): Promise<boolean> {
  // A command without an outbox row was published already (stored by a group whose answer was lost, then swept).
  const rows: OutboxRow[] = commands.filter((command) => outboxIds.has(command.messageId))
    .map((command) => ({ id: outboxIds.get(command.messageId)!, kind: 'command', payload: command }))
  const outcome = await publishRows(app.transport, rows)
  // Refusals recorded before their rows go (recording again is harmless): a failure in between
  // leaves the row to the sweeper, never a message that no one will ever end.
  if (outcome.refused.length > 0) await recordRefusals(app.db.pool, outcome.refused, app.log)
  app.outbox.published([...outcome.published, ...outcome.refused].map((row) => row.id))
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
    // E.g. recording a refusal failed: the rows stay, and the sweeper publishes them again harmlessly.
    app.log.error({ err: error }, 'send commands: publishing them or recording a refusal failed')
    return false
  })
  // A plain timer, cleared: an aborted timers/promises delay builds an AbortError (a stack trace) per request.
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<boolean>((resolve) => { timer = setTimeout(resolve, FAST_PATH_WAIT_MS, false) })
  try {
    return await Promise.race([publishing, timeout])
  } finally {
    clearTimeout(timer)
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
  const { applicationId, outboxIds } = await storeMessages(app, appId, drafts)
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
