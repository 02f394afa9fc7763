import type { Db } from '@beacon/db'
import { completeCampaigns } from './completion.js'

// Why plan every chunk at once rather than page through the users with a publisher per campaign:
// a publisher lives in one api instance, and a dead instance's campaign waited for a restart. A
// plan is only rows — the chunks and their commands in the outbox — committed with `sent_at`, so
// the outbox sweeper of any live instance publishes them: a dead instance's campaign is taken over
// within OUTBOX_PUBLISH_GRACE_MS plus a sweep, without a restart, lease or resume logic. The one
// window-function pass over campaign_user (its primary key's order) measured 0.6–1.1 s for
// 1,000,000 users on this machine (2 cores, shared with other work); test/domain/campaigns/plan.test.ts has a
// small one.
// Two statements in one transaction, not one: a user list change holds the campaign row FOR
// SHARE, so START waits for it to commit; the plan, a statement of its own, then reads the users
// in a snapshot that includes that change (a single statement's snapshot would predate it). A
// change after START waits for this commit and sees sent_at: refused (users.ts).
const START_CAMPAIGN = {
  name: 'beacon-start-campaign',
  text: `UPDATE campaign SET sent_at = now(), published_at = now()
          WHERE id = $1::bigint AND sent_at IS NULL
         RETURNING id`
}

const PLAN_CAMPAIGN = {
  name: 'beacon-plan-campaign',
  text: `WITH started AS (SELECT id, application_id, message FROM campaign WHERE id = $1::bigint),
         numbered AS (
           SELECT u.user_id, (row_number() OVER (ORDER BY u.user_id) - 1) / $2::int AS chunk
             FROM campaign_user u
            WHERE u.campaign_id = $1::bigint),
         ranges AS (
           SELECT chunk::int AS chunk, max(user_id) AS last_user_id, count(*)::int AS users FROM numbered GROUP BY chunk),
         planned AS (
           SELECT chunk, lag(last_user_id) OVER (ORDER BY chunk) AS after_user_id, last_user_id, users FROM ranges),
         chunks AS (
           INSERT INTO campaign_chunk (campaign_id, chunk, after_user_id, last_user_id, users)
           SELECT $1::bigint, chunk, after_user_id, last_user_id, users FROM planned
           RETURNING 1),
         queued AS (
           INSERT INTO outbox (kind, payload)
           SELECT 'command', json_build_object(
                    'kind', 'campaign-chunk', 'campaignId', s.id::text, 'chunk', p.chunk, 'applicationId', s.application_id,
                    'afterUserId', p.after_user_id, 'lastUserId', p.last_user_id, 'body', s.message)
             FROM planned p, started s
            ORDER BY p.chunk
           RETURNING 1)
         SELECT (SELECT count(*) FROM queued)::int AS chunks`
}

/**
 * Starts a campaign's live sending, at most once whatever the concurrency: in one transaction,
 * `sent_at` is set and every chunk of `chunkUsers` users — (afterUserId, lastUserId] by user id —
 * is recorded with its command in the outbox. Returns false if it was started already.
 */
export async function startCampaign (db: Db, campaignId: bigint, chunkUsers: number): Promise<{ started: boolean, chunks: number }> {
  const client = await db.pool.connect()
  let broken: Error | undefined
  const lost = (error: Error) => { broken = error }
  client.on('error', lost)
  let started = false
  let chunks = 0
  try {
    await client.query('BEGIN')
    started = (await client.query({ ...START_CAMPAIGN, values: [campaignId.toString()] })).rowCount !== 0
    if (!started) await client.query('ROLLBACK')
    else {
      const { rows } = await client.query<{ chunks: number }>({ ...PLAN_CAMPAIGN, values: [campaignId.toString(), chunkUsers] })
      chunks = rows[0]?.chunks ?? 0
      // A campaign without users has no chunk to wait for: complete in the start's own commit, so
      // no stop in between leaves it started and never complete.
      if (chunks === 0) await completeCampaigns(client, [campaignId])
      await client.query('COMMIT')
    }
  } catch (error) {
    await client.query('ROLLBACK').catch((failure: unknown) => { broken = failure as Error })
    throw error
  } finally {
    client.off('error', lost)
    client.release(broken)
  }
  if (!started) {
    // Started before. A campaign without users started by a version that completed it in a
    // statement after the start's commit may have lost that completion (its api went away in
    // between): a send asked again completes it. Only a campaign whose every chunk is done, and
    // not complete yet, changes.
    await completeCampaigns(db.pool, [campaignId])
    return { started: false, chunks: 0 }
  }
  return { started: true, chunks }
}
