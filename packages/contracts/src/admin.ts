import { Type, type Static } from 'typebox'
import { ApnsEnvironmentInput, Base64String, NumericId } from './common.js'
import { OkObjectResponse, RequestEnvelope } from './envelope.js'

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
 * `id` is Beacon's internal id, `appId` the PowerAuth application id. `carrierDomain` is present
 * only when the application has one (PowerAuth's own fields stay exactly as PowerAuth has them).
 */
export const ApplicationSummary = Type.Object({
  id: Type.Integer(),
  appId: Nullable(Type.Integer()),
  appName: Type.String(),
  ios: Nullable(Type.Boolean()),
  android: Nullable(Type.Boolean()),
  carrierDomain: Type.Optional(Type.String())
})
export type ApplicationSummary = Static<typeof ApplicationSummary>

/** `/admin/app/list` and `/admin/app/unconfigured/list` (there `id` is the PowerAuth id, the rest null). */
export const ApplicationListResponse = OkObjectResponse(Type.Object({
  applicationList: Type.Array(ApplicationSummary)
}))

export const ApplicationDetailRequest = RequestEnvelope(Type.Object({
  id: NumericId,
  includeIos: Type.Optional(Type.Boolean()),
  includeAndroid: Type.Optional(Type.Boolean())
}))
export type ApplicationDetailRequest = Static<typeof ApplicationDetailRequest>

/**
 * Never carries key material: only the public parts of the provider configuration. The ios*
 * fields are present only with `includeIos`, `androidProjectId` only with `includeAndroid`;
 * `iosEnvironment` is `development`, `production` or null (unset: devices decide).
 */
export const ApplicationDetailResponse = OkObjectResponse(Type.Object({
  application: ApplicationSummary,
  iosBundle: Type.Optional(Nullable(Type.String())),
  iosKeyId: Type.Optional(Nullable(Type.String())),
  iosTeamId: Type.Optional(Nullable(Type.String())),
  iosEnvironment: Type.Optional(Nullable(Type.String())),
  androidProjectId: Type.Optional(Nullable(Type.String()))
}))

export const CreateApplicationRequest = RequestEnvelope(Type.Object({
  appId: NumericId,
  appName: Type.Optional(Type.String({
    minLength: 1, maxLength: 255, pattern: '\\S', description: 'a display name of 1 to 255 characters, not only spaces'
  })),
  carrierDomain: Type.Optional(CarrierDomain)
}))
export type CreateApplicationRequest = Static<typeof CreateApplicationRequest>

export const CreateApplicationResponse = OkObjectResponse(Type.Object({ id: Type.Integer() }))

/** `PUT /admin/app/carrier`: sets the carrier domain of an application; null clears it. */
export const UpdateCarrierRequest = RequestEnvelope(Type.Object({
  appId: NumericId,
  carrierDomain: Type.Union([CarrierDomain, Type.Null()], {
    description: 'a DNS name such as carrier.example, or null to remove the carrier domain'
  })
}))
export type UpdateCarrierRequest = Static<typeof UpdateCarrierRequest>

export const ApplicationIdRequest = RequestEnvelope(Type.Object({ id: NumericId }))
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

export const UpdateIosRequest = RequestEnvelope(Type.Object({ id: NumericId, ...apnsFields }))
export type UpdateIosRequest = Static<typeof UpdateIosRequest>

export const UpdateAndroidRequest = RequestEnvelope(Type.Object({ id: NumericId, ...fcmFields }))
export type UpdateAndroidRequest = Static<typeof UpdateAndroidRequest>

/** Newer PowerAuth: `/admin/app/apns` addressed by the PowerAuth `appId`. */
export const UpsertApnsRequest = RequestEnvelope(Type.Object({ appId: NumericId, ...apnsFields }))
export type UpsertApnsRequest = Static<typeof UpsertApnsRequest>

export const UpsertFcmRequest = RequestEnvelope(Type.Object({ appId: NumericId, ...fcmFields }))
export type UpsertFcmRequest = Static<typeof UpsertFcmRequest>

/** `DELETE /admin/app/apns|fcm?appId=`: query values are strings, hence no NumericId union. */
export const AppIdQuery = Type.Object({
  appId: Type.String({ pattern: '^(0|[1-9][0-9]{0,14})$', description: 'a non-negative integer (the PowerAuth application id)' })
})
export type AppIdQuery = Static<typeof AppIdQuery>
