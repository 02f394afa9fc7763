import type { ApnsEnvironment, Db, Platform } from '@beacon/db'
import { badRequest } from '../../errors.js'
import type { ActivationOwner } from './owners.js'
import { retryTransientConflicts } from './transaction.js'

export interface DeviceRegistration {
  pushToken: string
  platform: Platform
  environment: ApnsEnvironment | null
  /** The activations the token carries from now on, and no others. */
  activations: ActivationOwner[]
}

// A named statement: prepared once per connection, then only bound and executed.
const REGISTER_DEVICE = {
  name: 'beacon-register-device',
  text: `SELECT beacon_register_device($1::text, $2::text, $3::"Platform", $4::"ApnsEnvironment",
                                    $5::text[], $6::text[], $7::"ActivationStatus"[]) AS id`
}

/**
 * `/push/device/create` and `/create/multi`: the token's device row is created or refreshed, and
 * its activations become exactly the given ones. An activation registered on another token of
 * the application moves here (the app's token rotated); a token that loses its last activation
 * that way is deleted. One round trip: the database function `beacon_register_device` (migration
 * 20261130100000) runs the whole transaction — its comments say how it stays safe under
 * concurrent registrations. A 400 when no application has `appId`.
 */
export async function registerDevice (db: Db, appId: string, registration: DeviceRegistration): Promise<void> {
  // Sorted by activation id so that concurrent requests lock shared rows in the same order.
  const owners = [...registration.activations].sort((a, b) => (a.activationId < b.activationId ? -1 : 1))
  const values = [
    appId, registration.pushToken, registration.platform, registration.environment,
    owners.map((o) => o.activationId), owners.map((o) => o.userId), owners.map((o) => o.activationStatus)
  ]
  const { rows } = await retryTransientConflicts(() => db.pool.query<{ id: string | null }>({ ...REGISTER_DEVICE, values }))
  if (rows[0]?.id == null) throw badRequest(`Application with appId ${appId} does not exist`)
}
