import { Type, type Static } from 'typebox'
import { CarrierDomain } from '../powerauth/admin.js'
import { AppId, AppIdAnswer } from '../http/app-id.js'
import { NumericId } from '../http/common.js'
import { OkObjectResponse, RequestEnvelope } from '../http/envelope.js'

/** Most applications one developer may be granted in one call. */
export const MAX_DEVELOPER_APPLICATIONS = 1000

const DeveloperName = Type.String({
  minLength: 1, maxLength: 255, pattern: '\\S', description: 'a display name of 1 to 255 characters, not only spaces'
})

/** Checked further by the api: absolute, http or https, no user name or password in it. */
const CallbackUrl = Type.String({
  minLength: 1, maxLength: 2048, description: 'an absolute http(s) URL of at most 2048 characters'
})

/** The applications a developer may address, by PowerAuth `appId` or by carrier domain (or both). */
const grants = {
  applications: Type.Optional(Type.Array(AppId, {
    maxItems: MAX_DEVELOPER_APPLICATIONS,
    description: `a list of at most ${MAX_DEVELOPER_APPLICATIONS} PowerAuth application ids`
  })),
  carriers: Type.Optional(Type.Array(CarrierDomain, {
    maxItems: MAX_DEVELOPER_APPLICATIONS,
    description: `a list of at most ${MAX_DEVELOPER_APPLICATIONS} carrier domains`
  }))
}

export const CreateDeveloperRequest = RequestEnvelope(Type.Object({
  name: DeveloperName,
  callbackUrl: Type.Optional(Type.Union([CallbackUrl, Type.Null()], {
    description: 'an absolute http(s) URL of at most 2048 characters, or null'
  })),
  ...grants
}))
export type CreateDeveloperRequest = Static<typeof CreateDeveloperRequest>

/** Absent fields stay as they are; `callbackUrl: null` removes it; a grant list replaces the grants. */
export const UpdateDeveloperRequest = RequestEnvelope(Type.Object({
  id: NumericId,
  name: Type.Optional(DeveloperName),
  callbackUrl: Type.Optional(Type.Union([CallbackUrl, Type.Null()], {
    description: 'an absolute http(s) URL of at most 2048 characters, or null to remove it'
  })),
  ...grants
}))
export type UpdateDeveloperRequest = Static<typeof UpdateDeveloperRequest>

/** detail, rotate, disable and enable: `{"requestObject": {"id": 1}}`. */
export const DeveloperIdRequest = RequestEnvelope(Type.Object({ id: NumericId }))
export type DeveloperIdRequest = Static<typeof DeveloperIdRequest>

export const DeveloperApplication = Type.Object({
  appId: AppIdAnswer,
  carrierDomain: Type.Union([Type.String(), Type.Null()])
})
export type DeveloperApplication = Static<typeof DeveloperApplication>

/** A developer as the admin API shows it: never the secret. Timestamps are ISO 8601. */
export const DeveloperView = Type.Object({
  id: Type.Integer(),
  key: Type.String(),
  name: Type.String(),
  callbackUrl: Type.Union([Type.String(), Type.Null()]),
  enabled: Type.Boolean(),
  applications: Type.Array(DeveloperApplication),
  timestampCreated: Type.String(),
  timestampSecretRotated: Type.String()
})
export type DeveloperView = Static<typeof DeveloperView>

/** create and rotate only: the one time the secret is shown. */
export const DeveloperWithSecret = Type.Object({
  ...DeveloperView.properties,
  secret: Type.String()
})
export type DeveloperWithSecret = Static<typeof DeveloperWithSecret>

export const DeveloperResponse = OkObjectResponse(DeveloperView)
export const DeveloperSecretResponse = OkObjectResponse(DeveloperWithSecret)
export const DeveloperListResponse = OkObjectResponse(Type.Object({ developerList: Type.Array(DeveloperView) }))

/** `GET|POST /api/1.0/debug/echo`: what the server received, for developers testing their signing. */
export const DebugEchoResponse = Type.Object({
  developerKey: Type.String(),
  method: Type.String(),
  /** The request target exactly as received (the signed one). */
  uri: Type.String(),
  /** The parsed JSON body, or null without one (or with a non-JSON one). */
  body: Type.Unknown()
})
export type DebugEchoResponse = Static<typeof DebugEchoResponse>
