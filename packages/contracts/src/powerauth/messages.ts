import { Type, type Static } from 'typebox'
import { AppId, AppIdAnswer } from '../http/app-id.js'
import { NonEmptyString, Uuid } from '../http/common.js'
import { OkObjectResponse, RequestEnvelope } from '../http/envelope.js'
import { MessageBody } from './message-body.js'

export const SendMode = Type.Union([Type.Literal('SYNCHRONOUS'), Type.Literal('ASYNCHRONOUS')], {
  description: 'SYNCHRONOUS or ASYNCHRONOUS'
})
export type SendMode = Static<typeof SendMode>

export const Priority = Type.Union([Type.Literal('HIGH'), Type.Literal('NORMAL')], { description: 'HIGH or NORMAL' })
export type Priority = Static<typeof Priority>

/** One message to one user of an application, optionally narrowed to one activation. */
export const PushMessage = Type.Object({
  userId: NonEmptyString(255, 'user id'),
  activationId: Type.Optional(NonEmptyString(64, 'activation id')),
  priority: Type.Optional(Priority),
  attributes: Type.Optional(Type.Object({
    silent: Type.Optional(Type.Boolean()),
    personal: Type.Optional(Type.Boolean())
  })),
  body: MessageBody
})
export type PushMessage = Static<typeof PushMessage>

export const SendMessageRequest = RequestEnvelope(Type.Object({
  appId: AppId,
  mode: Type.Optional(SendMode),
  message: PushMessage
}))
export type SendMessageRequest = Static<typeof SendMessageRequest>

export const SendBatchRequest = RequestEnvelope(Type.Object({
  appId: AppId,
  mode: Type.Optional(SendMode),
  batch: Type.Array(PushMessage, { minItems: 1, maxItems: 1000 })
}))
export type SendBatchRequest = Static<typeof SendBatchRequest>

export const PlatformCounts = Type.Object({
  sent: Type.Integer(),
  pending: Type.Integer(),
  failed: Type.Integer(),
  total: Type.Integer()
})
export type PlatformCounts = Static<typeof PlatformCounts>

export const SendResult = Type.Object({ ios: PlatformCounts, android: PlatformCounts })
export type SendResult = Static<typeof SendResult>

/**
 * The answer of `send` and `batch/send` in every shape a PowerAuth client reads (Jackson ignores
 * the others): `result.ios|android` as the seed documents it; `ios`/`android` of PowerAuth 1.0–1.9's
 * PushMessageSendResult (1.9 adds `huawei`, 1.5 `mode`); `apns`/`fcm`/`hms` of the newest one.
 * Huawei (HMS) is not supported: its counts are always 0. `messageIds` is Beacon's: the ids under
 * which the outcome can be looked up later.
 */
export const SendMessageResponse = OkObjectResponse(Type.Object({
  mode: SendMode,
  result: SendResult,
  ios: PlatformCounts,
  android: PlatformCounts,
  huawei: PlatformCounts,
  apns: PlatformCounts,
  fcm: PlatformCounts,
  hms: PlatformCounts,
  messageIds: Type.Array(Type.String())
}))
export type SendMessageResponse = Static<typeof SendMessageResponse>

export const MessageIdParams = Type.Object({
  id: Uuid('a message id (UUID) as returned by send')
})

/** The recorded outcome of one message, for ASYNCHRONOUS senders and for SYNCHRONOUS ones that timed out. */
export const MessageDetail = Type.Object({
  id: Type.String(),
  appId: AppIdAnswer,
  userId: Type.String(),
  activationId: Type.Union([Type.String(), Type.Null()]),
  completed: Type.Boolean(),
  failureReason: Type.Union([Type.String(), Type.Null()]),
  timestampCreated: Type.String(),
  timestampCompleted: Type.Union([Type.String(), Type.Null()]),
  result: SendResult
})
export type MessageDetail = Static<typeof MessageDetail>

export const MessageDetailResponse = OkObjectResponse(MessageDetail)
