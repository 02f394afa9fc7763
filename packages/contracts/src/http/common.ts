import { Type } from 'typebox'

/** The largest id that survives a JSON number: PowerAuth ids are Java longs, ours stay exact. */
const SAFE_DIGITS = '^(0|[1-9][0-9]{0,14})$'

/** An application id given as a JSON number or a numeric string (PowerAuth accepts both). */
export const NumericId = Type.Union([
  Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
  Type.String({ pattern: SAFE_DIGITS })
], { description: 'a non-negative integer, as a number or a numeric string' })

/** Platforms: PowerAuth's `ios`/`android` and the newer `apns`/`fcm`. */
export const PlatformInput = Type.Union([
  Type.Literal('ios'), Type.Literal('android'), Type.Literal('apns'), Type.Literal('fcm')
], { description: 'ios, android, apns or fcm' })

/** APNs environment of a device or an application. */
export const ApnsEnvironmentInput = Type.Union([
  Type.Literal('development'), Type.Literal('sandbox'), Type.Literal('production')
], { description: 'development (same as sandbox) or production' })

export const ActivationStatusInput = Type.Union([
  Type.Literal('CREATED'), Type.Literal('PENDING_COMMIT'), Type.Literal('ACTIVE'),
  Type.Literal('BLOCKED'), Type.Literal('REMOVED')
], { description: 'CREATED, PENDING_COMMIT, ACTIVE, BLOCKED or REMOVED' })

export const NonEmptyString = (maxLength: number, description?: string) =>
  Type.String({ minLength: 1, maxLength, ...(description === undefined ? {} : { description }) })

/**
 * Base64 text (standard alphabet, padding optional, whitespace anywhere as in line-wrapped files).
 * The pattern has no ambiguity, so it runs in linear time: whitespace after the data can only be
 * taken by the data class itself or after an `=` (the earlier `…\\s]+={0,2}\\s*$` let two
 * quantifiers share trailing whitespace, quadratic on a long run of spaces).
 */
export const Base64String = Type.String({
  minLength: 1,
  maxLength: 65536,
  pattern: '^[A-Za-z0-9+/\\s]+(?:=\\s*){0,2}$',
  description: 'base64'
})

/**
 * A UUID in its plain form. Ajv's `format: 'uuid'` also takes `urn:uuid:…`, which PostgreSQL's
 * uuid type refuses: a 503 (a database error) where a 400 belongs.
 */
export const Uuid = (description: string) => Type.String({
  pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
  description
})
