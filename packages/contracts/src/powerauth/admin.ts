import { Type, type Static } from 'typebox'
import { AppId, AppIdAnswer, AppIdText } from '../http/app-id.js'
import { ApnsEnvironmentInput, Base64String, NumericId } from '../http/common.js'
import { OkObjectResponse, RequestEnvelope } from '../http/envelope.js'

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()])

/**
 * The carrier domain of the signed developer API (`username@<carrierDomain>`): a DNS name of
 * letter-digit-hyphen labels separated by dots. Any case is accepted; it is stored in lower case.
 */
export const CarrierDomain = Type.String({
  minLength: 1,
  maxLength: 253,
  pattern: '^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$',
  description: 'a DNS name such as carrier.example (labels of letters, digits and inner hyphens, separated by dots)'
})

/**
 * `id` is Beacon's internal id, `appId` the PowerAuth application id (a number when it is canonical
 * decimal, see appIdAnswer). PowerAuth 1.0 clients read `id`, `appId`, `appName`, `ios`, `android`;
 * newer ones `appId`, `ios`, `android`, and since the APNs/FCM naming `apns` and `fcm` (Jackson
 * ignores the rest). `carrierDomain` is present only when the application has one.
 */
export const ApplicationSummary = Type.Object({
  id: Nullable(Type.Integer()),
  appId: Nullable(AppIdAnswer),
  appName: Type.String(),
  ios: Nullable(Type.Boolean()),
  android: Nullable(Type.Boolean()),
  apns: Type.Optional(Nullable(Type.Boolean())),
  fcm: Type.Optional(Nullable(Type.Boolean())),
  carrierDomain: Type.Optional(Type.String())
})
export type ApplicationSummary = Static<typeof ApplicationSummary>

/**
 * `/admin/app/list` and `/admin/app/unconfigured/list`. Unconfigured entries are PowerAuth's
 * applications: the PowerAuth id in `id` as PowerAuth 1.0 answered (null when it is not a number),
 * and in `appId` as newer versions answer (null for a PowerAuth server of numeric ids, as the
 * 1.0 answer had it); the rest null.
 */
export const ApplicationListResponse = OkObjectResponse(Type.Object({
  applicationList: Type.Array(ApplicationSummary)
}))

/**
 * How admin requests name the application: PowerAuth 1.0 by Beacon's (its push server's) internal
 * `id`, PowerAuth 1.3 and later by the PowerAuth `appId`. Exactly one of the two (the api checks).
 */
const applicationRef = {
  id: Type.Optional(NumericId),
  appId: Type.Optional(AppId)
}

/** `includeIos|includeAndroid` (up to 1.9) and `includeApns|includeFcm` (newer) ask for the same settings under their names. */
export const ApplicationDetailRequest = RequestEnvelope(Type.Object({
  ...applicationRef,
  includeIos: Type.Optional(Type.Boolean()),
  includeAndroid: Type.Optional(Type.Boolean()),
  includeApns: Type.Optional(Type.Boolean()),
  includeFcm: Type.Optional(Type.Boolean())
}))
export type ApplicationDetailRequest = Static<typeof ApplicationDetailRequest>

/**
 * Never carries key material: only the public parts of the provider configuration. The ios*
 * fields are present only with `includeIos`, the apns* ones only with `includeApns`,
 * `androidProjectId` only with `includeAndroid`, `fcmProjectId` only with `includeFcm`; the
 * environment is `development`, `production` or null (unset: devices decide).
 */
export const ApplicationDetailResponse = OkObjectResponse(Type.Object({
  application: ApplicationSummary,
  iosBundle: Type.Optional(Nullable(Type.String())),
  iosKeyId: Type.Optional(Nullable(Type.String())),
  iosTeamId: Type.Optional(Nullable(Type.String())),
  iosEnvironment: Type.Optional(Nullable(Type.String())),
  apnsBundle: Type.Optional(Nullable(Type.String())),
  apnsKeyId: Type.Optional(Nullable(Type.String())),
  apnsTeamId: Type.Optional(Nullable(Type.String())),
  apnsEnvironment: Type.Optional(Nullable(Type.String())),
  androidProjectId: Type.Optional(Nullable(Type.String())),
  fcmProjectId: Type.Optional(Nullable(Type.String()))
}))

