import type { ProviderPlatform } from '@beacon/contracts'
import type { Db } from '@beacon/db'
import type { DeviceTarget } from './resolve-devices.js'

export interface EarlierDelivery {
  deviceId: bigint
  platform: ProviderPlatform
  status: 'PENDING' | 'SENT' | 'FAILED' | 'EXPIRED'
  /** Campaigns: the chunk that claimed it (null for messages). */
  chunk: number | null
}

export interface Claim {
  /** Devices this holder now owns: nobody sent them this message before. */
  mine: DeviceTarget[]
  /** Devices claimed before: by an earlier holder of the command, or (campaigns) another chunk. */
  earlier: EarlierDelivery[]
}

/** Where claims of a message or of a campaign are kept. */
export type ClaimScope = { kind: 'message', messageId: string } | { kind: 'campaign', campaignId: string, chunk: number }

// Named statements (prepared once per connection), one pair per scope.
const STATEMENTS = {
  message: {
    claim: {
      name: 'beacon-claim-message',
      text: `INSERT INTO message_delivery (message_id, device_id, platform)
             SELECT $1::uuid, t.device_id, t.platform::"Platform"
               FROM unnest($2::bigint[], $3::text[]) AS t(device_id, platform)
             ON CONFLICT (message_id, device_id) DO NOTHING
             RETURNING device_id`
    },
    earlier: {
      name: 'beacon-earlier-message',
      text: `SELECT device_id, platform::text AS platform, status::text AS status, NULL::int AS chunk FROM message_delivery
              WHERE message_id = $1::uuid AND device_id = ANY($2::bigint[])`
    }
  },
  campaign: {
    claim: {
      name: 'beacon-claim-campaign',
      text: `INSERT INTO campaign_delivery (campaign_id, device_id, platform, chunk)
             SELECT $1::bigint, t.device_id, t.platform::"Platform", $4::int
               FROM unnest($2::bigint[], $3::text[]) AS t(device_id, platform)
             ON CONFLICT (campaign_id, device_id) DO NOTHING
             RETURNING device_id`
    },
    earlier: {
      name: 'beacon-earlier-campaign',
      text: `SELECT device_id, platform::text AS platform, status::text AS status, chunk FROM campaign_delivery
              WHERE campaign_id = $1::bigint AND device_id = ANY($2::bigint[])`
    }
  }
}

/**
 * Persists the claim on each device before anything is sent: a command redelivered after a
 * crash (or a campaign user sharing a device with another) finds the device claimed and does not
 * send it again. One statement per command (two when some devices were claimed before).
 */
export async function claimDevices (db: Db, scope: ClaimScope, targets: DeviceTarget[]): Promise<Claim> {
  if (targets.length === 0) return { mine: [], earlier: [] }
  const statements = STATEMENTS[scope.kind]
  const id = scope.kind === 'message' ? scope.messageId : scope.campaignId
  const ids = targets.map((t) => t.id.toString())
  const claimValues = [id, ids, targets.map((t) => t.platform), ...(scope.kind === 'campaign' ? [scope.chunk] : [])]
  const inserted = await db.pool.query<{ device_id: string }>({ ...statements.claim, values: claimValues })
  const ours = new Set(inserted.rows.map((row) => row.device_id))
  const mine = targets.filter((target, index) => ours.has(ids[index]!))
  if (mine.length === targets.length) return { mine, earlier: [] }
  return { mine, earlier: await earlierClaims(db, scope, ids.filter((deviceId) => !ours.has(deviceId))) }
}

/** The claims made before on `deviceIds` (as decimal strings) in `scope`. */
export async function earlierClaims (db: Db, scope: ClaimScope, deviceIds: string[]): Promise<EarlierDelivery[]> {
  const id = scope.kind === 'message' ? scope.messageId : scope.campaignId
  const { rows } = await db.pool.query<{ device_id: string, platform: ProviderPlatform, status: EarlierDelivery['status'], chunk: number | null }>({
    ...STATEMENTS[scope.kind].earlier, values: [id, deviceIds]
  })
  return rows.map((row) => ({ deviceId: BigInt(row.device_id), platform: row.platform, status: row.status, chunk: row.chunk }))
}
