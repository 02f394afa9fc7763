import { createDb } from '@beacon/db'
import t from 'tap'
import { recordResults } from '../../../src/domain/results/delivery-records.js'
import { buildApp, call } from '../../helper.js'
import { campaignResult, chunkSummary, claimedCampaign, claimedMessage, messageResult, quiet, setUp, summary } from './fixtures.js'

// The recorder's statements alone: no dispatcher, results handed in as the transport would.

// guarantee: completion-waits-for-claims
t.test('a summary recorded before its device results completes nothing until the last of them is in', async (t) => {
  const { app, applicationId } = await setUp(t)
  const messageId = await claimedMessage(app, applicationId)
  const campaignId = await claimedCampaign(app, applicationId)
  const completed = async () => (await app.db.message.findUniqueOrThrow({ where: { id: messageId } })).completedAt !== null
  const done = async () => (await app.db.campaignChunk.findFirstOrThrow({ where: { campaignId } })).doneAt !== null
  const sent = async () => (await app.db.campaign.findUniqueOrThrow({ where: { id: campaignId } })).completedAt !== null

  await recordResults(app.db, [summary(messageId), chunkSummary(campaignId, 0)])
  t.notOk(await completed(), 'the message waits for its PENDING claims')
  t.notOk(await done(), 'the chunk waits for its PENDING claims')
  await recordResults(app.db, [messageResult(messageId, 1), campaignResult(campaignId, 1)])
  t.notOk(await completed())
  t.notOk(await sent(), 'the campaign is not sent with a PENDING claim')
  await recordResults(app.db, [messageResult(messageId, 2, { status: 'FAILED', reason: 'Unregistered' }), campaignResult(campaignId, 2)])
  t.ok(await completed(), 'complete once the last result is in')
  t.ok(await done())
  t.ok(await sent(), 'and the campaign with it')
  const detail = (await call(app, 'GET', `/push/campaign/${campaignId}/detail`)).json()
  t.match(detail.responseObject, { sent: true, progress: { sent: 2, failed: 0, pending: 0, total: 2 } })
})

// guarantee: completion-waits-for-claims
t.test('two recorders, one with the summary and one with the results, in parallel: every message completes', async (t) => {
  const { app, applicationId } = await setUp(t)
  const ids = await Promise.all(Array.from({ length: 20 }, () => claimedMessage(app, applicationId)))
  await Promise.all(ids.flatMap((id) => [
    recordResults(app.db, [summary(id)]),
    recordResults(app.db, [messageResult(id, 1), messageResult(id, 2)])
  ]))
  t.equal(await app.db.message.count({ where: { id: { in: ids }, completedAt: null } }), 0)
})

// guarantee: unconfirmed-replaced-by-answer
t.test('an unconfirmed result fills a PENDING claim only, and a confirmed one replaces it', async (t) => {
  const { app, applicationId } = await setUp(t)
  const messageId = await claimedMessage(app, applicationId)
  const campaignId = await claimedCampaign(app, applicationId)
  const unconfirmed = { unconfirmed: true, reason: 'Unconfirmed', attempts: 0 }

  await recordResults(app.db, [messageResult(messageId, 1, unconfirmed), messageResult(messageId, 2), campaignResult(campaignId, 1, unconfirmed)])
  await recordResults(app.db, [messageResult(messageId, 2, unconfirmed)])
  const delivery = (deviceId: bigint) => app.db.messageDelivery.findUniqueOrThrow({ where: { messageId_deviceId: { messageId, deviceId } } })
  t.match(await delivery(1n), { status: 'SENT', unconfirmed: true, reason: 'Unconfirmed' })
  t.match(await delivery(2n), { status: 'SENT', unconfirmed: false, reason: null }, 'a real outcome is never overwritten by an unconfirmed one')
  await recordResults(app.db, [messageResult(messageId, 1, { ...unconfirmed, status: 'FAILED', reason: 'DeliveryAttemptsExhausted' })])
  t.match(await delivery(1n), { status: 'SENT', unconfirmed: true, reason: 'Unconfirmed' }, 'nor an unconfirmed one by another: the counts do not flip')

  await recordResults(app.db, [messageResult(messageId, 1, { status: 'FAILED', reason: 'BadDeviceToken' }), campaignResult(campaignId, 1, { status: 'FAILED', reason: 'UNREGISTERED' })])
  t.match(await delivery(1n), { status: 'FAILED', unconfirmed: false, reason: 'BadDeviceToken' }, 'the provider\'s answer replaces it')
  await recordResults(app.db, [messageResult(messageId, 1, { status: 'SENT' })])
  t.match(await delivery(1n), { status: 'FAILED' }, 'a confirmed outcome is the last word')
  const progress = (await call(app, 'GET', `/push/campaign/${campaignId}/detail`)).json().responseObject.progress
  t.same(progress, { sent: 0, failed: 1, pending: 1, total: 2 }, 'counted as failed now, not sent')
})

