import type { AbandonedCommand } from '@beacon/transport'
import type { Db } from '@beacon/db'
import { failChunks, failMessages } from './terminal-states.js'

/** Why a command JetStream gave up on ended: every delivery was spent without an outcome. */
export const ATTEMPTS_EXHAUSTED = 'DeliveryAttemptsExhausted'

/**
 * Records the terminal state of a command JetStream gave up on — a message completes failed (its
 * PENDING claims sent-unconfirmed, an in-app fallback's developer told push.failed), a chunk is
 * done failed and its campaign completes if it was the last — and then removes the command from
 * the stream. Repeating it is harmless: only what is not terminal yet changes.
 */
export async function recordAbandoned (db: Db, abandoned: AbandonedCommand): Promise<void> {
  const { command } = abandoned
  if (command.kind === 'message') await failMessages(db.pool, [command.messageId], ATTEMPTS_EXHAUSTED)
  else await failChunks(db.pool, [{ campaignId: command.campaignId, chunk: command.chunk }], ATTEMPTS_EXHAUSTED)
  await abandoned.remove()
}
