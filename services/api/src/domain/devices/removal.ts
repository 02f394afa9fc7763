import type { Db } from '@beacon/db'

/**
 * `/push/device/remove`: forgets the token of the application with PowerAuth id `appId` and,
 * through the foreign key, its activations. Removing a token that is not registered, or one of an
 * application that does not exist, succeeds too: the caller's goal is already met.
 */
export async function removeDevice (db: Db, appId: string, pushToken: string): Promise<number> {
  const { count } = await db.device.deleteMany({ where: { application: { appId }, pushToken } })
  return count
}
