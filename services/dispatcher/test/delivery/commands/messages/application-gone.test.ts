import { randomUUID } from 'node:crypto'
import t from 'tap'
import { resultsOf, startHarness } from '../../../harness.js'

// A message whose application is gone (removed after the message was accepted) has nothing to
// send with: it ends at once with an empty summary that says why, and is acknowledged, not
// retried (no later delivery would find the application either).
t.test('a message whose application is gone ends with ApplicationNotFound in its summary, sends nothing, and is acknowledged', async (t) => {
  const h = await startHarness(t)
  await h.addDevices('gone-app', 1, 'APNS')
  await h.startDispatcher()
  const command = { kind: 'message' as const, messageId: randomUUID(), applicationId: h.applicationId + 1000, userId: 'gone-app', personal: false, silent: false, priority: 'HIGH' as const, body: { title: 'x' } }
  await h.transport.publishCommand(command)
  await h.until(() => resultsOf(h.events, command.messageId).summary !== undefined, 'the summary')
  await h.until(() => h.logs.some((line) => line.msg === 'command done'), 'the command handled')

  const { summary, devices } = resultsOf(h.events, command.messageId)
  const none = { sent: 0, pending: 0, failed: 0, total: 0 }
  t.same(summary, { messageId: command.messageId, ios: none, android: none, reason: 'ApplicationNotFound' }, 'an empty summary with the reason')
  t.same(devices, [], 'no device result')
  t.equal(h.apns.log.length, 0, 'nothing sent (the user\'s device is another application\'s)')
  t.notOk(h.logs.some((line) => line.msg === 'command failed; it will be retried'), 'not failed: it ends at once')
})
