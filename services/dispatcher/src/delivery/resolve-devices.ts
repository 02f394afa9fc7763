import type { CampaignChunkCommand, ProviderPlatform, SendCommand } from '@beacon/contracts'
import type { Db } from '@beacon/db'

export interface DeviceTarget {
  id: bigint
  token: string
  platform: ProviderPlatform
  /** null: the application's default APNs environment. */
  environment: 'SANDBOX' | 'PRODUCTION' | null
}

/**
 * The devices a command addresses: the user's registrations in the application, narrowed to one
 * activation when given; `personal` keeps only ACTIVE activations. A device carrying several
 * activations of the user is returned once.
 */
export async function resolveDevices (db: Db, command: SendCommand): Promise<DeviceTarget[]> {
  const rows = await db.$queryRaw<Array<{ id: bigint, push_token: string, platform: ProviderPlatform, environment: DeviceTarget['environment'] }>>`
    SELECT DISTINCT d.id, d.push_token, d.platform::text AS platform, d.environment::text AS environment
      FROM device_activation a JOIN device d ON d.id = a.device_id
     WHERE a.application_id = ${command.applicationId} AND a.user_id = ${command.userId}
       AND (${command.activationId ?? null}::text IS NULL OR a.activation_id = ${command.activationId ?? null})
       AND (NOT ${command.personal} OR a.activation_status = 'ACTIVE')
     ORDER BY d.id`
  return rows.map((row) => ({ id: row.id, token: row.push_token, platform: row.platform, environment: row.environment }))
}

/**
 * The devices of a campaign chunk's users, (afterUserId, lastUserId] in the campaign's user order,
 * in the campaign's application only (PowerAuth joins on the user id alone and leaks campaigns
 * across applications). A device shared by several users is returned once.
 */
export async function resolveCampaignDevices (db: Db, command: CampaignChunkCommand): Promise<DeviceTarget[]> {
  const rows = await db.$queryRaw<Array<{ id: bigint, push_token: string, platform: ProviderPlatform, environment: DeviceTarget['environment'] }>>`
    SELECT DISTINCT d.id, d.push_token, d.platform::text AS platform, d.environment::text AS environment
      FROM campaign_user u
      JOIN device_activation a ON a.application_id = ${command.applicationId} AND a.user_id = u.user_id
      JOIN device d ON d.id = a.device_id
     WHERE u.campaign_id = ${command.campaignId}::bigint
       AND (${command.afterUserId}::text IS NULL OR u.user_id > ${command.afterUserId})
       AND u.user_id <= ${command.lastUserId}
     ORDER BY d.id`
  return rows.map((row) => ({ id: row.id, token: row.push_token, platform: row.platform, environment: row.environment }))
}
