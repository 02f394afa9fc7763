import type { ProviderPlatform } from '@beacon/contracts'
import { DbErrorCode, isVersion1Retired, SealedSecretError, type Db, type SealedPlace, type SecretBox } from '@beacon/db'

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
  appId: string
  /** Changes whenever the admin changes credentials: provider clients are keyed on it. */
  version: number
  apns: ApnsCredentials | null
  fcm: FcmCredentials | null
  /**
   * Per platform, the error code of stored credentials that do not open as this application's:
   * DB_SECRET_UNREADABLE (copied from another row or column, sealed under another MASTER_KEY, or
   * altered) or DB_SECRET_LEGACY_FORMAT (version 1, found after the one-time upgrade). That
   * platform's sends fail naming the configuration; the other platform is unaffected.
   */
  unreadable?: Partial<Record<ProviderPlatform, DbErrorCode>>
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

/** Where unreadable credentials are reported (the dispatcher's pino logger). */
export interface CredentialsLog { error (entry: Record<string, unknown>, message: string): void }

/**
 * Application credentials, opened from their sealed form. The version is read for every command
 * (one primary-key lookup, or a column of the command's own statement) so a change is seen at
 * once; the row is read and opened again only when the version moved.
 */
export function createCredentialStore (db: Db, secrets: SecretBox, log: CredentialsLog) {
  const cache = new Map<number, ApplicationCredentials>()
  // Once the upgrade is recorded it stays so: asked of the database until then, and only when a
  // version-1 value is met.
  let version1Retired = false

  /**
   * The opened value, or why it cannot be used. A value of the version-1 format throws while the
   * one-time upgrade is pending (the api does it when it starts, so the command is retried, with
   * backoff, rather than failed); once the upgrade is recorded it is unreadable like any other
   * value that does not open as this application's: it may have been planted from an old backup.
   */
  async function open (row: CredentialsRow, place: SealedPlace, sealed: Buffer): Promise<{ plaintext: string } | { unreadable: DbErrorCode }> {
    try {
      return { plaintext: secrets.open(place, sealed).toString('utf8') }
    } catch (error) {
      if (!(error instanceof SealedSecretError)) throw error
      if (error.code === DbErrorCode.SECRET_LEGACY_FORMAT) {
        version1Retired ||= await isVersion1Retired(db.pool)
        if (!version1Retired) throw error
      }
      log.error({ applicationId: row.id, appId: row.appId, column: error.column, code: error.code },
        'stored credentials cannot be opened: this platform\'s sends of the application fail until they are uploaded again')
      return { unreadable: error.code }
    }
  }

  /** The credentials at `version` (read with the command's own statement); null: no such application. */
  async function atVersion (applicationId: number, version: number | null): Promise<ApplicationCredentials | null> {
    if (version === null) { cache.delete(applicationId); return null }
    const cached = cache.get(applicationId)
    if (cached?.version === version) return cached
    const { rows: [row] } = await db.pool.query<CredentialsRow>({ ...CREDENTIALS, values: [applicationId] })
    if (row === undefined) { cache.delete(applicationId); return null }
    const unreadable: Partial<Record<ProviderPlatform, DbErrorCode>> = {}
    let apns: ApnsCredentials | null = null
    if (row.apnsPrivateKey !== null && row.apnsBundle !== null && row.apnsKeyId !== null && row.apnsTeamId !== null) {
      const key = await open(row, { column: 'application.apns_private_key', rowId: row.id }, row.apnsPrivateKey)
      if ('unreadable' in key) unreadable.APNS = key.unreadable
      else {
        apns = {
          bundle: row.apnsBundle,
          keyId: row.apnsKeyId,
          teamId: row.apnsTeamId,
          production: row.apnsEnvironment !== 'SANDBOX',
          privateKeyPem: key.plaintext
        }
      }
    }
    let fcm: FcmCredentials | null = null
    if (row.fcmServiceAccount !== null && row.fcmProjectId !== null) {
      const account = await open(row, { column: 'application.fcm_service_account', rowId: row.id }, row.fcmServiceAccount)
      if ('unreadable' in account) unreadable.FCM = account.unreadable
      else fcm = { projectId: row.fcmProjectId, serviceAccount: JSON.parse(account.plaintext) as FcmServiceAccount }
    }
    const credentials = { id: row.id, appId: row.appId, version: row.credentialsVersion, apns, fcm, unreadable }
    // Unusable credentials are read again for the next command: a value put back in place by hand
    // (without a version bump) is picked up at once.
    if (Object.keys(unreadable).length === 0) cache.set(applicationId, credentials)
    else cache.delete(applicationId)
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
