import type { DeviceRemoveRequest, DeviceSearchRequest, RegisteredDevice } from '@beacon/contracts'
import type { Db } from '@beacon/db'
import { badRequest } from '../../errors.js'
import { requireApplicationByAppId } from '../applications/lookup.js'
import { removeDevices } from '../devices/removal.js'
import { decodeCursor, isDigits, pageOf, rowsToRead, type Page } from './page.js'

const LIST = 'devices'

/**
 * A push token shown as its first and last few characters. A token is no secret (sending to it
 * takes the application's APNs or FCM key), but it is a lasting identifier of a person's device:
 * the console only needs to tell tokens apart and match one against a device in hand, and a
 * masked one can be shown, pasted into a ticket or screenshotted without spreading it. At most
 * half of a token is shown (a quarter each side), so a short one is not given away whole.
 */
export function maskToken (token: string): string {
  const quarter = Math.floor(token.length / 4)
  const head = Math.min(6, quarter)
  const tail = Math.min(4, quarter)
  return `${token.slice(0, head)}…${tail === 0 ? '' : token.slice(-tail)}`
}

/**
 * An application's registrations of a user or an activation (or both), newest first, paged by
 * the activation row's id: off the index (application_id, user_id, id), or the unique one of
 * (application_id, activation_id) that holds at most one row. Only the named application's rows.
 */
export async function searchDevices (db: Db, request: DeviceSearchRequest['requestObject']): Promise<Page<RegisteredDevice>> {
  const { appId, userId, activationId } = request
  if (userId === undefined && activationId === undefined) {
    throw badRequest('requestObject must name a userId or an activationId (or both)')
  }
  const after = decodeCursor(LIST, request.cursor, 1, isDigits)
  const application = await requireApplicationByAppId(db, appId)
  const rows = await db.deviceActivation.findMany({
    where: {
      applicationId: application.id,
      ...(userId === undefined ? {} : { userId }),
      ...(activationId === undefined ? {} : { activationId }),
      ...(after === null ? {} : { id: { lt: BigInt(after[0]!) } })
    },
    orderBy: { id: 'desc' },
    take: rowsToRead(request),
    include: { device: true }
  })
  return pageOf(LIST, request, rows, (row) => [String(row.id)], ({ device, ...activation }) => ({
    deviceId: String(device.id),
    platform: device.platform === 'APNS' ? 'apns' as const : 'fcm' as const,
    environment: device.environment === null ? null : device.environment === 'SANDBOX' ? 'sandbox' as const : 'production' as const,
    pushTokenMasked: maskToken(device.pushToken),
    activationId: activation.activationId,
    userId: activation.userId,
    activationStatus: activation.activationStatus,
    timestampCreated: device.createdAt.toISOString(),
    timestampLastRegistered: device.lastRegisteredAt.toISOString(),
    timestampActivationUpdated: activation.updatedAt.toISOString()
  }))
}

/** Removes one device of the named application (and its activations); another application's device id removes nothing. */
export async function removeDeviceById (db: Db, request: DeviceRemoveRequest['requestObject']): Promise<{ removed: boolean }> {
  const application = await requireApplicationByAppId(db, request.appId)
  const count = await removeDevices(db, { id: BigInt(request.deviceId), applicationId: application.id })
  return { removed: count === 1 }
}
