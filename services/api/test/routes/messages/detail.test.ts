import { randomUUID } from 'node:crypto'
import t from 'tap'
import { buildApp, call } from '../../helper.js'

// `GET /push/message/{id}/detail` shows every column of its row and the recorded outcomes: a
// finished message with its failure, and one still sending. Unknown and malformed ids: send.test.ts.
t.test('message detail: completion, failure reason, timestamps, activation and the recorded counts', async (t) => {
  const { app } = await buildApp(t)
  const application = await app.db.application.create({ data: { appId: '2', name: 'app2' } })
  const createdAt = new Date('2026-11-30T08:00:00.123Z')
  const completedAt = new Date('2026-11-30T08:00:05.456Z')
  const store = async (data: { activationId?: string, failureReason?: string, completedAt?: Date }) => {
    const id = randomUUID()
    await app.db.message.create({
      data: { id, applicationId: application.id, userId: 'alice', personal: false, silent: false, priority: 'HIGH', body: {}, createdAt, ...data }
    })
    return id
  }
  const failed = await store({ activationId: 'act-1', failureReason: 'NotQueued', completedAt })
  const sending = await store({})
  await app.db.messageDelivery.createMany({
    data: [
      { messageId: failed, deviceId: 1n, platform: 'APNS', status: 'SENT' },
      { messageId: failed, deviceId: 2n, platform: 'APNS', status: 'EXPIRED' },
      { messageId: failed, deviceId: 3n, platform: 'FCM', status: 'FAILED' },
      { messageId: sending, deviceId: 4n, platform: 'FCM', status: 'PENDING' }
    ]
  })
  const detail = async (id: string) => {
    const response = await call(app, 'GET', `/push/message/${id}/detail`)
    t.equal(response.statusCode, 200)
    return response.json()
  }

  t.same(await detail(failed), {
    status: 'OK',
    responseObject: {
      id: failed,
      appId: 2,
      userId: 'alice',
      activationId: 'act-1',
      completed: true,
      failureReason: 'NotQueued',
      timestampCreated: createdAt.toISOString(),
      timestampCompleted: completedAt.toISOString(),
      result: { ios: { sent: 1, pending: 0, failed: 1, total: 2 }, android: { sent: 0, pending: 0, failed: 1, total: 1 } }
    }
  })
  t.same((await detail(sending)).responseObject, {
    id: sending,
    appId: 2,
    userId: 'alice',
    activationId: null,
    completed: false,
    failureReason: null,
    timestampCreated: createdAt.toISOString(),
    timestampCompleted: null,
    result: { ios: { sent: 0, pending: 0, failed: 0, total: 0 }, android: { sent: 0, pending: 1, failed: 0, total: 1 } }
  }, 'only its own outcomes are counted')
})
