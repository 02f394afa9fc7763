import type { ActivationStatus, Db } from '@beacon/db'
import { deleteDevicesLeftEmpty, deviceTransaction, lockActivations } from './transaction.js'

export interface StatusChange {
  activationId: string
  activationStatus: ActivationStatus
  /** Set when PowerAuth said who owns the activation; undefined keeps the stored user id. */
  userId?: string | null
}

/**
 * `/push/device/status/update`: every registration of the activation, in every application, takes
 * the new status (and, when PowerAuth told us, the user id). REMOVED unregisters the activation,
 * and a token left without activations goes with it. An activation nobody registered changes
 * nothing. Returns the number of registrations touched.
 */
export async function updateActivationStatus (db: Db, change: StatusChange): Promise<number> {
  const { activationId, activationStatus, userId } = change
  return deviceTransaction(db, async (tx) => {
    await lockActivations(tx, [activationId])
    if (activationStatus !== 'REMOVED') {
      const { count } = await tx.deviceActivation.updateMany({
        where: { activationId },
        data: { activationStatus, ...(userId === undefined ? {} : { userId }) }
      })
      return count
    }
    const registered = await tx.deviceActivation.findMany({ where: { activationId }, select: { deviceId: true } })
    const { count } = await tx.deviceActivation.deleteMany({ where: { activationId } })
    await deleteDevicesLeftEmpty(tx, registered.map((row) => row.deviceId))
    return count
  })
}
