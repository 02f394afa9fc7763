import { spawnService } from '@beacon/testkit'
import t from 'tap'
import { resultsOf, startHarness } from '../harness.js'

t.test('stop with a deadline and a hung provider: resolves before the provider answers; waiting devices are released, the command given back and finished by the next dispatcher', async (t) => {
  const h = await startHarness(t)
  const [retried, hung, sent] = await h.addDevices('stopping', 3, 'APNS')
  const ids = (await h.db.device.findMany({ orderBy: { id: 'asc' } })).map((d) => d.id)
  h.apns.script(retried!, ['unavailable', 'success'])
  h.apns.script(hung!, [{ kind: 'slow', delayMs: 120_000 }, 'success'])
  // A retry far off: the device is waiting for it when the stop comes.
  const first = await h.startDispatcher({ RETRY_BASE_DELAY_MS: '60000', RETRY_MAX_DELAY_MS: '60000' })
  const command = await h.storeMessage('stopping')
  await h.transport.publishCommand(command)
  await h.until(() => h.apns.received(retried!).length === 1 && h.apns.received(sent!).length === 1, 'the first answers')
  await h.until(async () => (await h.db.messageDelivery.count({ where: { messageId: command.messageId } })) === 3, 'all three claimed')

  await first.stop(1500)
  t.equal(h.apns.received(hung!).length, 1, 'the hung request had arrived')
  t.same(h.apns.counters.byStatus, { 200: 1, 503: 1 }, 'the stop did not wait for its answer')
  const claims = await h.db.messageDelivery.findMany({ where: { messageId: command.messageId }, orderBy: { deviceId: 'asc' } })
  t.same(claims.map((c) => [c.deviceId, c.status]), [[ids[1], 'PENDING'], [ids[2], 'SENT']],
    'the claim of the device waiting for a retry was released; the hung request keeps its claim (unanswered); the answer known is written on its claim')
  t.ok(h.logs.some((line) => line.msg === 'stopping: command given back'))
  t.ok(h.events.some((e) => e.kind === 'device' && e.result.deviceId === String(ids[2]) && e.result.status === 'SENT'), 'the known outcome was published')
  t.equal(resultsOf(h.events, command.messageId).summary, undefined, 'no summary: the message is not done')

  await h.startDispatcher()
  await h.until(() => resultsOf(h.events, command.messageId).summary !== undefined, 'the summary from the next dispatcher')
  t.equal(h.apns.received(retried!).length, 2, 'the released device was sent by the next dispatcher')
  t.equal(h.apns.received(sent!).length, 1, 'the answered device was not sent again (no recorder runs here: its claim said so)')
  t.equal(h.apns.received(hung!).length, 2, 'the request unanswered at the deadline was sent again: whether it ever arrived is unknown')
  const { devices, summary } = resultsOf(h.events, command.messageId)
  t.notOk(devices.some((d) => d.unconfirmed === true), 'nothing reported that no provider answered')
  t.match(summary, { ios: { total: 3 } })
})

t.test('SIGTERM with a hung provider: the process exits 0 before the provider answers, the command given back', async (t) => {
  const h = await startHarness(t)
  const [hung] = await h.addDevices('sigterm', 1, 'APNS')
  h.apns.script(hung!, { kind: 'slow', delayMs: 120_000 })
  const dispatcher = spawnService('services/dispatcher/src/server.ts', h.dispatcherEnv({ SHUTDOWN_TIMEOUT_MS: '2000', LOG_LEVEL: 'info' }))
  t.teardown(() => { dispatcher.stop('SIGKILL').catch(() => {}) })
  await dispatcher.waitForOutput(/dispatcher started/)
  const command = await h.storeMessage('sigterm')
  await h.transport.publishCommand(command)
  await h.until(() => h.apns.received(hung!).length === 1, 'the request on the wire')

  t.equal(await dispatcher.stop('SIGTERM'), 0, 'exited 0')
  t.equal(h.apns.counters.requests, 0, 'before the provider answered')
  t.match(dispatcher.output(), /stopping: command given back/)
  t.equal(await h.db.messageDelivery.count({ where: { messageId: command.messageId, status: 'PENDING' } }), 1, 'the request on the wire keeps its claim')
})
