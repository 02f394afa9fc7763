import { createDb } from '@beacon/db'
import { createTestDatabase } from '@beacon/testkit'
import t from 'tap'
import { campaignConsoleProgress } from '../../../src/domain/console/campaigns.js'

const USERS = 2000
const CHUNK_USERS = 10

// The console polls a live campaign's progress (every 5 s above 100,000 users). Its count of the
// users of done chunks reads each chunk's range (after_user_id, last_user_id] of campaign_user's
// primary key: with only one end of the range as the index bound, every chunk read the users from
// the campaign's first one, quadratic in the campaign (19 s a poll at 1,000,000 users, half done).
// guarantee: console-campaign-progress-linear
t.test('the progress of a live campaign reads each user of campaign_user at most twice: its count, and once if its chunk is done', async (t) => {
  const database = await createTestDatabase()
  // One connection, so the statistics read are those its own statements reported.
  const db = createDb({ url: database.url, poolSize: 1 })
  t.teardown(async () => { await db.$disconnect(); await database.drop() })
  const { rows: [application] } = await db.pool.query<{ id: number }>('INSERT INTO application (app_id, name, updated_at) VALUES (\'2\', \'app\', now()) RETURNING id')
  const { rows: [campaign] } = await db.pool.query<{ id: string }>('INSERT INTO campaign (application_id, message, sent_at) VALUES ($1, \'{}\', now()) RETURNING id::text', [application!.id])
  const user = (n: number) => `u${String(n).padStart(8, '0')}`
  await db.pool.query('INSERT INTO campaign_user SELECT $1::bigint, user_id FROM unnest($2::text[]) AS user_id',
    [campaign!.id, Array.from({ length: USERS }, (_, i) => user(i + 1))])
  // Chunks as the plan numbers them (domain/campaigns/plan.ts); the first half done.
  const chunks = USERS / CHUNK_USERS
  await db.pool.query(`INSERT INTO campaign_chunk (campaign_id, chunk, after_user_id, last_user_id, done_at)
                       SELECT $1::bigint, k, a, l, CASE WHEN k < $5::int THEN now() END FROM unnest($2::int[], $3::text[], $4::text[]) AS c(k, a, l)`, [
    campaign!.id, Array.from({ length: chunks }, (_, k) => k), Array.from({ length: chunks }, (_, k) => (k === 0 ? null : user(k * CHUNK_USERS))),
    Array.from({ length: chunks }, (_, k) => user((k + 1) * CHUNK_USERS)), chunks / 2])
  await db.pool.query('ANALYZE campaign_user, campaign_chunk, campaign_delivery')
  // Entries of campaign_user read: its rows by sequential scans, its index entries by index scans.
  const usersRead = async (): Promise<number> => {
    await db.pool.query('SELECT pg_stat_force_next_flush()')
    const { rows: [read] } = await db.pool.query<{ n: string }>(`SELECT pg_stat_clear_snapshot(),
      ((SELECT coalesce(seq_tup_read, 0) FROM pg_stat_user_tables WHERE relname = 'campaign_user') +
       (SELECT coalesce(sum(idx_tup_read), 0) FROM pg_stat_user_indexes WHERE relname = 'campaign_user'))::text AS n`)
    return Number(read!.n)
  }
  const before = await usersRead()
  const progress = await campaignConsoleProgress(db, campaign!.id)
  const read = await usersRead() - before
  t.match(progress, { users: USERS, usersDone: USERS / 2, chunks, chunksDone: chunks / 2 }, 'the counts themselves')
  t.ok(read <= 2 * USERS, `campaign_user entries read: ${read}, at most ${2 * USERS}`)
})
