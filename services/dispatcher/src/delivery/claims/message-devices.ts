import type { ProviderPlatform, SendCommand } from '@beacon/contracts'
import type { Db } from '@beacon/db'
import type { EarlierDelivery } from './claims.js'
import { toTarget, type DeviceTarget } from './resolve-devices.js'

// The whole start of a single message in one round trip: the application's credentials version;
// the user's devices in the application, narrowed to one activation when given, `personal` keeping
// only ACTIVE activations, a device with several of the user's activations once; and the claims
// already made for the message (an earlier holder of the command), whether or not their devices
// still resolve. Nothing is claimed here: devices are claimed as their requests are made. No
// application, no row.
const MESSAGE_DEVICES = {
  name: 'beacon-message-devices',
  text: `WITH app AS (SELECT credentials_version FROM application WHERE id = $1)
         SELECT 'app' AS kind, app.credentials_version, NULL::bigint AS id, NULL::text AS push_token, NULL::text AS platform,
                NULL::text AS environment, NULL::text AS status
           FROM app
         UNION ALL
         SELECT DISTINCT 'device', NULL::int, d.id, d.push_token, d.platform::text, d.environment::text, NULL::text
           FROM device_activation a JOIN device d ON d.id = a.device_id
          WHERE a.application_id = $1 AND a.user_id = $2
            AND ($3::text IS NULL OR a.activation_id = $3)
            AND (NOT $4::boolean OR a.activation_status = 'ACTIVE')
            AND EXISTS (SELECT 1 FROM app)
         UNION ALL
         SELECT 'claim', NULL::int, m.device_id, NULL, m.platform::text, NULL, m.status::text
           FROM message_delivery m WHERE m.message_id = $5::uuid`
}

interface Row {
  kind: 'app' | 'device' | 'claim'
  credentials_version: number | null
  id: string
  push_token: string
  platform: ProviderPlatform
  environment: DeviceTarget['environment']
  status: EarlierDelivery['status']
}

export interface MessageDevices {
  /** null: the application is gone. */
  credentialsVersion: number | null
  /** The user's devices to send, in id order: never claimed, or claimed by an earlier holder that recorded no answer. */
  unclaimed: DeviceTarget[]
  /** Claims made before: an earlier holder's. */
  earlier: EarlierDelivery[]
  /** An earlier holder's PENDING claims whose device is gone: to be released. */
  orphaned: bigint[]
}

/** Resolves a single message's devices and what an earlier holder of the command did with them. */
export async function resolveMessageDevices (db: Db, command: SendCommand): Promise<MessageDevices> {
  const { rows } = await db.pool.query<Row>({
    ...MESSAGE_DEVICES,
    values: [command.applicationId, command.userId, command.activationId ?? null, command.personal, command.messageId]
  })
  const app = rows.find((row) => row.kind === 'app')
  const earlier = rows.filter((row) => row.kind === 'claim')
    .map((row): EarlierDelivery => ({ deviceId: BigInt(row.id), platform: row.platform, status: row.status, chunk: null }))
  const answered = new Set(earlier.filter((e) => e.status !== 'PENDING').map((e) => e.deviceId))
  const devices = rows.filter((row) => row.kind === 'device').map(toTarget)
  const unclaimed = devices.filter((t) => !answered.has(t.id)).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  const resolved = new Set(devices.map((t) => t.id))
  const orphaned = earlier.filter((e) => e.status === 'PENDING' && !resolved.has(e.deviceId)).map((e) => e.deviceId)
  return { credentialsVersion: app?.credentials_version ?? null, unclaimed, earlier, orphaned }
}
