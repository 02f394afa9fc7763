import { randomUUID } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { purgeFinishedRecords } from '../../../src/domain/retention/purge.js'
import { buildApp, call } from '../../helper.js'

const DAY_MS = 86_400_000
const daysAgo = (days: number) => new Date(Date.now() - days * DAY_MS)
const cutoff = () => daysAgo(30)

/** A message made `createdDaysAgo` days ago with two claimed devices; completed `completedDaysAgo` days ago (null: not yet). */
async function message (app: FastifyInstance, applicationId: number, createdDaysAgo: number, completedDaysAgo: number | null): Promise<string> {
  const id = randomUUID()
  const completedAt = completedDaysAgo === null ? null : daysAgo(completedDaysAgo)
  await app.db.message.create({ data: { id, applicationId, userId: 'u', personal: false, silent: false, priority: 'HIGH', body: { title: 'x' }, createdAt: daysAgo(createdDaysAgo), completedAt } })
  await app.db.messageDelivery.createMany({ data: [1n, 2n].map((deviceId) => ({ messageId: id, deviceId, platform: 'APNS' as const, status: completedDaysAgo === null ? 'PENDING' as const : 'SENT' as const })) })
  return id
}

async function callback (app: FastifyInstance, createdDaysAgo: number, status: 'PENDING' | 'DELIVERED' | 'FAILED'): Promise<string> {
  const requestId = randomUUID()
  await app.db.callbackDelivery.create({ data: { developerId: 1, eventId: `${requestId}:push.sent`, event: 'push.sent', requestId, status, createdAt: daysAgo(createdDaysAgo) } })
  return requestId
}

async function setUp (t: Parameters<typeof buildApp>[0]) {
  const { app } = await buildApp(t, { OUTBOX_SWEEP_INTERVAL_MS: '60000' })
  const first = await app.db.application.create({ data: { appId: '2', name: 'first' } })
  const second = await app.db.application.create({ data: { appId: '3', name: 'second' } })
  return { app, applications: [first.id, second.id] as const }
}

const remainingMessages = async (app: FastifyInstance) => new Set((await app.db.message.findMany({ select: { id: true } })).map((m) => m.id))
const deliveriesOf = async (app: FastifyInstance, messageId: string) => await app.db.messageDelivery.count({ where: { messageId } })

// guarantee: retention-deletes-finished-only
t.test('finished messages and callback records made before the cut-off go; anything unfinished or newer stays', async (t) => {
  const { app, applications: [first, second] } = await setUp(t)
  const oldDone = await message(app, first, 40, 39)
  const oldDoneElsewhere = await message(app, second, 60, 60)
  const oldUnfinished = await message(app, first, 40, null)
  const oldFinishedLately = await message(app, first, 40, 1)
  const recent = await message(app, second, 2, 2)
  // Made in time order, as the table's ids grow with time.
  const oldDelivered = await callback(app, 50, 'DELIVERED')
  const oldFailed = await callback(app, 45, 'FAILED')
  const oldPending = await callback(app, 40, 'PENDING')
  const recentDelivered = await callback(app, 1, 'DELIVERED')

  // One row per statement: every application and the callbacks take several statements.
  const purged = await purgeFinishedRecords(app.db, { before: cutoff(), batch: 1 })
  t.same(purged, { messages: 2, callbacks: 2 })
  t.same(await remainingMessages(app), new Set([oldUnfinished, oldFinishedLately, recent]), 'the unfinished, the lately finished and the recent stay')
  t.equal(await deliveriesOf(app, oldDone), 0, 'a deleted message\'s per-device outcomes go with it')
  t.equal(await deliveriesOf(app, oldDoneElsewhere), 0)
  t.equal(await deliveriesOf(app, oldUnfinished), 2, 'a kept message keeps its claims')
  const callbacks = new Set((await app.db.callbackDelivery.findMany({ select: { requestId: true } })).map((c) => c.requestId))
  t.same(callbacks, new Set([oldPending, recentDelivered]), 'a callback not yet delivered or given up stays, however old')
  t.notOk(callbacks.has(oldDelivered) || callbacks.has(oldFailed))

  t.same(await purgeFinishedRecords(app.db, { before: cutoff(), batch: 1 }), { messages: 0, callbacks: 0 }, 'a second purge finds nothing')
})

