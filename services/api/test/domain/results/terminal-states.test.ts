import { randomUUID } from 'node:crypto'
import type { Db } from '@beacon/db'
import t from 'tap'
import { failMessages } from '../../../src/domain/results/terminal-states.js'
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
