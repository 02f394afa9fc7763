import { randomUUID } from 'node:crypto'
import { ApiErrorCode, type PushMessage, type SendCommand, type SendMode, type SendResult } from '@beacon/contracts'
import type { Application, Prisma } from '@beacon/db'
import type { FastifyInstance } from 'fastify'
import { ApiError } from '../errors.js'
import { addSummary, emptyResult, recordedCounts } from './message-counts.js'

export interface SendOutcome { messageIds: string[], result: SendResult }

function toCommand (application: Application, message: PushMessage): SendCommand {
  return {
    kind: 'message',
    messageId: randomUUID(),
    applicationId: application.id,
    userId: message.userId,
    ...(message.activationId === undefined ? {} : { activationId: message.activationId }),
    personal: message.attributes?.personal ?? false,
    silent: message.attributes?.silent ?? false,
    priority: message.priority ?? 'HIGH',
    body: message.body
  }
}

/**
 * Stores the messages, hands them to the dispatchers and, in SYNCHRONOUS mode, waits until each
 * is done or `syncTimeoutMs` passes; what has no outcome by then is counted as pending.
 */
export async function sendMessages (
  app: FastifyInstance, application: Application, messages: PushMessage[], mode: SendMode, syncTimeoutMs: number
): Promise<SendOutcome> {
  const commands = messages.map((message) => toCommand(application, message))
  await app.db.message.createMany({
    data: commands.map((command) => ({
      id: command.messageId,
      applicationId: application.id,
      userId: command.userId,
      activationId: command.activationId ?? null,
      personal: command.personal,
      silent: command.silent,
      priority: command.priority,
      body: command.body as Prisma.InputJsonValue
    }))
  })
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