// guarantee: retention-spares-campaigns-and-inbox
t.test('old campaigns with their per-device rows, and old inbox messages, are not touched', async (t) => {
  const { app, applications: [first] } = await setUp(t)
  const campaign = await app.db.campaign.create({ data: { applicationId: first, message: { title: 'x' }, createdAt: daysAgo(90), sentAt: daysAgo(90), publishedAt: daysAgo(90), completedAt: daysAgo(89) } })
  await app.db.campaignChunk.create({ data: { campaignId: campaign.id, chunk: 0, afterUserId: null, lastUserId: 'u', summaryAt: daysAgo(89), doneAt: daysAgo(89) } })
  await app.db.campaignDelivery.createMany({ data: [1n, 2n].map((deviceId) => ({ campaignId: campaign.id, deviceId, chunk: 0, platform: 'APNS' as const, status: 'SENT' as const, claimedAt: daysAgo(90), completedAt: daysAgo(90) })) })
  // An inbox message of PowerAuth's inbox, and an in-app message whose push fallback (a message
  // of its own, finished long ago) is purged.
  const pushMessage = await message(app, first, 60, 59)
  const inbox = [randomUUID(), randomUUID()]
  for (const [i, id] of inbox.entries()) {
    await app.db.inboxMessage.create({
      data: { id, userId: 'u', type: 'TEXT', subject: 's', summary: 's', body: 'b', createdAt: daysAgo(60), ...(i === 1 ? { pushMessageId: pushMessage } : {}), applications: { create: { applicationId: first } } }
    })
  }

  t.same(await purgeFinishedRecords(app.db, { before: cutoff(), batch: 1 }), { messages: 1, callbacks: 0 }, 'the push fallback\'s message goes')
  t.ok(await app.db.campaign.findUnique({ where: { id: campaign.id } }), 'the campaign stays')
  t.equal(await app.db.campaignChunk.count({ where: { campaignId: campaign.id } }), 1, 'its chunk stays')
  t.equal(await app.db.campaignDelivery.count({ where: { campaignId: campaign.id } }), 2, 'its per-device rows stay')
  t.same((await app.db.inboxMessage.findMany({ select: { id: true }, orderBy: { createdAt: 'asc' } })).map((m) => m.id).sort(), [...inbox].sort(), 'both inbox messages stay')
  t.equal(await app.db.inboxMessageApplication.count(), 2, 'with their applications')
  for (const id of inbox) {
    const detail = await call(app, 'GET', `/inbox/messages/detail?id=${id}`)
    t.equal(detail.statusCode, 200, `inbox message ${id} still answered`)
  }
})

t.test('instances purging together share the rows: each deleted once, none left, no error', async (t) => {
  const { app, applications: [first, second] } = await setUp(t)
  for (let i = 0; i < 12; i++) await message(app, i % 2 === 0 ? first : second, 40, 40)
  for (let i = 0; i < 12; i++) await callback(app, 40, 'FAILED')
  const kept = await message(app, first, 1, 1)

  const both = await Promise.all([0, 1].map(async () => await purgeFinishedRecords(app.db, { before: cutoff(), batch: 2 })))
  t.equal(both[0]!.messages + both[1]!.messages, 12, 'every old message deleted by one of them')
  t.equal(both[0]!.callbacks + both[1]!.callbacks, 12)
  t.same(await remainingMessages(app), new Set([kept]))
  t.equal(await app.db.messageDelivery.count(), 2)
  t.equal(await app.db.callbackDelivery.count(), 0)
})

t.test('each statement\'s deletions are told as they happen: a purge failing half-way has counted what it did', async (t) => {
  const { app, applications: [first] } = await setUp(t)
  for (let i = 0; i < 3; i++) await message(app, first, 40, 40)
  const told: Array<[string, number]> = []
  let checks = 0
  const failing = purgeFinishedRecords(app.db, {
    before: cutoff(),
    batch: 2,
    onDeleted: (record, count) => { told.push([record, count]) },
    // The second check (after the first statement) fails, as a lost connection would.
    active: () => { if (++checks > 1) throw new Error('connection lost'); return true }
  })
  await t.rejects(failing, /connection lost/)
  t.same(told, [['message', 2]], 'the first statement\'s two told before the failure')
  t.equal(await app.db.message.count(), 1)
})

t.test('a purge told to stop (the api closing) starts no further statement', async (t) => {
  const { app, applications: [first] } = await setUp(t)
  await message(app, first, 40, 40)
  await callback(app, 40, 'DELIVERED')
  t.same(await purgeFinishedRecords(app.db, { before: cutoff(), batch: 10, active: () => false }), { messages: 0, callbacks: 0 })
  t.equal(await app.db.message.count(), 1)
  t.equal(await app.db.callbackDelivery.count(), 1)
})

t.test('a backlog is spread out: after each statement that deleted a whole batch the purge pauses pauseMs', async (t) => {
  const { app, applications: [first] } = await setUp(t)
  for (let i = 0; i < 3; i++) await message(app, first, 40, 40)
  const started = Date.now()
  // Batches of 1: three full ones (each followed by the pause), then an empty one.
  t.same(await purgeFinishedRecords(app.db, { before: cutoff(), batch: 1, pauseMs: 300 }), { messages: 3, callbacks: 0 })
  t.ok(Date.now() - started >= 900, `three pauses of 300 ms (took ${Date.now() - started} ms)`)
})

t.test('the callback records are walked only up to the first page reaching the cut-off, not through the recent ones', async (t) => {
  const { app } = await setUp(t)
  // Made in time order, as the table's ids grow with time.
  await callback(app, 50, 'DELIVERED')
  await callback(app, 45, 'PENDING')
  await callback(app, 40, 'FAILED')
  for (let i = 0; i < 5; i++) await callback(app, 1, 'DELIVERED')
  const statements: number[] = []
  const purged = await purgeFinishedRecords(app.db, { before: cutoff(), batch: 1, onDeleted: (record, count) => { if (record === 'callback') statements.push(count) } })
  t.same(purged, { messages: 0, callbacks: 2 })
  t.same(statements, [1, 0, 1, 0], 'one page per old record, then the first recent one ends the walk')
  t.equal(await app.db.callbackDelivery.count(), 6)
})
