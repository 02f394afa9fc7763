import type { CampaignChunkCommand, ProviderPlatform } from '@beacon/contracts'
import type { Db } from '@beacon/db'

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
// (see claims.ts). (A single message's devices are resolved and claimed in one statement:
// message-claims.ts.) User ids are never empty, so '' is below them all.
const CAMPAIGN_DEVICES = {
  text: `SELECT DISTINCT d.id, d.push_token, d.platform::text AS platform, d.environment::text AS environment
           FROM campaign_user u
           JOIN device_activation a ON a.application_id = $1 AND a.user_id = u.user_id
           JOIN device d ON d.id = a.device_id
          WHERE u.campaign_id = $2::bigint
            AND u.user_id > coalesce($3::text, '') AND u.user_id <= $4
          ORDER BY d.id`
}

/**
 * The devices of a campaign chunk's users, (afterUserId, lastUserId] in the campaign's user order,
 * in the campaign's application only (PowerAuth joins on the user id alone and leaks campaigns
 * across applications). A device shared by several users is returned once.
 */
export async function resolveCampaignDevices (db: Db, command: CampaignChunkCommand): Promise<DeviceTarget[]> {
  const { rows } = await db.pool.query<DeviceRow>({
    ...CAMPAIGN_DEVICES,
    values: [command.applicationId, command.campaignId, command.afterUserId, command.lastUserId]
  })
  return rows.map(toTarget)
}