// guarantee: campaign-failed-chunks
t.test('a chunk that failed as a whole is done with its reason, shown in the campaign progress', async (t) => {
  const { app, applicationId } = await setUp(t)
  const campaignId = await claimedCampaign(app, applicationId)
  // A second chunk whose dispatcher gave up before claiming any device: its users were never reached.
  await app.db.campaignChunk.create({ data: { campaignId, chunk: 1, lastUserId: 'v' } })
  await recordResults(app.db, [
    campaignResult(campaignId, 1), campaignResult(campaignId, 2, { unconfirmed: true }), chunkSummary(campaignId, 0), chunkSummary(campaignId, 1, 'ApplicationGone')
  ])
  const chunks = await app.db.campaignChunk.findMany({ where: { campaignId }, orderBy: { chunk: 'asc' } })
  t.same(chunks.map((c) => [c.chunk, c.doneAt !== null, c.failureReason]), [[0, true, null], [1, true, 'ApplicationGone']], 'both chunks done, the failed one with its reason')
  const detail = (await call(app, 'GET', `/push/campaign/${campaignId}/detail`)).json().responseObject
  t.match(detail, { sent: true, timestampCompleted: /^\d{4}-/ })
  t.same(detail.progress, { sent: 2, failed: 0, pending: 0, total: 2, failedChunks: [{ chunk: 1, reason: 'ApplicationGone' }] },
    'the failed chunk listed alone; its users in no count')
  const plain = await claimedCampaign(app, applicationId)
  const plainDetail = (await call(app, 'GET', `/push/campaign/${plain}/detail`)).json().responseObject
  t.notOk('failedChunks' in plainDetail.progress, 'absent when no chunk failed: the PowerAuth shape')
})

// guarantee: completion-waits-for-claims
t.test('a summary carrying its results completes the message; a claim it does not answer keeps it open', async (t) => {
  const { app, applicationId } = await setUp(t)
  const whole = await claimedMessage(app, applicationId)
  const partial = await claimedMessage(app, applicationId)
  await recordResults(app.db, [messageResult(whole, 1), messageResult(whole, 2), summary(whole), messageResult(partial, 1), summary(partial)])
  t.not((await app.db.message.findUniqueOrThrow({ where: { id: whole } })).completedAt, null)
  t.equal((await app.db.message.findUniqueOrThrow({ where: { id: partial } })).completedAt, null, 'device 2 is still PENDING')
  await recordResults(app.db, [messageResult(partial, 2)])
  t.not((await app.db.message.findUniqueOrThrow({ where: { id: partial } })).completedAt, null)
})

