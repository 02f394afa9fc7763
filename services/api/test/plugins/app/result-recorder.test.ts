import { randomUUID } from 'node:crypto'
import type { DeviceResult } from '@beacon/contracts'
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { buildApp, call } from '../../helper.js'

const SPACING_MS = 1000
const none = { sent: 0, failed: 0, pending: 0, total: 0 }
const sent = (messageId: string): DeviceResult =>
  ({ messageId, deviceId: '1', platform: 'APNS', status: 'SENT', tokenInvalid: false, attempts: 1, at: new Date().toISOString() } as DeviceResult)

/** `get`'s value once it has one (polled every 20 ms, for up to 15 s). */
async function read<T> (get: () => Promise<T | null | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + 15_000
  for (;;) {
    const value = await get()
    if (value !== null && value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** When the recorder wrote the message's outcome (null: not yet). */
const recordedAt = async (app: FastifyInstance, id: string) => (await app.db.message.findUniqueOrThrow({ where: { id } })).completedAt

// guarantee: results-batch-spacing
t.test('the recorder spaces its batches by RESULTS_BATCH_SPACING_MS: summaries arriving meanwhile are recorded together', async (t) => {
  const { app } = await buildApp(t, { OUTBOX_SWEEP_INTERVAL_MS: '60000', RESULTS_BATCH_SPACING_MS: String(SPACING_MS) })
  const application = await app.db.application.create({ data: { appId: '2', name: 'app' } })
  const ids = [randomUUID(), randomUUID(), randomUUID(), randomUUID()]
  for (const id of ids) {
    await app.db.message.create({ data: { id, applicationId: application.id, userId: 'u', personal: false, silent: false, priority: 'HIGH', body: { title: 'x' } } })
    await app.db.messageDelivery.create({ data: { messageId: id, deviceId: 1n, platform: 'APNS' } })
  }
  const completedAt = async (id: string) => (await read(() => recordedAt(app, id), `message ${id} recorded`)).getTime()
  const publish = (id: string) => app.transport.publishSummary({ messageId: id, ios: { ...none, sent: 1, total: 1 }, android: none }, [sent(id)])
  // A first batch opens the pool's connections, whose delay would shorten the gap measured below.
  await publish(ids[0]!)
  await completedAt(ids[0]!)
  await new Promise((resolve) => setTimeout(resolve, SPACING_MS))
  await publish(ids[1]!)
  const first = await completedAt(ids[1]!)
  // Published one after the other, within the spacing after that batch started.
  await publish(ids[2]!)
  await publish(ids[3]!)
  const [second, third] = [await completedAt(ids[2]!), await completedAt(ids[3]!)]
  t.equal(second, third, 'the two later summaries were recorded by one statement (one transaction time)')
  // Unspaced, the gap is the first batch's run and one poll (tens of ms). The database's clock
  // starts the transaction after the batch starts: slack for a loaded machine.
  t.ok(second - first >= SPACING_MS / 2, `their batch started about a spacing after the one before (${second - first} ms)`)
})

// guarantee: sync-answer-unspaced
t.test('a SYNCHRONOUS send answers with its summary as it arrives, not after the recorder\'s spacing', async (t) => {
  const { app } = await buildApp(t, { OUTBOX_SWEEP_INTERVAL_MS: '60000', RESULTS_BATCH_SPACING_MS: String(SPACING_MS) })
  const application = await app.db.application.create({ data: { appId: '2', name: 'app' } })
  // No dispatcher: the test answers for it. The send waits for its summary.
  const answer = call(app, 'POST', '/push/message/send', { requestObject: { appId: 2, mode: 'SYNCHRONOUS', message: { userId: 'alice', body: { title: 'x', body: 'y' } } } })
  const { id } = await read(() => app.db.message.findFirst({ where: { userId: 'alice' }, select: { id: true } }), 'the send\'s message stored')
  await app.db.messageDelivery.create({ data: { messageId: id, deviceId: 1n, platform: 'APNS' } })

  // Another message's summary starts a recorder batch: the next one waits out the spacing.
  const other = randomUUID()
  await app.db.message.create({ data: { id: other, applicationId: application.id, userId: 'u', personal: false, silent: false, priority: 'HIGH', body: { title: 'x' } } })
  await app.transport.publishSummary({ messageId: other, ios: none, android: none })
  await read(() => recordedAt(app, other), 'the other message recorded')

  await app.transport.publishSummary({ messageId: id, ios: { ...none, sent: 1, total: 1 }, android: none }, [sent(id)])
  const response = await answer
  const answeredAt = Date.now()
  t.equal(response.statusCode, 200)
  t.same(response.json().responseObject.result, { ios: { sent: 1, pending: 0, failed: 0, total: 1 }, android: none }, 'counted from the summary')
  const recorded = await read(() => recordedAt(app, id), 'the send\'s message recorded')
  t.ok(answeredAt < recorded.getTime(), `answered before the recorder's next batch wrote the message (${recorded.getTime() - answeredAt} ms later)`)
})
