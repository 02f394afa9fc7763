import { Type, type Static } from 'typebox'
import { MessageBody } from '../powerauth/message-body.js'
import { PlatformCounts } from '../powerauth/messages.js'

/** api → dispatcher: send one stored message to the devices of one user. */
export const SendCommand = Type.Object({
  kind: Type.Literal('message'),
  messageId: Type.String({ format: 'uuid' }),
  applicationId: Type.Integer({ minimum: 1 }),
  userId: Type.String({ minLength: 1 }),
  activationId: Type.Optional(Type.String({ minLength: 1 })),
  personal: Type.Boolean(),
  silent: Type.Boolean(),
  priority: Type.Union([Type.Literal('HIGH'), Type.Literal('NORMAL')]),
  body: MessageBody
})
export type SendCommand = Static<typeof SendCommand>

const CampaignId = Type.String({ pattern: '^[0-9]{1,19}$', description: 'campaign id (a bigint, as text)' })
/** A chunk's number: its column is an int. */
const ChunkNumber = Type.Integer({ minimum: 0, maximum: 2147483647 })

/** api → dispatcher: send a campaign to its users in (afterUserId, lastUserId], each device once. */
export const CampaignChunkCommand = Type.Object({
  kind: Type.Literal('campaign-chunk'),
  campaignId: CampaignId,
  chunk: ChunkNumber,
  applicationId: Type.Integer({ minimum: 1 }),
  afterUserId: Type.Union([Type.String(), Type.Null()]),
  lastUserId: Type.String(),
  body: MessageBody
})
export type CampaignChunkCommand = Static<typeof CampaignChunkCommand>

/** Everything the dispatchers are asked to do. */
export const Command = Type.Union([SendCommand, CampaignChunkCommand])
export type Command = Static<typeof Command>

/** The id JetStream de-duplicates a command by: publishing one twice is harmless. */
export function commandId (command: Command): string {
  return command.kind === 'message' ? command.messageId : `campaign-${command.campaignId}-${command.chunk}`
}

export const DeliveryStatus = Type.Union([Type.Literal('SENT'), Type.Literal('FAILED'), Type.Literal('EXPIRED')])
export type DeliveryStatus = Static<typeof DeliveryStatus>

export const ProviderPlatform = Type.Union([Type.Literal('APNS'), Type.Literal('FCM')])
export type ProviderPlatform = Static<typeof ProviderPlatform>

const deviceResultFields = {
  deviceId: Type.String({ pattern: '^[0-9]+$', description: 'device id (a bigint, as text)' }),
  platform: ProviderPlatform,
  status: DeliveryStatus,
  /** The provider's reason (`Unregistered`, `UNAVAILABLE`, …) or ours (`PayloadTooLarge`, `Expired`). */
  reason: Type.Optional(Type.String()),
  /** The provider called the token invalid: the api deletes the registration unless it was renewed since `at`. */
  tokenInvalid: Type.Boolean(),
  attempts: Type.Integer({ minimum: 0 }),
  /**
   * Not a provider's answer: an earlier holder of the command attempted this device and stopped
   * before recording the answer. The recorder lets a real outcome that arrives later replace it.
   */
  unconfirmed: Type.Optional(Type.Boolean()),
  /** When the outcome was known. */
  at: Type.String({ format: 'date-time' })
}

/** dispatcher → api: the outcome for one device, of a message or of a campaign. */
export const DeviceResult = Type.Union([
  Type.Object({ messageId: Type.String(), ...deviceResultFields }),
  Type.Object({
    campaignId: CampaignId,
    /**
     * The chunk whose claim the device is (absent from dispatchers before 2026-12-04): the
     * recorder looks at the chunk's completion again whenever a result names it, so a batch
     * redelivered after its outcomes were written (the completion step having failed) still
     * completes the chunk.
     */
    chunk: Type.Optional(Type.Integer({ minimum: 0 })),
    ...deviceResultFields
  })
])
export type DeviceResult = Static<typeof DeviceResult>

/** The most results one NATS message carries (a campaign chunk's outcomes go in a few messages). */
export const MAX_RESULTS_PER_BATCH = 500

/**
 * dispatcher → api: the outcomes of several devices of one message or campaign in one NATS
 * message; one publish and one ack for hundreds of devices instead of one each.
 */
export const DeviceResultBatch = Type.Object({
  results: Type.Array(DeviceResult, { minItems: 1, maxItems: MAX_RESULTS_PER_BATCH })
})
export type DeviceResultBatch = Static<typeof DeviceResultBatch>

/** dispatcher → api: a command is finished; counts of what this message's devices got. */
export const MessageSummary = Type.Object({
  messageId: Type.String(),
  ios: PlatformCounts,
  android: PlatformCounts,
  /** A failure of the whole message (e.g. the application has no APNs credentials). */
  reason: Type.Optional(Type.String()),
  /**
   * The devices' results, when they fit: a single message's outcome travels as one NATS message
   * (one publish, one ack) instead of results and summary apart.
   */
  results: Type.Optional(Type.Array(DeviceResult, { maxItems: MAX_RESULTS_PER_BATCH }))
})
export type MessageSummary = Static<typeof MessageSummary>

/** dispatcher → api: a campaign chunk is finished. */
export const ChunkSummary = Type.Object({
  campaignId: CampaignId,
  chunk: ChunkNumber,
  ios: PlatformCounts,
  android: PlatformCounts,
  /** A failure of the whole chunk (e.g. it could not be handled within its deliveries): its unreached devices stay unsent. */
  reason: Type.Optional(Type.String())
})
export type ChunkSummary = Static<typeof ChunkSummary>
