import { Type, type Static } from 'typebox'

/** What a developer's callback URL is told about one request of the signed API. */
export const CallbackEventType = Type.Union([
  Type.Literal('im.delivered'),
  Type.Literal('push.sent'),
  Type.Literal('push.failed'),
  Type.Literal('expired')
])
export type CallbackEventType = Static<typeof CallbackEventType>

/**
 * The body POSTed (signed) to the developer's callback URL. `eventId` is stable across retries so
 * that the developer can de-duplicate.
 */
export const CallbackBody = Type.Object({
  eventId: Type.String({ minLength: 1, maxLength: 200 }),
  event: CallbackEventType,
  requestId: Type.String({ format: 'uuid' }),
  /** The addressee, `username@carrier`. */
  to: Type.String(),
  /** When it happened (ISO 8601). */
  timestamp: Type.String({ format: 'date-time' }),
  /** push.failed and expired: why. */
  reason: Type.Optional(Type.String())
})
export type CallbackBody = Static<typeof CallbackBody>

/** api → api (JetStream, durable): a callback to send to a developer, retried until it is accepted. */
export const CallbackCommand = Type.Object({
  developerId: Type.Integer({ minimum: 1 }),
  body: CallbackBody
})
export type CallbackCommand = Static<typeof CallbackCommand>

/** An in-app message as its WebSocket clients receive it (`type: "message"`). */
export const InAppMessageFrame = Type.Object({
  type: Type.Literal('message'),
  /** The requestId of the signed API (and the inbox message id); the client acknowledges it. */
  id: Type.String({ format: 'uuid' }),
  content: Type.String(),
  sender: Type.Optional(Type.String()),
  timestamp: Type.String({ format: 'date-time' })
})
export type InAppMessageFrame = Static<typeof InAppMessageFrame>

/**
 * api → every api instance (core NATS, fan-out): deliver an in-app message to the sockets of one
 * user wherever they are connected, or tell them it was acknowledged elsewhere.
 */
export const InAppRoute = Type.Object({
  applicationId: Type.Integer({ minimum: 1 }),
  userId: Type.String({ minLength: 1 }),
  frame: InAppMessageFrame
})
export type InAppRoute = Static<typeof InAppRoute>