// guarantee: recorder-no-sequential-scan
t.test('a campaign batch on a young table (20,000 claims, never analyzed) is recorded through the index: no sequential scan of campaign_delivery', async (t) => {
  const { app, databaseUrl } = await buildApp(t, quiet)
  const application = await app.db.application.create({ data: { appId: '2', name: 'app' } })
  const campaign = await app.db.campaign.create({ data: { applicationId: application.id, message: { title: 'x' }, sentAt: new Date(), publishedAt: new Date() } })
  await app.db.campaignChunk.create({ data: { campaignId: campaign.id, chunk: 0, lastUserId: 'u' } })
  await app.db.pool.query(`INSERT INTO campaign_delivery (campaign_id, device_id, chunk, platform)
                           SELECT $1::bigint, d, 0, 'FCM' FROM generate_series(1, 20000) AS d`, [campaign.id.toString()])
  // One connection, so the statistics read are those its own statements reported.
  const db = createDb({ url: databaseUrl, poolSize: 1 })
  t.teardown(() => db.$disconnect())
  const sequentialScans = async (): Promise<number> => {
    await db.pool.query('SELECT pg_stat_force_next_flush()')
    const { rows } = await db.pool.query<{ n: string }>(
      'SELECT pg_stat_clear_snapshot(), (SELECT seq_scan FROM pg_stat_user_tables WHERE relname = \'campaign_delivery\')::text AS n')
    return Number(rows[0]!.n)
  }
  const setting = async () => (await db.pool.query<{ random_page_cost: string }>('SHOW random_page_cost')).rows[0]!.random_page_cost
  const server = await setting()
  const before = await sequentialScans()
  const batch = Array.from({ length: 250 }, (_, i) => campaignResult(campaign.id, 5000 + i * 7))
  await recordResults(db, batch)
  t.equal(await sequentialScans(), before, 'no sequential scan')
  const { rows: [sent] } = await db.pool.query<{ n: string }>('SELECT count(*)::text AS n FROM campaign_delivery WHERE status = \'SENT\'')
  t.equal(sent!.n, '250', 'every outcome of the batch recorded')
  t.equal(await setting(), server, 'the pooled connection keeps the server\'s setting')
  const { rows: [stats] } = await db.pool.query<{ reltuples: number }>('SELECT reltuples FROM pg_class WHERE relname = \'campaign_delivery\'')
  t.equal(Number(stats!.reltuples), -1, 'still never analyzed: the plan had no statistics to go by (the case this is about)')
})

// guarantee: completion-after-redelivered-batch
t.test('a batch whose outcomes were written but whose completion step failed completes its message and chunk when redelivered', async (t) => {
  const { app, applicationId } = await setUp(t)
  const messageId = await claimedMessage(app, applicationId)
  const campaignId = await claimedCampaign(app, applicationId)
  await recordResults(app.db, [summary(messageId), chunkSummary(campaignId, 0)])
  const last = [messageResult(messageId, 1), messageResult(messageId, 2), campaignResult(campaignId, 1, { chunk: 0 }), campaignResult(campaignId, 2, { chunk: 0 })]
  // Part two (the completion statement) fails after part one committed: the connection was lost.
  const failingPartTwo = (pool: typeof app.db.pool) => ({
    query: (query: { text?: string }) => (query.text?.includes('completed_messages AS') === true
      ? Promise.reject(new Error('Connection terminated unexpectedly'))
      : pool.query(query as never)),
    connect: () => pool.connect()
  })
  const partTwoFails = { pool: failingPartTwo(app.db.pool) } as unknown as typeof app.db
  await t.rejects(recordResults(partTwoFails, last), /Connection terminated/)
  const pending = await app.db.$queryRaw<Array<{ n: bigint }>>`
    SELECT (SELECT count(*) FROM message_delivery WHERE status = 'PENDING') + (SELECT count(*) FROM campaign_delivery WHERE status = 'PENDING') AS n`
  t.equal(Number(pending[0]!.n), 0, 'every outcome was written')
  t.equal((await app.db.message.findUniqueOrThrow({ where: { id: messageId } })).completedAt, null, 'the message is not complete yet')
  t.equal((await app.db.campaignChunk.findFirstOrThrow({ where: { campaignId } })).doneAt, null, 'nor the chunk')

  // JetStream hands the batch out again: its outcomes change nothing, the completion runs.
  await recordResults(app.db, last)
  t.not((await app.db.message.findUniqueOrThrow({ where: { id: messageId } })).completedAt, null, 'the message completes')
  t.not((await app.db.campaignChunk.findFirstOrThrow({ where: { campaignId } })).doneAt, null, 'the chunk is done')
  t.not((await app.db.campaign.findUniqueOrThrow({ where: { id: campaignId } })).completedAt, null, 'and the campaign, its last chunk done, is sent')
})

