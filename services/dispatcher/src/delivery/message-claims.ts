import type { ProviderPlatform, SendCommand } from '@beacon/contracts'
import type { Db } from '@beacon/db'
import { earlierClaims, type Claim } from './claims.js'
import { toTarget, type DeviceRow } from './resolve-devices.js'

// The whole start of a single message in one round trip: the application's credentials version;
// the user's devices in the application, narrowed to one activation when given, `personal` keeping
// only ACTIVE activations, a device with several of the user's activations once; and their claims
// (as claimDevices). No application, no row; an application without matching devices, one row of
// NULL device columns.
const CLAIM_MESSAGE_DEVICES = {
  name: 'beacon-claim-message-devices',
  text: `WITH app AS (SELECT credentials_version FROM application WHERE id = $1),
         targets AS (
           SELECT DISTINCT d.id, d.push_token, d.platform, d.environment
             FROM device_activation a JOIN device d ON d.id = a.device_id
            WHERE a.application_id = $1 AND a.user_id = $2
              AND ($3::text IS NULL OR a.activation_id = $3)
              AND (NOT $4::boolean OR a.activation_status = 'ACTIVE')),
         claimed AS (
           INSERT INTO message_delivery (message_id, device_id, platform)
           SELECT $5::uuid, t.id, t.platform FROM targets t WHERE EXISTS (SELECT 1 FROM app)
           ON CONFLICT (message_id, device_id) DO NOTHING
           RETURNING device_id)
         SELECT app.credentials_version, t.id, t.push_token, t.platform::text AS platform, t.environment::text AS environment,
                c.device_id IS NOT NULL AS mine
           FROM app LEFT JOIN targets t ON true LEFT JOIN claimed c ON c.device_id = t.id
          ORDER BY t.id`
}

interface Row extends Omit<DeviceRow, 'id' | 'push_token' | 'platform'> {
  credentials_version: number
  id: string | null
  push_token: string | null
  platform: ProviderPlatform | null
  mine: boolean
}

/**
 * Resolves and claims a single message's devices, reading the application's credentials
 * version on the way: `credentialsVersion` null when the application is gone (nothing claimed).
 * Devices claimed before (an earlier holder of the command) come back as `earlier`.
 */
export async function claimMessageDevices (db: Db, command: SendCommand): Promise<{ credentialsVersion: number | null, claim: Claim }> {
  const { rows } = await db.pool.query<Row>({
    ...CLAIM_MESSAGE_DEVICES,
    values: [command.applicationId, command.userId, command.activationId ?? null, command.personal, command.messageId]
  })
  if (rows.length === 0) return { credentialsVersion: null, claim: { mine: [], earlier: [] } }
  const devices = rows.filter((row) => row.id !== null) as Array<Row & DeviceRow>
  const mine = devices.filter((row) => row.mine).map(toTarget)
  const others = devices.filter((row) => !row.mine).map((row) => row.id)
  const earlier = others.length === 0 ? [] : await earlierClaims(db, { kind: 'message', messageId: command.messageId }, others)
  return { credentialsVersion: rows[0]!.credentials_version, claim: { mine, earlier } }
}
