import { Type, type Static } from 'typebox'
import { AppId } from '../http/app-id.js'
import { ActivationStatusInput } from '../http/common.js'
import { OkObjectResponse, RequestEnvelope } from '../http/envelope.js'
import { ActivationId, UserId } from '../powerauth/devices.js'
import { NextCursor, pageFields } from './page.js'

/**
 * `POST /admin/console/device/search`: an application's registrations of a user, of an activation,
 * or of both together (at least one of the two; the api checks). Newest registration first.
 */
export const DeviceSearchRequest = RequestEnvelope(Type.Object({
  appId: AppId,
  userId: Type.Optional(UserId),
  activationId: Type.Optional(ActivationId),
  ...pageFields
}))
export type DeviceSearchRequest = Static<typeof DeviceSearchRequest>

/** One activation on one device: the device's fields repeat for each activation it carries. */
export const RegisteredDevice = Type.Object({
  /** Beacon's device id (a bigint, in digits): the deviceId of a message's outcomes. */
  deviceId: Type.String(),
  platform: Type.Union([Type.Literal('apns'), Type.Literal('fcm')]),
  /** APNs devices registered with an environment; null otherwise. */
  environment: Type.Union([Type.Literal('sandbox'), Type.Literal('production'), Type.Null()]),
  pushTokenMasked: Type.String({ description: 'the push token\'s first and last few characters around an ellipsis' }),
  activationId: Type.String(),
  userId: Type.Union([Type.String(), Type.Null()]),
  activationStatus: ActivationStatusInput,
  /** When the token was first registered, and last registered again. */
  timestampCreated: Type.String(),
  timestampLastRegistered: Type.String(),
  /** When the activation's binding or status last changed. */
  timestampActivationUpdated: Type.String()
})
export type RegisteredDevice = Static<typeof RegisteredDevice>

export const DeviceSearchResponse = OkObjectResponse(Type.Object({ deviceList: Type.Array(RegisteredDevice), nextCursor: NextCursor }))
export type DeviceSearchResponse = Static<typeof DeviceSearchResponse>

/**
 * `POST /admin/console/device/remove`: one device of an application by Beacon's device id (the
 * console shows masked tokens only, and PowerAuth's removal takes the full token). The device goes
 * with every activation it carries, as with PowerAuth's removal. An id that is not a device of that
 * application removes nothing (`removed: false`), as PowerAuth answers an unknown token.
 */
export const DeviceRemoveRequest = RequestEnvelope(Type.Object({
  appId: AppId,
  deviceId: Type.String({ pattern: '^[0-9]{1,18}$', description: 'a device id (digits), as the device search answers it' })
}))
export type DeviceRemoveRequest = Static<typeof DeviceRemoveRequest>

export const DeviceRemoveResponse = OkObjectResponse(Type.Object({ removed: Type.Boolean() }))
export type DeviceRemoveResponse = Static<typeof DeviceRemoveResponse>
