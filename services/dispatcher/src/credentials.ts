import type { Db, SecretBox } from '@beacon/db'

export interface ApnsCredentials {
  bundle: string
  keyId: string
  teamId: string
  /** The application's default APNs environment, for devices that registered none. */
  production: boolean
  privateKeyPem: string
}

export interface FcmServiceAccount {
  project_id: string
  client_email: string
  private_key: string
  token_uri: string
}

export interface FcmCredentials { projectId: string, serviceAccount: FcmServiceAccount }

export interface ApplicationCredentials {
  id: number
  appId: bigint
  /** Changes whenever the admin changes credentials: provider clients are keyed on it. */
  version: number
  apns: ApnsCredentials | null
  fcm: FcmCredentials | null
}

interface CredentialsRow {
  id: number
  appId: string
  credentialsVersion: number
  apnsBundle: string | null
  apnsKeyId: string | null
  apnsTeamId: string | null
  apnsEnvironment: 'SANDBOX' | 'PRODUCTION' | null
  apnsPrivateKey: Buffer | null
  fcmProjectId: string | null
  fcmServiceAccount: Buffer | null
}

// The dispatcher reads through the pool only: Prisma's query engine (WebAssembly) is never
// loaded in this process, tens of MB of RSS kept for the heap.
const CREDENTIALS = {
  name: 'beacon-credentials',
  text: `SELECT id, app_id AS "appId", credentials_version AS "credentialsVersion", apns_bundle AS "apnsBundle",
                apns_key_id AS "apnsKeyId", apns_team_id AS "apnsTeamId", apns_environment::text AS "apnsEnvironment",
                apns_private_key AS "apnsPrivateKey", fcm_project_id AS "fcmProjectId", fcm_service_account AS "fcmServiceAccount"
           FROM application WHERE id = $1`
}

// The version alone, through the pool as a named statement: the whole row (sealed keys included)
// is read only when it changed.
const CREDENTIALS_VERSION = { name: 'beacon-credentials-version', text: 'SELECT credentials_version FROM application WHERE id = $1' }

/**
 * Application credentials, opened from their sealed form. The version is read for every command
 * (one primary-key lookup, or a column of the command's own statement) so a change is seen at
 * once; the row is read and opened again only when the version moved.
 */
export function createCredentialStore (db: Db, secrets: SecretBox) {
  const cache = new Map<number, ApplicationCredentials>()

  /** The credentials at `version` (read with the command's own statement); null: no such application. */
  async function atVersion (applicationId: number, version: number | null): Promise<ApplicationCredentials | null> {
    if (version === null) { cache.delete(applicationId); return null }
    const cached = cache.get(applicationId)
    if (cached?.version === version) return cached
    const { rows: [row] } = await db.pool.query<CredentialsRow>({ ...CREDENTIALS, values: [applicationId] })
    if (row === undefined) { cache.delete(applicationId); return null }
    const apns = row.apnsPrivateKey !== null && row.apnsBundle !== null && row.apnsKeyId !== null && row.apnsTeamId !== null
      ? {
          bundle: row.apnsBundle,
          keyId: row.apnsKeyId,
          teamId: row.apnsTeamId,
          production: row.apnsEnvironment !== 'SANDBOX',
          privateKeyPem: secrets.open(row.apnsPrivateKey).toString('utf8')
        }
      : null
    const fcm = row.fcmServiceAccount !== null && row.fcmProjectId !== null
      ? { projectId: row.fcmProjectId, serviceAccount: JSON.parse(secrets.open(row.fcmServiceAccount).toString('utf8')) as FcmServiceAccount }
      : null
    const credentials = { id: row.id, appId: BigInt(row.appId), version: row.credentialsVersion, apns, fcm }
    cache.set(applicationId, credentials)
    return credentials
  }

  return {
    atVersion,
    async load (applicationId: number): Promise<ApplicationCredentials | null> {
      const { rows } = await db.pool.query<{ credentials_version: number }>({ ...CREDENTIALS_VERSION, values: [applicationId] })
      return atVersion(applicationId, rows[0]?.credentials_version ?? null)
    }
  }
}
export type CredentialStore = ReturnType<typeof createCredentialStore>
