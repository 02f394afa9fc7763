import type { Pipeline } from '@beacon/testkit'
import { androidToken, iosToken } from '@beacon/testkit'
import { PROVIDER_DELAY_MS } from './settings.js'

export interface SeededDevice {
  id: bigint
  token: string
  platform: 'APNS' | 'FCM'
  userId: string
}

/**
 * Registers `count` devices of application `appId` straight in the database (the api would take
 * seconds for thousands), alternately iOS and Android (or all of `platform`), `perUser` devices per user
 * (`<prefix>-<n>`), and makes both provider mocks answer each of them after PROVIDER_DELAY_MS.
 */
export async function seedDevices (stack: Pipeline, appId: number, count: number, options: { prefix: string, perUser?: number, platform?: 'APNS' | 'FCM' }): Promise<SeededDevice[]> {
  const perUser = options.perUser ?? 1
  const { id: applicationId } = await stack.db.application.findUniqueOrThrow({ where: { appId: String(appId) } })
  const planned = Array.from({ length: count }, (_, i) => {
    const platform = options.platform ?? (i % 2 === 0 ? 'APNS' as const : 'FCM' as const)
    return { token: platform === 'APNS' ? iosToken() : androidToken(), platform, userId: `${options.prefix}-${String(Math.floor(i / perUser)).padStart(5, '0')}` }
  })
  const { rows } = await stack.db.pool.query<{ id: string, push_token: string }>(
    `INSERT INTO device (application_id, push_token, platform)
     SELECT $1, t.token, t.platform::"Platform" FROM unnest($2::text[], $3::text[]) AS t(token, platform)
     RETURNING id, push_token`,
    [applicationId, planned.map((d) => d.token), planned.map((d) => d.platform)])
  const ids = new Map(rows.map((row) => [row.push_token, BigInt(row.id)]))
  const devices = planned.map((d) => ({ ...d, id: ids.get(d.token)! }))
  await stack.db.pool.query(
    `INSERT INTO device_activation (application_id, device_id, activation_id, user_id, activation_status, updated_at)
     SELECT $1, t.device_id, t.activation_id, t.user_id, 'ACTIVE', now()
       FROM unnest($2::bigint[], $3::text[], $4::text[]) AS t(device_id, activation_id, user_id)`,
    [applicationId, devices.map((d) => d.id.toString()), devices.map((d) => `act-${d.id}`), devices.map((d) => d.userId)])
  for (const device of devices) answerSlowly(stack, device)
  return devices
}

/** The device's provider answers every request after PROVIDER_DELAY_MS. */
export function answerSlowly (stack: Pipeline, device: SeededDevice, delayMs = PROVIDER_DELAY_MS): void {
  const mock = device.platform === 'APNS' ? stack.apns : stack.fcm
  mock.script(device.token, { kind: 'slow', delayMs })
}

/** The distinct users of `devices`, in order. */
export const usersOf = (devices: SeededDevice[]): string[] => [...new Set(devices.map((d) => d.userId))]
