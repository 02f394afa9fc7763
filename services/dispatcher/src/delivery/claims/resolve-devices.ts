import type { CampaignChunkCommand, ProviderPlatform } from '@beacon/contracts'
import { queryKeyedLookups, type Db } from '@beacon/db'
import type { EarlierDelivery } from './claims.js'

export interface DeviceTarget {
  id: bigint
  token: string
  platform: ProviderPlatform
  /** null: the application's default APNs environment. */
  environment: 'SANDBOX' | 'PRODUCTION' | null
}

export interface DeviceRow { id: string, push_token: string, platform: ProviderPlatform, environment: DeviceTarget['environment'] }
export const toTarget = (row: DeviceRow): DeviceTarget => ({ id: BigInt(row.id), token: row.push_token, platform: row.platform, environment: row.environment })

// One statement per campaign chunk, unnamed so that it is planned with the chunk's own values
// (and a cost of random reads fit for look-ups by key, below): its users' devices, then this
// chunk's own claims (an earlier holder's), read by (campaign_id, chunk) and matched to the devices
// here. Another chunk's claim on a device is not looked up: the window's claim refuses it
// (claims.ts), as it does one made between this look-up and the claim. Looked up per device, the
// claims were planned from statistics older than the campaign's claims (autovacuum analyzes early
// in a send and again only after a tenth more rows), which took the campaign for a row: each
// device then read every claim of the campaign, up to 12 s a chunk at 1,000,000 users. User ids
// are never empty, so '' is below them all.
const CAMPAIGN_DEVICES = {
  text: `SELECT DISTINCT 'device' AS kind, d.id, d.push_token, d.platform::text AS platform, d.environment::text AS environment,
                NULL::text AS status, NULL::int AS chunk
           FROM campaign_user u
           JOIN device_activation a ON a.application_id = $1 AND a.user_id = u.user_id
           JOIN device d ON d.id = a.device_id
          WHERE u.campaign_id = $2::bigint
            AND u.user_id > coalesce($3::text, '') AND u.user_id <= $4
         UNION ALL
         SELECT 'claim', c.device_id, NULL, c.platform::text, NULL, c.status::text, c.chunk
           FROM campaign_delivery c
          WHERE c.campaign_id = $2::bigint AND c.chunk = $5
          ORDER BY 2`
}

interface CampaignRow extends DeviceRow { kind: 'device' | 'claim', status: EarlierDelivery['status'] | null, chunk: number | null }

export interface CampaignDevices {
  /**
   * Devices of the chunk's users to send: not claimed by this chunk, or claimed by its earlier
   * holder without a recorded answer. One another chunk claimed is in it and is refused when claimed.
   */
  unclaimed: DeviceTarget[]
  /** Claims made before by this chunk (an earlier holder of it); other chunks' claims are theirs to report. */
  earlier: EarlierDelivery[]
  /** This chunk's earlier PENDING claims whose device no longer resolves: to be released. */
  orphaned: bigint[]
}

/**
 * The devices of a campaign chunk's users, (afterUserId, lastUserId] in the campaign's user order,
 * in the campaign's application only (PowerAuth joins on the user id alone and leaks campaigns
 * across applications). A device shared by several users is returned once.
 */
export async function resolveCampaignDevices (db: Db, command: CampaignChunkCommand): Promise<CampaignDevices> {
  // Planned for look-ups by key (queryKeyedLookups in packages/db): at PostgreSQL's default cost
  // of a random read, every chunk hashed the whole campaign's claims.
  const { rows } = await queryKeyedLookups<CampaignRow>(db.pool, {
    ...CAMPAIGN_DEVICES,
    values: [command.applicationId, command.campaignId, command.afterUserId, command.lastUserId, command.chunk]
  })
  const unclaimed: DeviceTarget[] = []
  const earlier: EarlierDelivery[] = []
  const orphaned: bigint[] = []
  const claims = new Map<string, CampaignRow>()
  for (const row of rows) if (row.kind === 'claim') claims.set(row.id, row)
  const resolved = new Set<string>()
  for (const row of rows) {
    if (row.kind === 'claim') {
      earlier.push({ deviceId: BigInt(row.id), platform: row.platform, status: row.status!, chunk: row.chunk })
      continue
    }
    resolved.add(row.id)
    // Claimed by this chunk's earlier holder, no answer recorded: sent again.
    const claim = claims.get(row.id)
    if (claim === undefined || claim.status === 'PENDING') unclaimed.push(toTarget(row))
  }
  // This chunk's unanswered claims whose device no longer resolves: released.
  for (const claim of claims.values()) if (claim.status === 'PENDING' && !resolved.has(claim.id)) orphaned.push(BigInt(claim.id))
  return { unclaimed, earlier, orphaned }
}
