import { randomUUID } from 'node:crypto'
import type { Db } from '@beacon/db'
import t from 'tap'
import { failChunks, failMessages } from '../../../src/domain/results/terminal-states.js'
import { statementsDatabase } from '../../helper.js'

async function messageWithClaims (db: Db) {
  const application = await db.application.create({ data: { appId: '1', name: 'app' } })
  const id = randomUUID()
  await db.message.create({ data: { id, applicationId: application.id, userId: 'alice', personal: false, silent: false, priority: 'HIGH', body: {} } })
  await db.messageDelivery.create({ data: { messageId: id, deviceId: 1n, platform: 'APNS', status: 'SENT', completedAt: new Date() } })
  await db.messageDelivery.create({ data: { messageId: id, deviceId: 2n, platform: 'FCM' } })
  return id
}

const claims = async (db: Db, messageId: string) =>
  await db.messageDelivery.findMany({ where: { messageId }, orderBy: { deviceId: 'asc' } })

t.test('a message ended as failed keeps its real outcomes: only claims still pending fail, marked unconfirmed', async (t) => {
  const db = await statementsDatabase(t)
  const id = await messageWithClaims(db)
  t.equal(await failMessages(db.pool, [id], 'DeliveryAttemptsExhausted'), 1)
  const [sent, pending] = await claims(db, id)
  t.match(sent, { status: 'SENT', unconfirmed: false, reason: null }, 'the provider\'s answer stands')
  t.match(pending, { status: 'FAILED', unconfirmed: true, reason: 'DeliveryAttemptsExhausted' })
  t.match(await db.message.findUniqueOrThrow({ where: { id } }), { failureReason: 'DeliveryAttemptsExhausted', completedAt: Date })
})

t.test('a message that has completed is not failed afterwards', async (t) => {
  const db = await statementsDatabase(t)
  const id = await messageWithClaims(db)
  const completedAt = new Date(Date.now() - 60_000)
  await db.message.update({ where: { id }, data: { completedAt, summaryAt: completedAt } })
  t.equal(await failMessages(db.pool, [id], 'DeliveryAttemptsExhausted'), 0, 'nothing failed')
  const message = await db.message.findUniqueOrThrow({ where: { id } })
  t.equal(message.failureReason, null)
  t.equal(message.completedAt?.getTime(), completedAt.getTime(), 'its completion unchanged')
  t.match((await claims(db, id))[1], { status: 'PENDING', unconfirmed: false }, 'its claims untouched')
})

/** A published campaign of chunks 0 and 1; chunk 0's device 1 was SENT, its device 2 is still claimed. */
async function campaignWithClaims (db: Db) {
  const application = await db.application.create({ data: { appId: '1', name: 'app' } })
  const campaign = await db.campaign.create({ data: { applicationId: application.id, message: { title: 'x' }, sentAt: new Date(), publishedAt: new Date() } })
  await db.campaignChunk.createMany({ data: [0, 1].map((chunk) => ({ campaignId: campaign.id, chunk, lastUserId: `u${chunk}` })) })
  await db.campaignDelivery.create({ data: { campaignId: campaign.id, deviceId: 1n, chunk: 0, platform: 'APNS', status: 'SENT', completedAt: new Date() } })
  await db.campaignDelivery.create({ data: { campaignId: campaign.id, deviceId: 2n, chunk: 0, platform: 'FCM' } })
  await db.campaignDelivery.create({ data: { campaignId: campaign.id, deviceId: 3n, chunk: 1, platform: 'FCM' } })
  return campaign.id
}

const deliveries = async (db: Db, campaignId: bigint) =>
  await db.campaignDelivery.findMany({ where: { campaignId }, orderBy: { deviceId: 'asc' } })

t.test('a chunk ended as failed keeps its real outcomes: only its claims still pending fail, marked unconfirmed', async (t) => {
  const db = await statementsDatabase(t)
  const id = await campaignWithClaims(db)
  await failChunks(db.pool, [{ campaignId: id.toString(), chunk: 0 }], 'DeliveryAttemptsExhausted')
  const [sent, pending, otherChunk] = await deliveries(db, id)
  t.match(sent, { status: 'SENT', unconfirmed: false, reason: null }, 'the provider\'s answer stands')
  t.match(pending, { status: 'FAILED', unconfirmed: true, reason: 'DeliveryAttemptsExhausted' })
  t.match(otherChunk, { status: 'PENDING', unconfirmed: false, reason: null }, 'another chunk\'s claim is untouched')
  const chunks = await db.campaignChunk.findMany({ where: { campaignId: id }, orderBy: { chunk: 'asc' } })
  t.match(chunks.map((c) => c.failureReason), ['DeliveryAttemptsExhausted', null])
  t.equal(chunks[1]!.doneAt, null, 'the other chunk is not done')
  t.equal((await db.campaign.findUniqueOrThrow({ where: { id } })).completedAt, null, 'the campaign waits for its other chunk')

  await failChunks(db.pool, [{ campaignId: id.toString(), chunk: 1 }], 'NotQueued')
  t.not((await db.campaign.findUniqueOrThrow({ where: { id } })).completedAt, null, 'with every chunk done the campaign completes')
})

t.test('a chunk that is done is not failed afterwards', async (t) => {
  const db = await statementsDatabase(t)
  const id = await campaignWithClaims(db)
  const doneAt = new Date(Date.now() - 60_000)
  await db.campaignChunk.update({ where: { campaignId_chunk: { campaignId: id, chunk: 0 } }, data: { doneAt, summaryAt: doneAt } })
  await failChunks(db.pool, [{ campaignId: id.toString(), chunk: 0 }], 'DeliveryAttemptsExhausted')
  const chunk = await db.campaignChunk.findUniqueOrThrow({ where: { campaignId_chunk: { campaignId: id, chunk: 0 } } })
  t.equal(chunk.failureReason, null)
  t.equal(chunk.doneAt?.getTime(), doneAt.getTime(), 'its end unchanged')
  t.match((await deliveries(db, id))[1], { status: 'PENDING', unconfirmed: false, reason: null }, 'its claims untouched')
})

t.test('a failed push fallback of an inbox message without a developer tells no one', async (t) => {
  const db = await statementsDatabase(t)
  const id = await messageWithClaims(db)
  const message = await db.message.findUniqueOrThrow({ where: { id } })
  await db.inboxMessage.create({
    data: { id: randomUUID(), userId: 'alice', type: 'TEXT', subject: '', summary: 'hi', body: 'hi', developerId: null, pushMessageId: id, applications: { create: [{ applicationId: message.applicationId }] } }
  })
  t.equal(await failMessages(db.pool, [id], 'DeliveryAttemptsExhausted'), 1, 'the message fails')
  t.equal(await db.outbox.count(), 0, 'no callback queued: there is no developer to call')
})
