import type { CampaignConsoleProgress } from '@beacon/contracts'
import { queryWithoutJit, type Db } from '@beacon/db'
import { campaignNotFound, failedChunksOf } from '../campaigns/records.js'

interface ProgressRow {
  sentAt: Date | null
  completedAt: Date | null
  // count(*) is a bigint: node-postgres hands it over as text.
  users: string
  chunks: string
  chunksDone: string
  usersDone: string
  sent: string
  failed: string
  pending: string
}

// Why a console read of its own rather than a change to the detail's `progress`: PowerAuth's
// `progress` counts device deliveries, and its `total` only those a dispatcher has claimed, so a
// bar of sent/total reads 100% while chunks are still unsent. Making `total` the users would put
// users and devices in one ratio (a user has no device or several) and change what PowerAuth
// clients already read. Here the bar's measure is users — those of chunks that are done over all
// the campaign's users — and devices are counted beside it for the chart. A chunk is done once no
// claim of it is PENDING (or it failed as a whole), and the campaign completes exactly when its
// last chunk is done (campaigns/completion.ts): usersDone reaches users then, and never counts a
// user whose devices are still being sent. One statement, one snapshot: the counts agree.
// The users come from the chunks once the send planned them (each chunk's `users`, written by the
// plan, domain/campaigns/plan.ts): a poll then reads the campaign's chunks, not its users — a
// thousand rows at 1,000,000 users. Chunks planned before that column (or by an older api during
// an upgrade) have none, and their campaign's users are counted as before: all of them from
// campaign_user, and those of done chunks by each chunk's range (after_user_id, last_user_id] of
// its primary key, both ends as the index's bounds — the first chunk's open end is '' (user ids
// are never empty, so it is below them all), not an OR, which left the lower end a filter and had
// every chunk read the users from the campaign's first (19 s a poll at 1,000,000 users half done).
// CASE evaluates a sub-select only when its branch is taken, but its estimated cost still counts
// toward JIT compilation (packages/db's queryWithoutJit: 165 ms a poll at 1,000,000 users). The
// devices are counted off the (campaign_id, chunk, status) index: a poll still reads one entry
// per device claimed.
const PLANNED = 'k.chunks > 0 AND k.uncounted = 0'
const PROGRESS = {
  name: 'beacon-console-campaign-progress',
  text: `SELECT c.sent_at AS "sentAt", c.completed_at AS "completedAt", k.chunks, k.chunks_done AS "chunksDone",
                CASE WHEN ${PLANNED} THEN k.users ELSE (SELECT count(*) FROM campaign_user u WHERE u.campaign_id = c.id) END AS users,
                CASE WHEN ${PLANNED} THEN k.users_done
                     WHEN c.completed_at IS NOT NULL THEN (SELECT count(*) FROM campaign_user u WHERE u.campaign_id = c.id)
                     ELSE (
                  SELECT count(*) FROM campaign_chunk d JOIN campaign_user u
                      ON u.campaign_id = d.campaign_id AND u.user_id <= d.last_user_id
                     AND u.user_id > coalesce(d.after_user_id, '')
                   WHERE d.campaign_id = c.id AND d.done_at IS NOT NULL) END AS "usersDone",
                s.sent, s.failed, s.pending
           FROM campaign c,
                LATERAL (SELECT count(*) AS chunks, count(d.done_at) AS chunks_done, count(*) FILTER (WHERE d.users IS NULL) AS uncounted,
                                coalesce(sum(d.users), 0) AS users, coalesce(sum(d.users) FILTER (WHERE d.done_at IS NOT NULL), 0) AS users_done
                           FROM campaign_chunk d WHERE d.campaign_id = c.id) k,
                LATERAL (SELECT count(*) FILTER (WHERE e.status = 'SENT') AS sent,
                                count(*) FILTER (WHERE e.status IN ('FAILED', 'EXPIRED')) AS failed,
                                count(*) FILTER (WHERE e.status = 'PENDING') AS pending
                           FROM campaign_delivery e WHERE e.campaign_id = c.id) s
          WHERE c.id = $1::bigint`
}

/** How far campaign `campaignId`'s live sending is, in users and in devices; an unknown campaign is PowerAuth's 400. */
export async function campaignConsoleProgress (db: Db, campaignId: string): Promise<CampaignConsoleProgress> {
  const { rows } = await queryWithoutJit<ProgressRow>(db.pool, { ...PROGRESS, values: [campaignId] })
  const row = rows[0]
  if (row === undefined) throw campaignNotFound()
  const failedChunks = await failedChunksOf(db, BigInt(campaignId))
  return {
    campaignId,
    users: Number(row.users),
    usersDone: Number(row.usersDone),
    chunks: Number(row.chunks),
    chunksDone: Number(row.chunksDone),
    devicesSent: Number(row.sent),
    devicesFailed: Number(row.failed),
    devicesPending: Number(row.pending),
    failedChunks,
    timestampSent: row.sentAt?.toISOString() ?? null,
    timestampCompleted: row.completedAt?.toISOString() ?? null
  }
}
