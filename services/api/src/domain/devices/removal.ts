import type { Db, Prisma } from '@beacon/db'
import { deviceTransaction, lockActivations } from './transaction.js'

/**
 * `/push/device/remove`: forgets the token of the application with PowerAuth id `appId` and,
 * through the foreign key, its activations. Removing a token that is not registered, or one of an
 * application that does not exist, succeeds too: the caller's goal is already met.
 */
export async function removeDevice (db: Db, appId: string, pushToken: string): Promise<number> {
  return removeDevices(db, { application: { appId }, pushToken })
}

/**
 * Deletes the devices `where` selects, their activations with them. A registration that moves an
 * activation away from one of them locks the activation's row, then the device's; a bare DELETE
 * locks the device, then (cascading) the activation's row: the two deadlocked, and PostgreSQL
 * failed one of them (a remove racing a token rotation answered 503 about one time in 25). So the
 * activations' locks are taken first, as every registration does, then their rows are deleted
 * before the device's; a conflict left over (an activation added to the device after the look and
 * moved away at once) is tried again.
 */
export async function removeDevices (db: Db, where: Prisma.DeviceWhereInput): Promise<number> {
  return deviceTransaction(db, async (tx) => {
    const held = await tx.deviceActivation.findMany({ where: { device: where }, select: { activationId: true } })
    await lockActivations(tx, held.map((row) => row.activationId))
    // The activations' rows, then the device's: the order a registration takes their row locks.
    await tx.deviceActivation.deleteMany({ where: { device: where } })
    const { count } = await tx.device.deleteMany({ where })
    return count
  })
}
