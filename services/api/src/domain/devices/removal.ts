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
 * activation away from one of them takes the activation's lock, then its row, then the device's;
 * a bare DELETE locked the device, then (cascading) the activation's row: the two deadlocked, and
 * PostgreSQL failed one of them (a remove racing a token rotation answered 503 about one time in
 * 25). So the activations' locks come first, as in every registration; then the devices' rows,
 * which a registration of the same token takes first too, and which no activation joins while
 * they are held; then the locks of any activation that joined before them. A conflict left over
 * (such an activation moved away at that moment) is tried again.
 */
export async function removeDevices (db: Db, where: Prisma.DeviceWhereInput): Promise<number> {
  return deviceTransaction(db, async (tx) => {
    const activationsOf = async () => (await tx.deviceActivation.findMany({ where: { device: where }, select: { activationId: true } }))
      .map((row) => row.activationId)
    const seen = await activationsOf()
    await lockActivations(tx, seen)
    const devices = await tx.device.findMany({ where, select: { id: true }, orderBy: { id: 'asc' } })
    if (devices.length === 0) return 0
    const ids = devices.map((device) => device.id)
    await tx.$queryRaw`SELECT id FROM device WHERE id = ANY(${ids}::bigint[]) ORDER BY id FOR UPDATE`
    const joined = (await activationsOf()).filter((id) => !seen.includes(id))
    await lockActivations(tx, joined)
    const { count } = await tx.device.deleteMany({ where: { id: { in: ids } } })
    return count
  })
}
