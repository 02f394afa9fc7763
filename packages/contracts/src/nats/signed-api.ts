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
  body: CallbackBody,
  /** Attempts made before this copy was queued (none when absent: the callback's first copy). */
  attempts: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 })),
  /**
   * Set on each copy queued again (a retry waiting out its delay, or a callback put off while its
   * developer's server holds its share of the senders): names the copy, so that it is not taken
   * for a repeat of the first, and so that a copy whose callback went on without it is dropped.
   */
  copy: Type.Optional(Type.String({ format: 'uuid' }))
})
export type CallbackCommand = Static<typeof CallbackCommand>

/**
 * A callback's message id: JetStream keeps one message per id within its duplicate window. The
 * first copy is named by its eventId (a callback queued twice is sent once), each later copy by
 * its own id too.
 */
export function callbackMessageId (callback: CallbackCommand): string {
  return callback.copy === undefined ? `callback:${callback.body.eventId}` : `callback:${callback.body.eventId}:${callback.copy}`
}

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
 * api → every api instance (core NATS, fan-out): deliver one developer's in-app message to the
 * sockets of one user wherever they are connected. Only sockets opened with a token of that
 * developer get it.
 */
export const InAppRoute = Type.Object({
  kind: Type.Literal('message'),
  applicationId: Type.Integer({ minimum: 1 }),
  userId: Type.String({ minLength: 1 }),
  developerId: Type.Integer({ minimum: 1 }),
  frame: InAppMessageFrame
})
export type InAppRoute = Static<typeof InAppRoute>

/**
 * api → every api instance (fan-out): a developer was disabled, got a new secret or lost grants;
 * every instance checks that developer's open sockets again and closes those no longer admitted.
 */
export const InAppDeveloperChanged = Type.Object({
  kind: Type.Literal('developer-changed'),
  developerId: Type.Integer({ minimum: 1 })
})
export type InAppDeveloperChanged = Static<typeof InAppDeveloperChanged>

/** Everything the in-app fan-out subject carries. */
export const InAppBroadcast = Type.Union([InAppRoute, InAppDeveloperChanged])
export type InAppBroadcast = Static<typeof InAppBroadcast>
