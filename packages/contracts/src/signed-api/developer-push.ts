import { Type, type Static } from 'typebox'

/** Longest in-app text (IM channel) and push text (push channel) a developer may send. */
export const MAX_IN_APP_CONTENT_LENGTH = 4096
export const MAX_PUSH_CONTENT_LENGTH = 2048

/**
 * `username@carrier`, JID-like: a username of 1 to 255 characters without `@`, `/`, whitespace or
 * control characters, then a DNS name (the carrier domain of an application).
 */
export const USER_ADDRESS_PATTERN =
  '^([^@/\\s\\u0000-\\u001f\\u007f]{1,255})@((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)*[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)$'

export const UserAddress = Type.String({
  maxLength: 255 + 1 + 253,
  pattern: USER_ADDRESS_PATTERN,
  description: 'username@carrier'
})

const InAppContent = Type.String({
  minLength: 1, maxLength: MAX_IN_APP_CONTENT_LENGTH, description: `text of 1 to ${MAX_IN_APP_CONTENT_LENGTH} characters`
})

/**
 * `POST /api/1.0/push/{username}@{carrier}`. The IM text is `content` (M800's documented form) or
 * `appMessage.content` (what M800's SDK sends): exactly one of the two, checked by the route since
 * a schema union would only say "must match a schema in anyOf".
 */
export const DeveloperPushRequest = Type.Object({
  content: Type.Optional(InAppContent),
  appMessage: Type.Optional(Type.Object({ content: InAppContent })),
  /** Sent as a push notification if no device of the user acknowledges the in-app message in time. */
  push: Type.Optional(Type.Object({
    content: Type.String({ minLength: 1, maxLength: MAX_PUSH_CONTENT_LENGTH, description: `text of 1 to ${MAX_PUSH_CONTENT_LENGTH} characters` })
  })),
  sender: Type.Optional(UserAddress)
})
export type DeveloperPushRequest = Static<typeof DeveloperPushRequest>

/** Path parameter of the push endpoint, URL-decoded; its form is checked by the route (a clear 400). */
export const DeveloperPushParams = Type.Object({ address: Type.String() })
export type DeveloperPushParams = Static<typeof DeveloperPushParams>

/** `requestId` identifies the message in callbacks and in the in-app frames (`id`). */
export const DeveloperPushResponse = Type.Object({ requestId: Type.String({ format: 'uuid' }) })
export type DeveloperPushResponse = Static<typeof DeveloperPushResponse>

/** `POST /api/1.0/im/token`: a token that lets one user's app open the in-app channel. */
export const InAppTokenRequest = Type.Object({ user: UserAddress })
export type InAppTokenRequest = Static<typeof InAppTokenRequest>

export const InAppTokenResponse = Type.Object({
  token: Type.String(),
  /** ISO 8601; connect before then (an open connection is not cut when the token expires). */
  expiresAt: Type.String({ format: 'date-time' })
})
export type InAppTokenResponse = Static<typeof InAppTokenResponse>

/**
 * Longer than any in-app token issued: a user id of 255 four-byte characters makes a payload of
 * ~1,100 bytes, ~1,500 in base64url. Anything longer is refused before any work.
 */
export const MAX_IN_APP_TOKEN_LENGTH = 2048

/** Query of `GET /api/1.0/im/connect` (the token may come as `Authorization: Bearer` instead). */
export const InAppConnectQuery = Type.Object({ token: Type.Optional(Type.String({ maxLength: MAX_IN_APP_TOKEN_LENGTH })) })
export type InAppConnectQuery = Static<typeof InAppConnectQuery>

/** client → server over the in-app WebSocket: the device has the message `id`. */
export const InAppAckFrame = Type.Object({
  type: Type.Literal('ack'),
  id: Type.String({ format: 'uuid' })
})
export type InAppAckFrame = Static<typeof InAppAckFrame>

/** Close codes of the in-app WebSocket beyond the standard ones (4000–4999 are the application's own). */
export const InAppCloseCode = {
  /** The developer was disabled, rotated its secret or lost the grant of the application. */
  REVOKED: 4003,
  /** More sockets of the same user or token than allowed: the oldest makes way. */
  REPLACED: 4008
} as const

/** server → client: a frame the server could not use; the connection stays open. */
export const InAppErrorFrame = Type.Object({
  type: Type.Literal('error'),
  message: Type.String()
})
export type InAppErrorFrame = Static<typeof InAppErrorFrame>
