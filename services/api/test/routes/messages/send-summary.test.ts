import type { SendCommand } from '@beacon/contracts'
import { testNatsUrl } from '@beacon/testkit'
import { createNatsTransport } from '@beacon/transport'
import t from 'tap'
import { buildApp, call } from '../../helper.js'

// A SYNCHRONOUS send answers with its dispatchers' summaries as they come, failures included,
// not with what the database holds by then (the results may not be recorded yet). Counts of
// messages with no summary by the timeout: send-pending.test.ts.
const SYNC_TIMEOUT_MS = 20_000

const ios = { sent: 1, pending: 0, failed: 2, total: 3 }
const android = { sent: 0, pending: 1, failed: 1, total: 2 }

t.test('SYNCHRONOUS: each message\'s summary counted as the dispatcher sent it, failures too, as soon as it comes', async (t) => {
  const { app, config } = await buildApp(t, { SYNC_TIMEOUT_MS: String(SYNC_TIMEOUT_MS) })
  await app.db.application.create({ data: { appId: '2', name: 'app2' } })
  // A stand-in dispatcher: a summary for each command, no device rows and no device results.
  const transport = await createNatsTransport({ servers: testNatsUrl, prefix: config.nats.prefix, name: 'test-dispatcher' })
  t.teardown(() => transport.close())
  let pulling = () => {}
  const ready = new Promise<void>((resolve) => { pulling = resolve })
  transport.consumeCommands(async (delivery) => {
    await transport.publishSummary({ messageId: (delivery.command as SendCommand).messageId, ios, android }, [])
    await delivery.ack()
  }, { concurrency: 2, ready: async () => { pulling() } })
  await ready

  const message = (userId: string) => ({ userId, body: { title: 'Balance update' } })
  const started = Date.now()
  const single = await call(app, 'POST', '/push/message/send', { requestObject: { appId: 2, message: message('alice') } })
  t.equal(single.statusCode, 200)
  t.same(single.json().responseObject.result, { ios, android })
  const batch = await call(app, 'POST', '/push/message/batch/send', { requestObject: { appId: 2, batch: [message('alice'), message('bob')] } })
  t.equal(batch.statusCode, 200)
  const twice = (counts: typeof ios) => ({ sent: 2 * counts.sent, pending: 2 * counts.pending, failed: 2 * counts.failed, total: 2 * counts.total })
  t.same(batch.json().responseObject.result, { ios: twice(ios), android: twice(android) }, 'the batch\'s summaries added up')
  t.ok(Date.now() - started < SYNC_TIMEOUT_MS / 2, 'answered when the summaries came, not at the timeout')
  t.equal(await app.db.messageDelivery.count(), 0, 'the counts are the summaries\', none recorded')
})
