import type { FastifyInstance } from 'fastify'
import { createDb } from '@beacon/db'
import { adminDatabaseUrl } from '@beacon/testkit'
import t from 'tap'
import { SNAPSHOT_TTL_MS } from '../../src/metrics/database-gauges.js'
import { buildApp, call } from '../helper.js'
import { sampleValue, untilMetric } from './scrape.js'

const later = new Date(Date.now() + 3_600_000)

/** A campaign whose live send started, with device deliveries in these states. */
async function campaign (app: FastifyInstance, applicationId: number, states: Array<'PENDING' | 'SENT' | 'FAILED' | 'EXPIRED'>, completedAt: Date | null = null) {
  const created = await app.db.campaign.create({ data: { applicationId, message: { title: 'x' }, sentAt: new Date(), completedAt } })
  await app.db.campaignDelivery.createMany({
    data: states.map((status, index) => ({ campaignId: created.id, deviceId: BigInt(index + 1), chunk: 0, platform: 'FCM' as const, status }))
  })
}

t.test('outbox depth: the rows not yet published, read at scrape', async (t) => {
  const { app } = await buildApp(t, { OUTBOX_SWEEP_INTERVAL_MS: '60000' })
  await untilMetric(app, 'beacon_outbox_depth', {}, (depth) => depth === 0)
  // Due in an hour: the sweeper leaves them where they are.
  await app.db.outbox.createMany({ data: [1, 2, 3].map((n) => ({ kind: 'command', payload: { n }, publishAfter: later })) })
  t.equal(await untilMetric(app, 'beacon_outbox_depth', {}, (depth) => depth !== 0), 3)
})

// guarantee: database-gauges-keep-last-values
t.test('the database unreachable at a scrape: /metrics still answers, the database gauges keep their last values, /readyz names the database', async (t) => {
  const { app, databaseUrl } = await buildApp(t, { OUTBOX_SWEEP_INTERVAL_MS: '60000' })
  await app.db.outbox.createMany({ data: [1, 2, 3].map((n) => ({ kind: 'command', payload: { n }, publishAfter: later })) })
  t.equal(await untilMetric(app, 'beacon_outbox_depth', {}, (depth) => depth === 3), 3, 'read while it answers')
  // Gone: what a reading would now find (no rows) can no longer be read.
  await app.db.outbox.deleteMany({})
  const name = new URL(databaseUrl).pathname.slice(1)
  const admin = createDb({ url: adminDatabaseUrl, poolSize: 1 })
  t.teardown(async () => { await admin.pool.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS true`); await admin.$disconnect() })
  await admin.pool.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS false`)
  await admin.pool.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [name])
  // Past the shared reading's lifetime, so this scrape asks the database.
  await new Promise((resolve) => setTimeout(resolve, SNAPSHOT_TTL_MS + 100))
  const scrape = await app.inject({ method: 'GET', url: '/metrics' })
  t.equal(scrape.statusCode, 200, '/metrics answers')
  t.equal(sampleValue(scrape.body, 'beacon_outbox_depth'), 3, 'the last value kept, not 0')
  const ready = await app.inject({ method: 'GET', url: '/readyz' })
  t.equal(ready.statusCode, 503)
  t.match(ready.body, /database/)
})

t.test('callbacks waiting for a later attempt are counted apart from the outbox depth', async (t) => {
  const { app } = await buildApp(t, { OUTBOX_SWEEP_INTERVAL_MS: '60000' })
  await untilMetric(app, 'beacon_callbacks_waiting', {}, (waiting) => waiting === 0)
  const copy = (n: number) => ({ n, copy: '0b6f1d6e-6c1d-4c43-9a53-6a1a2b0b2f3e' })
  const now = new Date()
  await app.db.outbox.createMany({
    data: [
      // Two retries waiting for their time.
      { kind: 'callback', payload: copy(1), publishAfter: later },
      { kind: 'callback', payload: copy(2), publishAfter: later },
      // A copy whose publish failed (NATS down): not published, so in the depth.
      { kind: 'callback', payload: copy(3), publishAfter: later, attempts: 1 },
      // A first copy, due when written, the sweeper has yet to publish, and a command.
      { kind: 'callback', payload: { n: 4 }, publishAfter: now },
      { kind: 'command', payload: { n: 5 }, publishAfter: later }
    ]
  })
  t.equal(await untilMetric(app, 'beacon_callbacks_waiting', {}, (waiting) => waiting !== 0), 2)
  t.equal(await untilMetric(app, 'beacon_outbox_depth', {}, (depth) => depth !== 0), 3)
})

t.test('the outbox row due longest: how long it has been due', async (t) => {
  const { app } = await buildApp(t, { OUTBOX_SWEEP_INTERVAL_MS: '60000' })
  await untilMetric(app, 'beacon_outbox_oldest_due_seconds', {}, (age) => age === 0)
  // Rows the sweeper would have published by now (its next round is a minute away).
  const ago = (seconds: number) => new Date(Date.now() - seconds * 1000)
  await app.db.outbox.createMany({
    data: [
      { kind: 'command', payload: { n: 1 }, publishAfter: ago(90), attempts: 3 },
      { kind: 'callback', payload: { n: 2 }, publishAfter: ago(30) },
      { kind: 'callback', payload: { n: 3 }, publishAfter: later }
    ]
  })
  const age = await untilMetric(app, 'beacon_outbox_oldest_due_seconds', {}, (seconds) => seconds !== 0)
  t.ok(age >= 90 && age < 100, `the oldest due row's age: ${age} s`)
})

