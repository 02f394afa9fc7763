import { Type, type Static } from 'typebox'
import { AppId } from '../http/app-id.js'
import { OkObjectResponse, RequestEnvelope } from '../http/envelope.js'

/**
 * `POST /admin/console/application/remove`: an application and everything of it (devices,
 * messages and their outcomes, campaigns, inbox messages, developers' grants, its APNs and FCM
 * keys). PowerAuth has no such route. Refused while any of its messages or campaigns is still
 * being sent: their commands would reach the dispatchers for rows no longer there.
 */
export const ApplicationRemoveRequest = RequestEnvelope(Type.Object({ appId: AppId }))
export type ApplicationRemoveRequest = Static<typeof ApplicationRemoveRequest>

export const ApplicationRemoveResponse = OkObjectResponse(Type.Object({ removed: Type.Boolean() }))
export type ApplicationRemoveResponse = Static<typeof ApplicationRemoveResponse>
