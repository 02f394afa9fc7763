import type { ApnsEnvironment, Application, Db, Platform } from '@beacon/db'
import type { ActivationOwner } from './device-owners.js'
import { deleteDevicesLeftEmpty, deviceTransaction, lockActivations, type Tx } from './device-transaction.js'

export interface DeviceRegistration {
  pushToken: string
  platform: Platform
  environment: ApnsEnvironment | null
  /** The activations the token carries from now on, and no others. */
  activations: ActivationOwner[]
}

// INSERT … ON CONFLICT, not find-then-create: two simultaneous registrations of one token meet
// at the unique index, the second waits for the first and then updates the same row.
async function upsertDevice (tx: Tx, applicationId: number, registration: DeviceRegistration): Promise<bigint> {
  const rows = await tx.$queryRaw<Array<{ id: bigint }>>`
    INSERT INTO device (application_id, push_token, platform, environment)
    VALUES (${applicationId}, ${registration.pushToken}, ${registration.platform}::"Platform",
            ${registration.environment}::"ApnsEnvironment")
    ON CONFLICT (application_id, push_token) DO UPDATE
      SET platform = EXCLUDED.platform, environment = EXCLUDED.environment, last_registered_at = now()
    RETURNING id`
  return rows[0]!.id
}

// Sorted by activation id so that concurrent requests lock shared rows in the same order.
async function upsertActivations (tx: Tx, applicationId: number, deviceId: bigint, owners: ActivationOwner[]) {
  const sorted = [...owners].sort((a, b) => (a.activationId < b.activationId ? -1 : 1))
  await tx.$executeRaw`
    INSERT INTO device_activation (application_id, device_id, activation_id, user_id, activation_status, updated_at)
    SELECT ${applicationId}, ${deviceId}, given.activation_id, given.user_id, given.status::"ActivationStatus", now()
    FROM unnest(${sorted.map((o) => o.activationId)}::text[], ${sorted.map((o) => o.userId)}::text[],
                ${sorted.map((o) => o.activationStatus)}::text[]) WITH ORDINALITY AS given(activation_id, user_id, status, position)
    ORDER BY given.position
    ON CONFLICT (application_id, activation_id) DO UPDATE
      SET device_id = EXCLUDED.device_id, user_id = EXCLUDED.user_id,
          activation_status = EXCLUDED.activation_status, updated_at = now()`
}

/**
 * `/push/device/create` and `/create/multi`: the token's device row is created or refreshed, and
 * its activations become exactly the given ones. An activation registered on another token of
 * the application moves here (the app's token rotated); a token that loses its last activation
 * that way is deleted.
 */
export async function registerDevice (db: Db, application: Application, registration: DeviceRegistration): Promise<void> {
  const activationIds = registration.activations.map((owner) => owner.activationId)
  await deviceTransaction(db, async (tx) => {
    await lockActivations(tx, activationIds)
    const deviceId = await upsertDevice(tx, application.id, registration)
    const previous = await tx.deviceActivation.findMany({
      where: { applicationId: application.id, activationId: { in: activationIds }, deviceId: { not: deviceId } },
      select: { deviceId: true }
    })
    await tx.deviceActivation.deleteMany({ where: { deviceId, activationId: { notIn: activationIds } } })
    await upsertActivations(tx, application.id, deviceId, registration.activations)
    await deleteDevicesLeftEmpty(tx, previous.map((row) => row.deviceId))
  })
}
