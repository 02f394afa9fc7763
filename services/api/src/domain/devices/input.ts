import type { CreateDeviceRequest } from '@beacon/contracts'
import { ApnsEnvironment, Platform } from '@beacon/db'

type Registration = CreateDeviceRequest['requestObject']

/** PowerAuth's `ios`/`android` and the newer `apns`/`fcm` name the same two providers. */
export function toPlatform (platform: Registration['platform']): Platform {
  return platform === 'ios' || platform === 'apns' ? Platform.APNS : Platform.FCM
}

/** `development` is PowerAuth's word for APNs' sandbox; null lets the application's default decide. */
export function toEnvironment (environment: Registration['environment']): ApnsEnvironment | null {
  if (environment === undefined) return null
  return environment === 'production' ? ApnsEnvironment.PRODUCTION : ApnsEnvironment.SANDBOX
}
