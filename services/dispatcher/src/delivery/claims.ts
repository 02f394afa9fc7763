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

// Unnamed statements: PostgreSQL plans them with the values at hand each time. Prepared once and
// run with a generic plan, the campaign statements cost five times the database CPU (a plan that
// cannot know a chunk holds 500 devices); a plan per chunk of 500 is cheap.
const CLAIM_CAMPAIGN_DEVICES = `
  INSERT INTO campaign_delivery (campaign_id, device_id, platform, chunk)
  SELECT $1::bigint, t.device_id, t.platform::"Platform", $4::int
    FROM unnest($2::bigint[], $3::text[]) AS t(device_id, platform)
  ON CONFLICT (campaign_id, device_id) DO NOTHING
  RETURNING device_id`

const EARLIER_CLAIMS = {
  message: `SELECT device_id, platform::text AS platform, status::text AS status, NULL::int AS chunk FROM message_delivery
             WHERE message_id = $1::uuid AND device_id = ANY($2::bigint[])`,
  campaign: `SELECT device_id, platform::text AS platform, status::text AS status, chunk FROM campaign_delivery
              WHERE campaign_id = $1::bigint AND device_id = ANY($2::bigint[])`
}

/**
 * Persists the claim on each of a campaign chunk's devices before anything is sent: a chunk
 * redelivered after a crash, or a user sharing a device with another, finds the device claimed
 * and does not send it again. One statement per chunk (two when some devices were claimed
 * before). A single message claims in its own statement (message-claims.ts).
 */
export async function claimDevices (db: Db, scope: Extract<ClaimScope, { kind: 'campaign' }>, targets: DeviceTarget[]): Promise<Claim> {
  if (targets.length === 0) return { mine: [], earlier: [] }
  const ids = targets.map((t) => t.id.toString())
  const inserted = await db.pool.query<{ device_id: string }>(CLAIM_CAMPAIGN_DEVICES, [scope.campaignId, ids, targets.map((t) => t.platform), scope.chunk])
  const ours = new Set(inserted.rows.map((row) => row.device_id))
  const mine = targets.filter((target, index) => ours.has(ids[index]!))
  if (mine.length === targets.length) return { mine, earlier: [] }
  return { mine, earlier: await earlierClaims(db, scope, ids.filter((deviceId) => !ours.has(deviceId))) }
}

/** The claims made before on `deviceIds` (as decimal strings) in `scope`. */
export async function earlierClaims (db: Db, scope: ClaimScope, deviceIds: string[]): Promise<EarlierDelivery[]> {
  const id = scope.kind === 'message' ? scope.messageId : scope.campaignId
  const { rows } = await db.pool.query<{ device_id: string, platform: ProviderPlatform, status: EarlierDelivery['status'], chunk: number | null }>(
    EARLIER_CLAIMS[scope.kind], [id, deviceIds])
  return rows.map((row) => ({ deviceId: BigInt(row.device_id), platform: row.platform, status: row.status, chunk: row.chunk }))
}
