import { generateKeyPairSync } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import type { Test } from 'tap'
import { call } from '../../helper.js'

/** Text to base64, the form every credential upload takes. */
export const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64')

/** A fresh EC private key in PKCS#8 PEM, as Apple's .p8 files are (P-256 unless told otherwise). */
export function ecKeyPem (namedCurve = 'prime256v1'): string {
  return generateKeyPairSync('ec', { namedCurve }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
}

let rsaPem: string | undefined
/** One RSA key per test file: generating them is slow and any RSA key will do. */
export function rsaKeyPem (): string {
  rsaPem ??= generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
  return rsaPem
}

/** A service-account key file as the Firebase console issues it. */
export function serviceAccount (overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'service_account',
    project_id: 'beacon-test',
    private_key_id: '0123456789abcdef',
    private_key: rsaKeyPem(),
    client_email: 'push@beacon-test.iam.gserviceaccount.com',
    client_id: '1234567890',
    token_uri: 'https://oauth2.googleapis.com/token',
    ...overrides
  }
}

/** Creates an application through the API and returns its internal id. */
export async function createApp (t: Test, app: FastifyInstance, appId: number | string, appName?: string): Promise<number> {
  const response = await call(app, 'POST', '/admin/app/create', { requestObject: { appId, ...(appName === undefined ? {} : { appName }) } })
  t.equal(response.statusCode, 200, `application ${appId} created`)
  return response.json().responseObject.id
}

export interface StoredCredentials {
  apns_bundle: string | null
  apns_key_id: string | null
  apns_team_id: string | null
  apns_environment: string | null
  apns_private_key: Uint8Array | null
  fcm_project_id: string | null
  fcm_service_account: Uint8Array | null
  credentials_version: number
}

/** The credential columns exactly as PostgreSQL holds them, bypassing every mapping of ours. */
export async function storedCredentials (app: FastifyInstance, id: number): Promise<StoredCredentials> {
  const rows = await app.db.$queryRaw<StoredCredentials[]>`
    SELECT apns_bundle, apns_key_id, apns_team_id, apns_environment::text AS apns_environment, apns_private_key,
           fcm_project_id, fcm_service_account, credentials_version
    FROM application WHERE id = ${id}`
  const row = rows[0]
  if (row === undefined) throw new Error(`no application ${id}`)
  return row
}

/** The ios* fields of a detail answer for an application without APNs credentials. */
export const unconfiguredIos = { iosBundle: null, iosKeyId: null, iosTeamId: null, iosEnvironment: null }

/** Distinctive pieces of a PEM key: its body lines. Any of them in a response means a leak. */
export function pemBodyLines (pem: string): string[] {
  return pem.split('\n').filter((line) => line !== '' && !line.startsWith('-----'))
}

/** Asserts that no response body carries any of the secrets, in any of the forms given. */
export function assertNothingLeaked (t: Test, bodies: string[], secrets: string[]) {
  const leaks = bodies.flatMap((body) => secrets.filter((secret) => body.includes(secret)))
  t.same(leaks, [], `no secret in any of ${bodies.length} responses`)
  t.notOk(bodies.some((body) => /-----BEGIN|KEY-----/.test(body)), 'no PEM armour in any response')
}
