import { randomUUID } from 'node:crypto'
import { ApiErrorCode, type PushMessage, type SendCommand, type SendMode, type SendResult } from '@beacon/contracts'
import type { Db } from '@beacon/db'
import type { FastifyInstance } from 'fastify'
import { ApiError, badRequest } from '../errors.js'
import { addSummary, emptyResult, recordedCounts } from './message-counts.js'

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
// messages in one statement, however many, looking the application up by its PowerAuth id on the
// way (no row stored, none returned: no such application).
const STORE_MESSAGES = {
  name: 'beacon-store-messages',
  text: `INSERT INTO message (id, application_id, user_id, activation_id, personal, silent, priority, body)
         SELECT m.id, a.id, m.user_id, m.activation_id, m.personal, m.silent, m.priority::"MessagePriority", m.body
           FROM application AS a,
                unnest($2::uuid[], $3::text[], $4::text[], $5::boolean[], $6::boolean[], $7::text[], $8::jsonb[])
                AS m(id, user_id, activation_id, personal, silent, priority, body)
          WHERE a.app_id = $1::bigint
         RETURNING application_id`
}

/** Stores the messages of the application with PowerAuth id `appId` (a 400 if none); its internal id. */
async function storeMessages (db: Db, appId: bigint, commands: DraftCommand[]): Promise<number> {
  const { rows } = await db.pool.query<{ application_id: number }>({
    ...STORE_MESSAGES,
    values: [
      appId.toString(), commands.map((c) => c.messageId), commands.map((c) => c.userId), commands.map((c) => c.activationId ?? null),
      commands.map((c) => c.personal), commands.map((c) => c.silent), commands.map((c) => c.priority), commands.map((c) => JSON.stringify(c.body))
    ]
  })
  if (rows.length === 0) throw badRequest(`Application with appId ${appId} does not exist`)
  return rows[0]!.application_id
}

/**
 * Stores the messages of the application with PowerAuth id `appId` (a 400 if there is none),
 * hands them to the dispatchers and, in SYNCHRONOUS mode, waits until each is done or
 * `syncTimeoutMs` passes; what has no outcome by then is counted as pending.
 */
export async function sendMessages (
  app: FastifyInstance, appId: bigint, messages: PushMessage[], mode: SendMode, syncTimeoutMs: number
): Promise<SendOutcome> {
  const drafts = messages.map(toDraft)
  const applicationId = await storeMessages(app.db, appId, drafts)
  const commands: SendCommand[] = drafts.map((draft) => ({ ...draft, applicationId }))
  const messageIds = commands.map((command) => command.messageId)
  const watches = mode === 'SYNCHRONOUS' ? commands.map((command) => app.transport.watchSummary(command.messageId)) : []
  try {
    await Promise.all(commands.map((command) => app.transport.publishCommand(command)))
  } catch (cause) {
    for (const watch of watches) watch.cancel()
    await app.db.message.updateMany({ where: { id: { in: messageIds } }, data: { completedAt: new Date(), failureReason: 'NotQueued' } })
    app.log.error({ err: cause }, 'send commands could not be queued')
    throw new ApiError(503, ApiErrorCode.INTERNAL, 'the message could not be queued for sending; try again', { cause })
  }
  if (mode === 'ASYNCHRONOUS') return { messageIds, result: emptyResult() }

  const deadline = Date.now() + syncTimeoutMs
  const summaries = await Promise.all(watches.map((watch) => watch.wait(Math.max(deadline - Date.now(), 0))))
  const result = emptyResult()
  const unfinished: string[] = []
  summaries.forEach((summary, index) => {
    if (summary === null) unfinished.push(messageIds[index]!)
    else addSummary(result, summary)
  })
  if (unfinished.length > 0) addSummary(result, await recordedCounts(app.db, unfinished))
  return { messageIds, result }
}
