import { randomUUID } from 'node:crypto'
import type { DeviceResult } from '@beacon/contracts'
import t from 'tap'
import { buildApp } from '../helper.js'
import { metricValue, untilMetric } from './scrape.js'

const result = (messageId: string, deviceId: number, status: DeviceResult['status']): DeviceResult =>
  ({ messageId, deviceId: String(deviceId), platform: 'APNS', status, tokenInvalid: false, attempts: 1, at: new Date().toISOString() } as DeviceResult)

t.test('results recorded are counted by stored outcome, once each however often a result arrives', async (t) => {
  const { app } = await buildApp(t, { OUTBOX_SWEEP_INTERVAL_MS: '60000' })
  const application = await app.db.application.create({ data: { appId: '2', name: 'app' } })
  const messageId = randomUUID()
  await app.db.message.create({ data: { id: messageId, applicationId: application.id, userId: 'u', personal: false, silent: false, priority: 'HIGH', body: { title: 'x' } } })
  await app.db.messageDelivery.createMany({ data: [1n, 2n, 3n].map((deviceId) => ({ messageId, deviceId, platform: 'APNS' as const })) })
  const outcome = (name: string) => metricValue(app, 'beacon_results_recorded_total', { outcome: name })
  const sentBefore = await outcome('sent')
  const failedBefore = await outcome('failed')

  const results = [result(messageId, 1, 'SENT'), result(messageId, 2, 'SENT'), result(messageId, 3, 'FAILED')]
  await app.transport.publishDeviceResults(results)
  await untilMetric(app, 'beacon_results_recorded_total', { outcome: 'failed' }, (value) => value >= failedBefore + 1)
  t.equal(await outcome('sent') - sentBefore, 2, 'two sent, through the recorder consuming from NATS')
  t.equal(await outcome('failed') - failedBefore, 1)

  // The same results again (a redelivery): nothing is written, nothing counted. The summary after
  // them completes the message: once it is recorded, so were they.
  await app.transport.publishSummary({ messageId, ios: { sent: 2, failed: 1, pending: 0, total: 3 }, android: { sent: 0, failed: 0, pending: 0, total: 0 } }, results)
  const deadline = Date.now() + 15_000
  while ((await app.db.message.findUniqueOrThrow({ where: { id: messageId } })).completedAt === null) {
    if (Date.now() > deadline) throw new Error('the summary was never recorded')
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  t.equal(await outcome('sent') - sentBefore, 2, 'a repeat is not counted')
  t.equal(await outcome('failed') - failedBefore, 1)
})
