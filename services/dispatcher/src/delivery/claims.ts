import type { ProviderPlatform } from '@beacon/contracts'
import { Prisma, type Db } from '@beacon/db'
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

function scopeSql (scope: ClaimScope) {
  return scope.kind === 'message'
    ? { table: Prisma.raw('message_delivery'), column: Prisma.raw('message_id'), id: Prisma.sql`${scope.messageId}::uuid`, chunk: Prisma.empty, chunkValue: Prisma.empty, chunkOut: Prisma.sql`NULL::int` }
    : { table: Prisma.raw('campaign_delivery'), column: Prisma.raw('campaign_id'), id: Prisma.sql`${scope.campaignId}::bigint`, chunk: Prisma.sql`, chunk`, chunkValue: Prisma.sql`, ${scope.chunk}::int`, chunkOut: Prisma.sql`chunk` }
}

/**
 * Persists the claim on each device before anything is sent: a command redelivered after a
 * crash (or a campaign user sharing a device with another) finds the device claimed and does not
 * send it again. One statement per command.
 */
export async function claimDevices (db: Db, scope: ClaimScope, targets: DeviceTarget[]): Promise<Claim> {
  if (targets.length === 0) return { mine: [], earlier: [] }
  const { table, column, id, chunk, chunkValue, chunkOut } = scopeSql(scope)
  const inserted = await db.$queryRaw<Array<{ device_id: bigint }>>`
    INSERT INTO ${table} (${column}, device_id, platform ${chunk})
    SELECT ${id}, t.device_id, t.platform::"Platform" ${chunkValue}
      FROM unnest(${targets.map((t) => t.id)}::bigint[], ${targets.map((t) => t.platform)}::text[]) AS t(device_id, platform)
    ON CONFLICT (${column}, device_id) DO NOTHING
    RETURNING device_id`
  const ours = new Set(inserted.map((row) => row.device_id))
  const mine = targets.filter((target) => ours.has(target.id))
  if (mine.length === targets.length) return { mine, earlier: [] }
  const others = targets.filter((target) => !ours.has(target.id)).map((target) => target.id)
  const earlier = await db.$queryRaw<Array<{ device_id: bigint, platform: ProviderPlatform, status: EarlierDelivery['status'], chunk: number | null }>>`
    SELECT device_id, platform::text AS platform, status::text AS status, ${chunkOut} AS chunk FROM ${table}
     WHERE ${column} = ${id} AND device_id = ANY(${others}::bigint[])`
  return { mine, earlier: earlier.map((row) => ({ deviceId: row.device_id, platform: row.platform, status: row.status, chunk: row.chunk })) }
}
