import { CampaignChunkCommand, SendCommand, type ChunkSummary, type MessageSummary } from '@beacon/contracts'
import { Compile } from 'typebox/compile'

/** The failure reason of a message or chunk whose command its dispatcher could not read. */
export const INVALID_COMMAND = 'InvalidCommand'

const none = { sent: 0, pending: 0, failed: 0, total: 0 }
// The fields as the commands' own schemas take them (packages/contracts), checked alone: the rest
// of the command may be what made it invalid.
const messageId = Compile(SendCommand.properties.messageId)
const campaignId = Compile(CampaignChunkCommand.properties.campaignId)
const chunkNumber = Compile(CampaignChunkCommand.properties.chunk)
// The campaign id column's bound, which the contract's pattern (19 digits) cannot say.
const MAX_BIGINT = 9223372036854775807n

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
  const command = value as Record<string, unknown>
  if (command.kind === 'message' && messageId.Check(command.messageId)) {
    return { message: { messageId: command.messageId, ios: none, android: none, reason: INVALID_COMMAND } }
  }
  // Within the columns' types: a summary the api's statement cannot take would come back for ever.
  if (command.kind === 'campaign-chunk' && campaignId.Check(command.campaignId) && BigInt(command.campaignId) <= MAX_BIGINT &&
      chunkNumber.Check(command.chunk)) {
    return { chunk: { campaignId: command.campaignId, chunk: command.chunk, ios: none, android: none, reason: INVALID_COMMAND } }
  }
  return undefined
}
