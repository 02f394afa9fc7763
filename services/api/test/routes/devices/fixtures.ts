import type { FastifyInstance } from 'fastify'

/** An application as the admin API would store it; only its PowerAuth id matters to devices. */
export async function createApplication (app: FastifyInstance, appId: number, name = `app ${appId}`) {
  return app.db.application.create({ data: { appId: String(appId), name } })
}

export interface StoredDevice {
  appId: number
  token: string
  platform: string
  environment: string | null
  activations: Array<{ activationId: string, userId: string | null, activationStatus: string }>
}

/** Every stored device with its activations, in a stable order, for comparing whole states. */
export async function storedDevices (app: FastifyInstance): Promise<StoredDevice[]> {
  const devices = await app.db.device.findMany({
    include: { application: true, activations: { orderBy: { activationId: 'asc' } } },
    orderBy: [{ applicationId: 'asc' }, { pushToken: 'asc' }]
  })
  return devices.map((device) => ({
    appId: Number(device.application.appId),
    token: device.pushToken,
    platform: device.platform,
    environment: device.environment,
    activations: device.activations.map(({ activationId, userId, activationStatus }) => ({ activationId, userId, activationStatus }))
  }))
}

/** Registrations whose device row has no activation left: must never exist after a request. */
export async function emptyDeviceCount (app: FastifyInstance): Promise<number> {
  return app.db.device.count({ where: { activations: { none: {} } } })
}

export const OK = { status: 'OK' }
