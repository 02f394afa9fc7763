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
// (and a cost of random reads fit for look-ups by key, below):
// its users' devices with the campaign's claim on each, if any, and this chunk's earlier claims
// on devices that no longer resolve. User ids are never empty, so '' is below them all.
const CAMPAIGN_DEVICES = {
  text: `WITH targets AS (
           SELECT DISTINCT d.id, d.push_token, d.platform, d.environment
             FROM campaign_user u
             JOIN device_activation a ON a.application_id = $1 AND a.user_id = u.user_id
             JOIN device d ON d.id = a.device_id
            WHERE u.campaign_id = $2::bigint
              AND u.user_id > coalesce($3::text, '') AND u.user_id <= $4)
         SELECT t.id, t.push_token, t.platform::text AS platform, t.environment::text AS environment,
                c.status::text AS status, c.chunk
           FROM targets t LEFT JOIN campaign_delivery c ON c.campaign_id = $2::bigint AND c.device_id = t.id
         UNION ALL
         SELECT c.device_id, NULL, c.platform::text, NULL, c.status::text, c.chunk
           FROM campaign_delivery c
          WHERE c.campaign_id = $2::bigint AND c.chunk = $5 AND NOT EXISTS (SELECT 1 FROM targets t WHERE t.id = c.device_id)
          ORDER BY 1`
}

interface CampaignRow extends DeviceRow { status: EarlierDelivery['status'] | null, chunk: number | null }

export interface CampaignDevices {
  /** Devices of the chunk's users to send: no chunk claimed them yet, or this chunk's earlier holder did and recorded no answer. */
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
  for (const row of rows) {
    if (row.status === null) { unclaimed.push(toTarget(row)); continue }
    if (row.chunk !== command.chunk) continue
    earlier.push({ deviceId: BigInt(row.id), platform: row.platform, status: row.status, chunk: row.chunk })
    // Claimed by this chunk's earlier holder, no answer recorded: sent again (or released if the device is gone).
    if (row.status === 'PENDING') {
      if (row.push_token === null) orphaned.push(BigInt(row.id))
      else unclaimed.push(toTarget(row))
    }
  }
  return { unclaimed, earlier, orphaned }
}
