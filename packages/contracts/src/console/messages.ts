import { Type, type Static } from 'typebox'
import { AppId } from '../http/app-id.js'
import { Uuid } from '../http/common.js'
import { OkObjectResponse, RequestEnvelope } from '../http/envelope.js'
import { MessageDetail } from '../powerauth/messages.js'
import { NextCursor, pageFields } from './page.js'

/** `POST /admin/console/message/list`: an application's messages, newest first. */
export const MessageListRequest = RequestEnvelope(Type.Object({ appId: AppId, ...pageFields }))
export type MessageListRequest = Static<typeof MessageListRequest>

/** Each message as `GET /push/message/{id}/detail` shows it, its counts included. */
export const MessageListResponse = OkObjectResponse(Type.Object({ messageList: Type.Array(MessageDetail), nextCursor: NextCursor }))
export type MessageListResponse = Static<typeof MessageListResponse>

/** `POST /admin/console/message/outcomes`: a message's device outcomes, by device id. */
export const MessageOutcomesRequest = RequestEnvelope(Type.Object({
  appId: AppId,
  messageId: Uuid('a message id (UUID) as returned by send'),
  ...pageFields
}))
export type MessageOutcomesRequest = Static<typeof MessageOutcomesRequest>

/** What one device got: PENDING while a dispatcher is sending it. */
export const DeviceOutcome = Type.Object({
  deviceId: Type.String(),
  platform: Type.Union([Type.Literal('apns'), Type.Literal('fcm')]),
  status: Type.Union([Type.Literal('PENDING'), Type.Literal('SENT'), Type.Literal('FAILED'), Type.Literal('EXPIRED')]),
  /** The provider's reason (BadDeviceToken, UNREGISTERED, …) or Beacon's (NotQueued, …); null when sent. */
  reason: Type.Union([Type.String(), Type.Null()]),
  attempts: Type.Integer(),
  /** Reported by a later holder of the message's command, not by the provider: whether it was sent is unknown. */
  unconfirmed: Type.Boolean(),
  /** When a dispatcher claimed the device (just before its first attempt), and when it got its outcome. */
  timestampClaimed: Type.String(),
  timestampCompleted: Type.Union([Type.String(), Type.Null()])
})
export type DeviceOutcome = Static<typeof DeviceOutcome>

export const MessageOutcomesResponse = OkObjectResponse(Type.Object({ outcomeList: Type.Array(DeviceOutcome), nextCursor: NextCursor }))
export type MessageOutcomesResponse = Static<typeof MessageOutcomesResponse>
