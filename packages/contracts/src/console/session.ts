import { Type, type Static } from 'typebox'
import { OkObjectResponse } from '../http/envelope.js'

/**
 * `POST /console/api/session`: the console's sign-in, with the admin credentials (AUTH_USERNAME,
 * AUTH_PASSWORD). A plain object, not PowerAuth's `requestObject` wrapper: this is Beacon's own
 * browser-facing API. Lengths are bounded so that no guess costs more than a short compare.
 */
export const ConsoleSignInRequest = Type.Object({
  username: Type.String({ minLength: 1, maxLength: 256 }),
  password: Type.String({ minLength: 1, maxLength: 1024 })
}, { additionalProperties: false })
export type ConsoleSignInRequest = Static<typeof ConsoleSignInRequest>

/** Who the console session is for, and when it ends (ISO 8601) whatever the browser does. */
export const ConsoleSession = Type.Object({
  username: Type.String(),
  expiresAt: Type.String()
})
export type ConsoleSession = Static<typeof ConsoleSession>

export const ConsoleSessionResponse = OkObjectResponse(ConsoleSession)
export type ConsoleSessionResponse = Static<typeof ConsoleSessionResponse>
