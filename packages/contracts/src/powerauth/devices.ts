import { Type, type Static } from 'typebox'
import { AppId } from '../http/app-id.js'
import { ActivationStatusInput, ApnsEnvironmentInput, PlatformInput } from '../http/common.js'
import { RequestEnvelope } from '../http/envelope.js'

// Descriptions end up in 400 messages: "requestObject.token must be <description>".
export const ActivationId = Type.String({
  minLength: 1, maxLength: 64, pattern: '^\\S+$', description: 'a PowerAuth activation id (1 to 64 characters, no spaces)'
})
export const UserId = Type.String({ minLength: 1, maxLength: 255, description: 'a user id of 1 to 255 characters' })
// PowerAuth's own column is 255 characters; APNs tokens are 64 and FCM's ~160. 512 leaves room,
// and keeps (application, token) within what PostgreSQL's unique index takes (2704 bytes a row).
const PushToken = Type.String({
  minLength: 1, maxLength: 512, pattern: '^\\S+$', description: 'an APNs device token or FCM registration token (1 to 512 characters, no spaces)'
})

// Without a PowerAuth server the caller states who owns the activation and its status (newer
// PowerAuth versions accept these too, to skip the lookup); a missing status counts as ACTIVE.
// With a PowerAuth server both are ignored: the server's answer is the truth.
const registrationFields = {
  appId: AppId,
  token: PushToken,
  platform: PlatformInput,
  environment: Type.Optional(ApnsEnvironmentInput),
  userId: Type.Optional(UserId),
  activationStatus: Type.Optional(ActivationStatusInput)
}

/** `POST /push/device/create`: binds a push token to one activation. */
export const CreateDeviceRequest = RequestEnvelope(Type.Object({
  ...registrationFields,
  activationId: ActivationId
}))
export type CreateDeviceRequest = Static<typeof CreateDeviceRequest>

/** `POST /push/device/create/multi`: binds a push token to several activations (duplicates count once). */
export const CreateDeviceMultiRequest = RequestEnvelope(Type.Object({
  ...registrationFields,
  activationIds: Type.Array(ActivationId, {
    minItems: 1, maxItems: 100, description: 'a list of 1 to 100 PowerAuth activation ids'
  })
}))
export type CreateDeviceMultiRequest = Static<typeof CreateDeviceMultiRequest>

/** `DELETE /push/device/remove` (and `/push/device/delete`): unregisters a push token. */
export const RemoveDeviceRequest = RequestEnvelope(Type.Object({
  appId: AppId,
  // Up to the length registrations took before 2026-12-06: such a token stays removable.
  token: Type.String({ minLength: 1, maxLength: 4096, pattern: '^\\S+$', description: 'a registered push token (1 to 4096 characters, no spaces)' })
}))
export type RemoveDeviceRequest = Static<typeof RemoveDeviceRequest>

const statusFields = {
  activationId: ActivationId,
  activationStatus: Type.Optional(ActivationStatusInput)
}
const StatusUpdate = Type.Object(statusFields)
export type DeviceStatusUpdate = Static<typeof StatusUpdate>

/**
 * `POST /push/device/status/update`. The seed sends `{"activationId": …}` unwrapped; later
 * PowerAuth versions wrap it in `requestObject`. Both are accepted, so the top-level fields are
 * optional here and the handler requires one of the two forms. A union of the two shapes would
 * validate the same, but its errors could not name the offending field.
 */
export const UpdateDeviceStatusRequest = Type.Object({
  activationId: Type.Optional(statusFields.activationId),
  activationStatus: Type.Optional(ActivationStatusInput),
  requestObject: Type.Optional(StatusUpdate)
})
export type UpdateDeviceStatusRequest = Static<typeof UpdateDeviceStatusRequest>
