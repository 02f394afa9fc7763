import type { Db } from '@beacon/db'
import { badRequest } from '../../errors.js'
import { campaignNotFound } from './records.js'

interface Outcome { found: boolean, started: boolean }

/**
 * Each change takes a share lock on the campaign row in the same statement: send/live's update of
 * `sent_at` waits for it, and a change after that update sees it and is refused. So the user list
 * the publisher pages through never changes under it.
 */
function check (campaignId: bigint, unknown: 'refused' | 'ignored', [outcome]: Outcome[]): void {
  if (outcome === undefined || !outcome.found) {
    if (unknown === 'refused') throw campaignNotFound()
    return
  }
  if (outcome.started) throw badRequest(`Campaign with ID ${campaignId} was already sent: its users can no longer change`)
}

/** Adds users in one statement, whatever their number; ids already there (or repeated) are skipped. */
export async function addCampaignUsers (db: Db, campaignId: bigint, userIds: string[]): Promise<void> {
  check(campaignId, 'refused', await db.$queryRaw<Outcome[]>`
    WITH target AS (SELECT id, sent_at FROM campaign WHERE id = ${campaignId} FOR SHARE),
         added AS (
           INSERT INTO campaign_user (campaign_id, user_id)
           SELECT target.id, u.user_id FROM target, unnest(${userIds}::text[]) AS u(user_id)
            WHERE target.sent_at IS NULL
           ON CONFLICT DO NOTHING)
    SELECT EXISTS (SELECT 1 FROM target) AS found,
           coalesce((SELECT sent_at IS NOT NULL FROM target), false) AS started`)
}

/**
 * Removes users in one statement; ids that are not in the campaign are ignored, and so is an
 * unknown campaign (PowerAuth answers OK: there is nothing left to remove).
 */
export async function removeCampaignUsers (db: Db, campaignId: bigint, userIds: string[]): Promise<void> {
  check(campaignId, 'ignored', await db.$queryRaw<Outcome[]>`
    WITH target AS (SELECT id, sent_at FROM campaign WHERE id = ${campaignId} FOR SHARE),
         removed AS (
           DELETE FROM campaign_user AS cu USING target
            WHERE cu.campaign_id = target.id AND target.sent_at IS NULL AND cu.user_id = ANY(${userIds}::text[]))
    SELECT EXISTS (SELECT 1 FROM target) AS found,
           coalesce((SELECT sent_at IS NOT NULL FROM target), false) AS started`)
}

/** One page of a campaign's users in user id order (the primary key's order: an index scan). */
export async function campaignUsersPage (db: Db, campaignId: bigint, page: number, size: number): Promise<string[]> {
  // The offset can pass 2^31 (page up to 999,999,999): a bigint, which Prisma's `skip` is not.
  const rows = await db.$queryRaw<Array<{ user_id: string }>>`
    SELECT user_id FROM campaign_user WHERE campaign_id = ${campaignId}
     ORDER BY user_id LIMIT ${size} OFFSET ${BigInt(page) * BigInt(size)}`
  return rows.map((row) => row.user_id)
}
