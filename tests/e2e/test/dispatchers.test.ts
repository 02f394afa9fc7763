import t from 'tap'
import { androidToken, iosToken, startStack } from './stack.js'

const users = (count: number, prefix: string) => Array.from({ length: count }, (_, i) => `${prefix}-${i}`)

t.test('two dispatchers share one batch: every device gets its message once, and both did work', async (t) => {
  const stack = await startStack(t, { dispatchers: 2, dispatcherEnv: { LOG_LEVEL: 'debug', DISPATCHER_CONCURRENCY: '4' } })
  await stack.configureApplication(5)
  const people = users(60, 'shared')
  const tokens = new Map<string, string>()
  for (const [index, userId] of people.entries()) {
    const token = index % 2 === 0 ? iosToken() : androidToken()
    tokens.set(userId, token)
    // Slow answers keep each dispatcher's four slots busy, so the other one gets work too.
    if (index % 2 === 0) stack.apns.script(token, { kind: 'slow', delayMs: 50 })
    else stack.fcm.script(token, { kind: 'slow', delayMs: 50 })
    await stack.registerDevice(5, { token, platform: index % 2 === 0 ? 'ios' : 'android', userId })
  }
  const response = await stack.call('POST', '/push/message/batch/send', {
    requestObject: { appId: 5, batch: people.map((userId) => ({ userId, body: { title: `for ${userId}` } })) }
  })
  t.equal(response.status, 200)
  t.same(response.body.responseObject.result, { ios: { sent: 30, pending: 0, failed: 0, total: 30 }, android: { sent: 30, pending: 0, failed: 0, total: 30 } })
  for (const [userId, token] of tokens) {
    const received = [...stack.apns.received(token), ...stack.fcm.received(token)]
    if (received.length !== 1) t.fail(`${userId} received ${received.length} messages`)
  }
  t.equal(stack.apns.log.length + stack.fcm.log.length, 60, 'exactly one request per device')
  const handled = () => stack.dispatchers.map((d) => (d.output().match(/"command done"/g) ?? []).length)
  // A dispatcher logs after acknowledging, which can be just after the api answered.
  await stack.until(() => handled().reduce((a, b) => a + b) >= 60, 'both logs')
  const done = handled()
  t.equal(done[0]! + done[1]!, 60, `commands handled per dispatcher: ${done.join(' + ')}`)
  t.ok(done[0]! > 0 && done[1]! > 0, 'both dispatchers took commands')
})

t.test('a dispatcher killed mid-batch: another takes over, nothing is lost, only the sends unanswered at the kill go again', async (t) => {
  const stack = await startStack(t, { dispatchers: 1, dispatcherEnv: { DISPATCHER_CONCURRENCY: '4', COMMAND_ACK_WAIT_MS: '1500' } })
  await stack.configureApplication(6)
  const people = users(24, 'crash')
  const tokens: string[] = []
  for (const userId of people) {
    const token = iosToken()
    tokens.push(token)
    // The provider holds every answer, so the first dispatcher dies with sends in flight.
    stack.apns.script(token, { kind: 'slow', delayMs: 1500 })
    await stack.registerDevice(6, { token, platform: 'ios', userId })
  }
  const response = await stack.call('POST', '/push/message/batch/send', {
    requestObject: { appId: 6, mode: 'ASYNCHRONOUS', batch: people.map((userId) => ({ userId, body: { title: 'survive' } })) }
  })
  const messageIds: string[] = response.body.responseObject.messageIds
  const [first] = stack.dispatchers
  await stack.until(() => stack.apns.log.length >= 4, 'the first dispatcher sending')
  // Let in-flight writes settle: what the mock holds is exactly what was claimed.
  await stack.apnsSettled()
  t.equal(await first!.stop('SIGKILL'), 'SIGKILL')
  // On a busy machine the mock (in this process) may still be reading what the dispatcher wrote
  // just before it died: count what it sent once everything has arrived.
  await stack.apnsSettled()
  const inFlightAtKill = stack.apns.log.length
  t.ok(inFlightAtKill >= 4 && inFlightAtKill < 24, `killed with ${inFlightAtKill} of 24 sends in flight`)

  await stack.startDispatcher()
  await stack.until(async () => (await stack.db.message.count({ where: { id: { in: messageIds }, completedAt: { not: null } } })) === 24, 'every message completed', 60_000)
  const received = new Map(tokens.map((token) => [token, stack.apns.received(token).length]))
  t.ok([...received.values()].every((count) => count >= 1), 'every device reached')
  // Every send of the dead dispatcher was unanswered (answers take 1.5 s): whether each reached the
  // provider is not something its claim can tell, so the next holder sends it again. Those are
  // the only devices reached twice.
  t.equal([...received.values()].filter((count) => count === 2).length, inFlightAtKill, 'the sends unanswered at the kill went again')
  t.ok([...received.values()].every((count) => count <= 2), 'none more than twice')
  const deliveries = await stack.db.messageDelivery.findMany({ where: { messageId: { in: messageIds } } })
  t.equal(deliveries.length, 24, 'every device has a delivery record')
  t.same([...new Set(deliveries.map((d) => d.status))], ['SENT'], 'each with the answer the provider gave')
  t.notOk(deliveries.some((d) => d.unconfirmed), 'nothing reported that no provider answered')
})
