import type { FastifyBaseLogger } from 'fastify'
import type { OutboxRow, Queryable } from './outbox.js'
import { recordCallbackAttempt } from '../callbacks/records.js'
import { failChunks, failMessages } from '../results/terminal-states.js'

/**
 * What a definite refusal means for the state that needed the row: a message fails NotQueued (an
 * in-app push fallback's developer is told push.failed), a campaign chunk is done NotQueued, a
 * callback is dropped. Nothing retries them: the same payload would be refused again.
 */
export async function recordRefusals (q: Queryable, rows: OutboxRow[], log: FastifyBaseLogger): Promise<void> {
  const messages: string[] = []
  const chunks: Array<{ campaignId: string, chunk: number }> = []
  for (const row of rows) {
    if (row.kind === 'callback') {
      const key = { developerId: row.payload.developerId, eventId: row.payload.body.eventId }
      log.error(key, 'callback refused by NATS; dropped')
      // By the refused copy only while it is the live one: a first copy queued again by a repeated
      // emit, after the callback went on, changes nothing.
      await recordCallbackAttempt(q, { ...key, copy: row.payload.copy ?? null }, { kind: 'dropped', lastError: 'NotQueued' })
    } else if (row.payload.kind === 'message') messages.push(row.payload.messageId)
    else chunks.push({ campaignId: row.payload.campaignId, chunk: row.payload.chunk })
  }
  if (messages.length + chunks.length > 0) log.error({ messages: messages.length, chunks: chunks.length }, 'commands refused by NATS; recorded as NotQueued')
  await failMessages(q, messages, 'NotQueued')
  await failChunks(q, chunks, 'NotQueued')
}
