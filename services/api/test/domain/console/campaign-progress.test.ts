import { createDb, type Db } from '@beacon/db'
import { createTestDatabase } from '@beacon/testkit'
import t, { type Test } from 'tap'
import { startCampaign } from '../../../src/domain/campaigns/plan.js'
import { campaignConsoleProgress } from '../../../src/domain/console/campaigns.js'

const USERS = 2000
const CHUNK_USERS = 10
const CHUNKS = USERS / CHUNK_USERS
const user = (n: number) => `u${String(n).padStart(8, '0')}`

// The console polls a live campaign's progress (every 5 s above 100,000 users), so a poll must not
// grow with the campaign more than it has to: its chunks are read, and its devices claimed; its
// users only for chunks planned without their count (before 2026-12-07), and then linearly.
async function campaignOfUsers (t: Test): Promise<{ db: Db, campaignId: string }> {
  const database = await createTestDatabase()
  // One connection, so the statistics read are those its own statements reported.
  const db = createDb({ url: database.url, poolSize: 1 })
  t.teardown(async () => { await db.$disconnect(); await database.drop() })
  const { rows: [application] } = await db.pool.query<{ id: number }>('INSERT INTO application (app_id, name, updated_at) VALUES (\'2\', \'app\', now()) RETURNING id')
  const { rows: [campaign] } = await db.pool.query<{ id: string }>('INSERT INTO campaign (application_id, message) VALUES ($1, \'{}\') RETURNING id::text', [application!.id])
  await db.pool.query('INSERT INTO campaign_user SELECT $1::bigint, user_id FROM unnest($2::text[]) AS user_id',
    [campaign!.id, Array.from({ length: USERS }, (_, i) => user(i + 1))])
  return { db, campaignId: campaign!.id }
}

/** Entries of campaign_user read since the last call: its rows by sequential scans, its index entries by index scans. */
function usersReadCounter (db: Db) {
  let last = 0
  return async (): Promise<number> => {
    await db.pool.query('SELECT pg_stat_force_next_flush()')
    const { rows: [read] } = await db.pool.query<{ n: string }>(`SELECT pg_stat_clear_snapshot(),
      ((SELECT coalesce(seq_tup_read, 0) FROM pg_stat_user_tables WHERE relname = 'campaign_user') +
       (SELECT coalesce(sum(idx_tup_read), 0) FROM pg_stat_user_indexes WHERE relname = 'campaign_user'))::text AS n`)
    const since = Number(read!.n) - last
    last = Number(read!.n)
    return since
  }
}

const markDone = (db: Db, campaignId: string, chunks: number) =>
  db.pool.query('UPDATE campaign_chunk SET summary_at = now(), done_at = now() WHERE campaign_id = $1::bigint AND chunk < $2', [campaignId, chunks])

// guarantee: console-campaign-progress-linear
t.test('a campaign planned with its chunks\' counts: a poll of its progress reads none of its users', async (t) => {
  const { db, campaignId } = await campaignOfUsers(t)
  t.same(await startCampaign(db, BigInt(campaignId), CHUNK_USERS), { started: true, chunks: CHUNKS })
  await markDone(db, campaignId, CHUNKS / 2)
  await db.pool.query('ANALYZE campaign_user, campaign_chunk, campaign_delivery')
  const usersRead = usersReadCounter(db)
  await usersRead()
  const plans = explainEach(t, db)
  t.match(await campaignConsoleProgress(db, campaignId), { users: USERS, usersDone: USERS / 2, chunks: CHUNKS, chunksDone: CHUNKS / 2, timestampCompleted: null })
  t.equal(await usersRead(), 0, 'campaign_user not read')
  const progress = (await plans()).filter((plan) => plan.includes('campaign_chunk') && plan.includes('campaign_delivery'))
  t.equal(progress.length, 1, 'the progress statement\'s plan, seen')
  t.notMatch(progress[0], /JIT/, 'not JIT-compiled, though every statement on this connection would be')
  // The controls: a statement on the same connection is compiled, and reading campaign_user is counted.
  await db.pool.query('SELECT count(*) FROM campaign_user WHERE campaign_id = $1::bigint', [campaignId])
  t.match((await plans()).at(-1), /JIT/, 'the control: compiled')
  t.equal(await usersRead(), USERS, 'the control: the users counted are read')
})

/**
 * The plans of the statements run on `db`'s one connection from now on, each as auto_explain tells
 * it, with every statement worth JIT compilation (jit_above_cost 0) unless it says otherwise.
 */
function explainEach (t: Test, db: Db): () => Promise<string[]> {
  const plans: string[] = []
  const listening = (async () => {
    const client = await db.pool.connect()
    await client.query(`LOAD 'auto_explain'; SET auto_explain.log_min_duration = 0; SET auto_explain.log_level = notice;
                        SET auto_explain.log_nested_statements = on; SET jit_above_cost = 0`)
    client.on('notice', (notice) => { plans.push(notice.message ?? '') })
    t.teardown(() => { client.removeAllListeners('notice') })
    client.release()
  })()
  return async () => { await listening; return plans }
}

// guarantee: console-campaign-progress-linear
t.test('chunks planned without their counts (before 2026-12-07): a poll reads each user at most twice, its count and once if its chunk is done', async (t) => {
  const { db, campaignId } = await campaignOfUsers(t)
  await db.pool.query('UPDATE campaign SET sent_at = now(), published_at = now() WHERE id = $1::bigint', [campaignId])
  // As the plan numbered them before (domain/campaigns/plan.ts), without `users`.
  await db.pool.query(`INSERT INTO campaign_chunk (campaign_id, chunk, after_user_id, last_user_id)
                       SELECT $1::bigint, k, a, l FROM unnest($2::int[], $3::text[], $4::text[]) AS c(k, a, l)`, [
    campaignId, Array.from({ length: CHUNKS }, (_, k) => k), Array.from({ length: CHUNKS }, (_, k) => (k === 0 ? null : user(k * CHUNK_USERS))),
    Array.from({ length: CHUNKS }, (_, k) => user((k + 1) * CHUNK_USERS))])
  await markDone(db, campaignId, CHUNKS / 2)
  // Analyzed, the plan is the one a large campaign gets: a nested loop over the done chunks. With
  // the range's lower end a filter, each read the users from the campaign's first (52,500 here).
  await db.pool.query('ANALYZE campaign_user, campaign_chunk, campaign_delivery')
  const usersRead = usersReadCounter(db)
  await usersRead()
  t.match(await campaignConsoleProgress(db, campaignId), { users: USERS, usersDone: USERS / 2, chunks: CHUNKS, chunksDone: CHUNKS / 2 })
  const read = await usersRead()
  t.ok(read >= USERS && read <= 2 * USERS, `campaign_user entries read: ${read}, at least the ${USERS} counted and at most ${2 * USERS}`)

  await markDone(db, campaignId, CHUNKS)
  t.match(await campaignConsoleProgress(db, campaignId), { users: USERS, usersDone: USERS, chunksDone: CHUNKS }, 'every chunk done')
})
