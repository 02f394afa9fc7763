import type { Application, Db, SecretBox } from '@beacon/db'
import { ApnsEnvironment } from '@beacon/db'
import { readApnsPrivateKey } from './apns.js'
import { readFcmServiceAccount } from './fcm.js'

export type ApnsEnvironmentName = 'development' | 'sandbox' | 'production'

export interface ApnsSettings {
  bundle: string
  keyId: string
  teamId: string
  /** Absent: the application sets none and each device's registered environment decides. */
  environment?: ApnsEnvironmentName | undefined
  privateKeyBase64: string
}

export interface FcmSettings {
  projectId: string
  privateKeyBase64: string
}

/** PowerAuth's `development` is APNs' sandbox. */
export function toApnsEnvironment (name: ApnsEnvironmentName | undefined): ApnsEnvironment | null {
  if (name === undefined) return null
  return name === 'production' ? ApnsEnvironment.PRODUCTION : ApnsEnvironment.SANDBOX
}

// Every change bumps credentialsVersion: dispatchers key their provider clients on it and rebuild
// them when it moves, so a replaced or removed key stops being used without a restart.
const bump = { credentialsVersion: { increment: 1 } } as const

/** Stores (or replaces) the APNs configuration; the key is validated first and stored sealed. */
export async function saveApnsCredentials (db: Db, secrets: SecretBox, application: Application, settings: ApnsSettings): Promise<void> {
  const privateKeyPem = readApnsPrivateKey(settings.privateKeyBase64)
  await db.application.update({
    where: { id: application.id },
    data: {
      apnsBundle: settings.bundle,
      apnsKeyId: settings.keyId,
      apnsTeamId: settings.teamId,
      apnsEnvironment: toApnsEnvironment(settings.environment),
      apnsPrivateKey: new Uint8Array(secrets.seal({ column: 'application.apns_private_key', rowId: application.id }, privateKeyPem)),
      ...bump
    }
  })
}

/** Clears every APNs column of the application. */
export async function removeApnsCredentials (db: Db, application: Application): Promise<void> {
  await db.application.update({
    where: { id: application.id },
    data: { apnsBundle: null, apnsKeyId: null, apnsTeamId: null, apnsEnvironment: null, apnsPrivateKey: null, ...bump }
  })
}

/**
 * Stores (or replaces) the FCM configuration; the service account is validated (its token_uri one
 * of `allowedTokenUris`) and stored sealed.
 */
export async function saveFcmCredentials (
  db: Db, secrets: SecretBox, application: Application, settings: FcmSettings, allowedTokenUris: readonly string[]
): Promise<void> {
  const serviceAccountJson = readFcmServiceAccount(settings.privateKeyBase64, allowedTokenUris)
  await db.application.update({
    where: { id: application.id },
    data: {
      fcmProjectId: settings.projectId,
      fcmServiceAccount: new Uint8Array(secrets.seal({ column: 'application.fcm_service_account', rowId: application.id }, serviceAccountJson)),
      ...bump
    }
  })
}

/** Clears every FCM column of the application. */
export async function removeFcmCredentials (db: Db, application: Application): Promise<void> {
  await db.application.update({
    where: { id: application.id },
    data: { fcmProjectId: null, fcmServiceAccount: null, ...bump }
  })
}