t.test('rows whose publish failed: counted until they are published', async (t) => {
  const { app } = await buildApp(t, { OUTBOX_SWEEP_INTERVAL_MS: '60000' })
  await untilMetric(app, 'beacon_outbox_failed_publishes', {}, (failed) => failed === 0)
  // As the sweeper leaves them after a failed publish: tried again a grace later.
  await app.db.outbox.createMany({
    data: [
      { kind: 'command', payload: { n: 1 }, publishAfter: later, attempts: 1 },
      { kind: 'callback', payload: { n: 2 }, publishAfter: later, attempts: 4 },
      { kind: 'callback', payload: { n: 3 }, publishAfter: later }
    ]
  })
  t.equal(await untilMetric(app, 'beacon_outbox_failed_publishes', {}, (failed) => failed !== 0), 2)
})

t.test('campaigns running and their devices by state, summed over the running campaigns only', async (t) => {
  const { app } = await buildApp(t, { OUTBOX_SWEEP_INTERVAL_MS: '60000' })
  const application = await app.db.application.create({ data: { appId: '2', name: 'app' } })
  await campaign(app, application.id, ['PENDING', 'SENT', 'SENT', 'FAILED'])
  await campaign(app, application.id, ['SENT', 'EXPIRED'])
  await campaign(app, application.id, ['SENT', 'SENT', 'SENT'], new Date())
  await app.db.campaign.create({ data: { applicationId: application.id, message: { title: 'not sent' } } })

  t.equal(await untilMetric(app, 'beacon_campaigns_running', {}, (running) => running !== 0), 2, 'started, not complete')
  t.equal(await untilMetric(app, 'beacon_campaign_devices', { state: 'planned' }, (n) => n !== 0), 6)
  t.equal(await untilMetric(app, 'beacon_campaign_devices', { state: 'sent' }, (n) => n !== 0), 3)
  t.equal(await untilMetric(app, 'beacon_campaign_devices', { state: 'failed' }, (n) => n !== 0), 2, 'failed and expired')
})

t.test('campaign progress: all of a running campaign\'s chunks are planned from its start, so a few claimed and sent devices are not 100%', async (t) => {
  // 25 users, 10 a chunk: chunks 0, 1, 2. Chunk 0 is done, 1 failed as a whole, 2 is being sent.
  const { app } = await buildApp(t, { OUTBOX_SWEEP_INTERVAL_MS: '60000', CAMPAIGN_CHUNK_USERS: '10' })
  const application = await app.db.application.create({ data: { appId: '2', name: 'app' } })
  const created = await app.db.campaign.create({ data: { applicationId: application.id, message: { title: 'x' } } })
  const users = Array.from({ length: 25 }, (_, n) => `user-${String(n).padStart(2, '0')}`)
  await app.db.campaignUser.createMany({ data: users.map((userId) => ({ campaignId: created.id, userId })) })
  t.equal((await call(app, 'POST', `/push/campaign/send/live/${created.id}`)).statusCode, 200)
  // Only the devices a dispatcher claimed exist as deliveries: these few, all sent.
  await app.db.campaignDelivery.createMany({
    data: [1, 2, 3, 4].map((n) => ({ campaignId: created.id, deviceId: BigInt(n), chunk: n <= 2 ? 0 : 2, platform: 'FCM' as const, status: 'SENT' as const }))
  })
  const done = new Date()
  await app.db.campaignChunk.update({ where: { campaignId_chunk: { campaignId: created.id, chunk: 0 } }, data: { summaryAt: done, doneAt: done } })
  await app.db.campaignChunk.update({ where: { campaignId_chunk: { campaignId: created.id, chunk: 1 } }, data: { doneAt: done, failureReason: 'DeliveryAttemptsExhausted' } })
  // Chunk 2's failure came with its summary, and it is done only once its claims are: not failed yet.
  await app.db.campaignChunk.update({ where: { campaignId_chunk: { campaignId: created.id, chunk: 2 } }, data: { summaryAt: done, failureReason: 'ApplicationNotFound' } })
  // A completed campaign's chunks are in no count.
  await campaign(app, application.id, ['SENT'], done)
  const completed = await app.db.campaign.findFirstOrThrow({ where: { completedAt: { not: null } } })
  await app.db.campaignChunk.create({ data: { campaignId: completed.id, chunk: 0, lastUserId: 'z', doneAt: done } })

  const chunks = async (state: string) => await untilMetric(app, 'beacon_campaign_chunks', { state }, (n) => n !== 0)
  t.equal(await untilMetric(app, 'beacon_campaigns_running', {}, (running) => running !== 0), 1)
  const devices = { planned: await untilMetric(app, 'beacon_campaign_devices', { state: 'planned' }, (n) => n !== 0), sent: await untilMetric(app, 'beacon_campaign_devices', { state: 'sent' }, (n) => n !== 0) }
  t.same(devices, { planned: 4, sent: 4 }, 'the claimed devices alone read as all sent')
  t.same({ planned: await chunks('planned'), done: await chunks('done'), failed: await chunks('failed') }, { planned: 3, done: 2, failed: 1 })
  t.equal(await chunks('done') / await chunks('planned'), 2 / 3, 'progress below 1 while chunk 2 is being sent')
})
