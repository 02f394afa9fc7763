import { randomUUID } from 'node:crypto'
import type { DeviceResult } from '@beacon/contracts'
import t from 'tap'
import { buildApp } from '../../helper.js'

const SPACING_MS = 1000
const none = { sent: 0, failed: 0, pending: 0, total: 0 }
const sent = (messageId: string): DeviceResult =>
  ({ messageId, deviceId: '1', platform: 'APNS', status: 'SENT', tokenInvalid: false, attempts: 1, at: new Date().toISOString() } as DeviceResult)

// guarantee: results-batch-spacing
t.test('the recorder spaces its batches by RESULTS_BATCH_SPACING_MS: summaries arriving meanwhile are recorded together', async (t) => {
  const { app } = await buildApp(t, { OUTBOX_SWEEP_INTERVAL_MS: '60000', RESULTS_BATCH_SPACING_MS: String(SPACING_MS) })
  const application = await app.db.application.create({ data: { appId: '2', name: 'app' } })
  const ids = [randomUUID(), randomUUID(), randomUUID(), randomUUID()]
  for (const id of ids) {
    await app.db.message.create({ data: { id, applicationId: application.id, userId: 'u', personal: false, silent: false, priority: 'HIGH', body: { title: 'x' } } })
    await app.db.messageDelivery.create({ data: { messageId: id, deviceId: 1n, platform: 'APNS' } })
  }
  const completedAt = async (id: string) => {
    const deadline = Date.now() + 15_000
    for (;;) {
      const at = (await app.db.message.findUniqueOrThrow({ where: { id } })).completedAt
      if (at !== null) return at.getTime()
      if (Date.now() > deadline) throw new Error(`message ${id} never completed`)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }
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
