import type { ChunkSummary, MessageSummary } from '@beacon/contracts'

/** The failure reason of a message or chunk whose command its dispatcher could not read. */
export const INVALID_COMMAND = 'InvalidCommand'

const none = { sent: 0, pending: 0, failed: 0, total: 0 }
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/
const CAMPAIGN_ID = /^[0-9]{1,19}$/
const MAX_BIGINT = 9223372036854775807n
const MAX_INT = 2147483647

/**
 * The summary that fails a command the dispatcher refuses as invalid, when the command still names
 * its message or chunk; undefined when it names neither. Such a command is a defect (the api and
 * the dispatcher reading a field differently, as a date-time once was): it is terminated, and
 * without this summary its message stayed pending for ever, nor did its campaign ever complete.
 */
export function invalidCommandSummary (data: Uint8Array): { message: MessageSummary } | { chunk: ChunkSummary } | undefined {
  let value: unknown
  try { value = JSON.parse(new TextDecoder().decode(data)) } catch { return undefined }
  if (typeof value !== 'object' || value === null) return undefined
  const { kind, messageId, campaignId, chunk } = value as Record<string, unknown>
  if (kind === 'message' && typeof messageId === 'string' && UUID.test(messageId)) {
    return { message: { messageId, ios: none, android: none, reason: INVALID_COMMAND } }
  }
  // Within the columns' types: a summary the api's statement cannot take would come back for ever.
  if (kind === 'campaign-chunk' && typeof campaignId === 'string' && CAMPAIGN_ID.test(campaignId) && BigInt(campaignId) <= MAX_BIGINT &&
      typeof chunk === 'number' && Number.isInteger(chunk) && chunk >= 0 && chunk <= MAX_INT) {
    return { chunk: { campaignId, chunk, ios: none, android: none, reason: INVALID_COMMAND } }
  }
  return undefined
}