// One statement later than the test above: part two (COMPLETE) committed the chunk as done, then
// the api died (or lost its connection) before completing the campaign. The redelivered batch
// finds the chunk done already; it must still complete the campaign, which no later batch would.
// guarantee: completion-after-redelivered-batch
t.test('a batch whose chunk completion committed but whose campaign completion failed completes the campaign when redelivered', async (t) => {
  const { app, applicationId } = await setUp(t)
  const campaignId = await claimedCampaign(app, applicationId)
  await recordResults(app.db, [chunkSummary(campaignId, 0)])
  const last = [campaignResult(campaignId, 1, { chunk: 0 }), campaignResult(campaignId, 2, { chunk: 0 })]
  const failingCampaignCompletion = (pool: typeof app.db.pool) => ({
    query: (query: { text?: string }) => (query.text?.includes('UPDATE campaign AS c SET completed_at') === true
      ? Promise.reject(new Error('Connection terminated unexpectedly'))
      : pool.query(query as never)),
    connect: () => pool.connect()
  })
  const dies = { pool: failingCampaignCompletion(app.db.pool) } as unknown as typeof app.db
  await t.rejects(recordResults(dies, last), /Connection terminated/)
  t.not((await app.db.campaignChunk.findFirstOrThrow({ where: { campaignId } })).doneAt, null, 'the chunk is done')
  t.equal((await app.db.campaign.findUniqueOrThrow({ where: { id: campaignId } })).completedAt, null, 'the campaign is not complete yet')

  // JetStream hands the batch out again (it was never acknowledged).
  await recordResults(app.db, last)
  t.not((await app.db.campaign.findUniqueOrThrow({ where: { id: campaignId } })).completedAt, null, 'the campaign, its last chunk done, is sent')
})

t.test('small batches run their statements\' generic plan, never planned anew for each batch', async (t) => {
  const { app, applicationId } = await setUp(t)
  const batches = 12
  for (let i = 0; i < batches; i++) {
    const messageId = await claimedMessage(app, applicationId)
    await recordResults(app.db, [messageResult(messageId, 1), messageResult(messageId, 2), summary(messageId)])
  }
  // Every connection of the pool, held at once (nothing else runs now): each has its own prepared
  // statements and plan counts.
  const clients = await Promise.all(Array.from({ length: app.db.pool.totalCount }, () => app.db.pool.connect()))
  try {
    const plans = { generic: 0, custom: 0 }
    for (const client of clients) {
      const { rows } = await client.query<{ generic_plans: string, custom_plans: string }>(
        'SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name = \'beacon-record-results\'')
      for (const row of rows) { plans.generic += Number(row.generic_plans); plans.custom += Number(row.custom_plans) }
    }
    t.equal(plans.custom, 0, 'no batch was planned with its own values')
    t.equal(plans.generic, batches, 'each batch ran the generic plan')
  } finally {
    for (const client of clients) client.release()
  }
})

t.test('what a batch wrote is counted by stored status, message and campaign outcomes alike; a repeat counts nothing', async (t) => {
  const { app, applicationId } = await setUp(t)
  const messageId = await claimedMessage(app, applicationId)
  const campaignId = await claimedCampaign(app, applicationId)
  const batch = [
    messageResult(messageId, 1), messageResult(messageId, 2, { status: 'FAILED', reason: 'BadDeviceToken' }),
    campaignResult(campaignId, 1), campaignResult(campaignId, 2)
  ]
  t.same((await recordResults(app.db, batch)).written, { SENT: 3, FAILED: 1 })
  t.same((await recordResults(app.db, batch)).written, {}, 'nothing written again')
})