export const CreateApplicationRequest = RequestEnvelope(Type.Object({
  appId: AppId,
  appName: Type.Optional(Type.String({
    minLength: 1, maxLength: 255, pattern: '\\S', description: 'a display name of 1 to 255 characters, not only spaces'
  })),
  carrierDomain: Type.Optional(CarrierDomain)
}))
export type CreateApplicationRequest = Static<typeof CreateApplicationRequest>

/** PowerAuth 1.0 reads Beacon's internal `id`, 1.3 and later the `appId` it created. */
export const CreateApplicationResponse = OkObjectResponse(Type.Object({ id: Type.Integer(), appId: AppIdAnswer }))

/** `PUT /admin/app/carrier`: sets the carrier domain of an application; null clears it. */
export const UpdateCarrierRequest = RequestEnvelope(Type.Object({
  appId: AppId,
  carrierDomain: Type.Union([CarrierDomain, Type.Null()], {
    description: 'a DNS name such as carrier.example, or null to remove the carrier domain'
  })
}))
export type UpdateCarrierRequest = Static<typeof UpdateCarrierRequest>

/** ios/remove and android/remove: `id` (PowerAuth 1.0) or `appId` (1.3 and later). */
export const ApplicationIdRequest = RequestEnvelope(Type.Object(applicationRef))
export type ApplicationIdRequest = Static<typeof ApplicationIdRequest>

const apnsFields = {
  bundle: Type.String({ minLength: 1, maxLength: 255, pattern: '^[A-Za-z0-9.\\-]+$', description: 'a bundle id (letters, digits, dots, hyphens), the APNs topic' }),
  keyId: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9]+$', description: 'an APNs key id (letters and digits)' }),
  teamId: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9]+$', description: 'an Apple team id (letters and digits)' }),
  environment: Type.Optional(ApnsEnvironmentInput),
  privateKeyBase64: Base64String
}
const fcmFields = {
  projectId: Type.String({ minLength: 1, maxLength: 255, pattern: '^[A-Za-z0-9][A-Za-z0-9\\-:.]*$', description: 'a Firebase project id (letters, digits, hyphens, dots, colons)' }),
  privateKeyBase64: Base64String
}

export const UpdateIosRequest = RequestEnvelope(Type.Object({ ...applicationRef, ...apnsFields }))
export type UpdateIosRequest = Static<typeof UpdateIosRequest>

export const UpdateAndroidRequest = RequestEnvelope(Type.Object({ ...applicationRef, ...fcmFields }))
export type UpdateAndroidRequest = Static<typeof UpdateAndroidRequest>

/** Newer PowerAuth: `/admin/app/apns` addressed by the PowerAuth `appId`. */
export const UpsertApnsRequest = RequestEnvelope(Type.Object({ appId: AppId, ...apnsFields }))
export type UpsertApnsRequest = Static<typeof UpsertApnsRequest>

export const UpsertFcmRequest = RequestEnvelope(Type.Object({ appId: AppId, ...fcmFields }))
export type UpsertFcmRequest = Static<typeof UpsertFcmRequest>

/** `DELETE /admin/app/apns|fcm?appId=`: query values are text (`?appId=2` is the application "2"). */
export const AppIdQuery = Type.Object({ appId: AppIdText })
export type AppIdQuery = Static<typeof AppIdQuery>

/**
 * PowerAuth 1.9's Huawei (HMS) endpoints, `/admin/app/huawei/update|remove`: Beacon has no HMS
 * sender, so an update is refused with the reason and a removal has nothing to remove. The
 * credentials are read only to be refused (never stored or logged).
 */
export const UpdateHuaweiRequest = RequestEnvelope(Type.Object({
  appId: AppId,
  projectId: Type.Optional(Type.String()),
  clientId: Type.Optional(Type.String()),
  clientSecret: Type.Optional(Type.String())
}))
export type UpdateHuaweiRequest = Static<typeof UpdateHuaweiRequest>
export const RemoveHuaweiRequest = RequestEnvelope(Type.Object({ appId: AppId }))
export type RemoveHuaweiRequest = Static<typeof RemoveHuaweiRequest>
