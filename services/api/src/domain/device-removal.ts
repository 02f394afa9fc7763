import type { Application, Db } from '@beacon/db'

/**
 * `/push/device/remove`: forgets the token and, through the foreign key, its activations.
 * Removing a token that is not registered succeeds too: the caller's goal is already met.
 */
export async function removeDevice (db: Db, application: Application, pushToken: string): Promise<number> {
  const { count } = await db.device.deleteMany({ where: { applicationId: application.id, pushToken } })
  return count
}
