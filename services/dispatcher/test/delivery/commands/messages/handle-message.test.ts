import t, { type Test } from 'tap'
import { until } from '../../../harness.js'
import { startDbHarness } from '../../db-harness.js'
import { messageClaimRows, publishedRows, recordPublished, summaries } from '../../rows.js'

const SENT = { kind: 'sent' } as const
const BAD_TOKEN = { kind: 'invalid-token', reason: 'BadDeviceToken' } as const

// One request slot per platform (claim windows of one): with b and d unanswered, e stays claimed
// and waiting for a slot. APNs: a (answered), b (on the wire), e (claimed, not sent); FCM: c
// (answered, token invalid), d (on the wire).
async function holderMidway (t: Test) {
  const h = await startDbHarness(t)
  for (const [label, platform] of [['a', 'APNS'], ['b', 'APNS'], ['e', 'APNS'], ['c', 'FCM'], ['d', 'FCM']] as const) await h.addDevice(label, { userId: 'u', platform })
  h.provider.script('b', ['hang', SENT])
  h.provider.script('c', BAD_TOKEN)
  h.provider.script('d', ['hang', SENT])
  const command = await h.storeMessage('u')
  const first = h.startHolder('first', command, { streams: 1 })
  await until(async () => h.provider.receipts.length === 4 && (await h.db.messageDelivery.count({ where: { messageId: command.messageId } })) === 5, 'a, b, c, d sent and e claimed')
  return { h, command, first }
}

t.test('a message redelivered after its holder died: every claim without a recorded answer is sent again, the never-sent claim included; exact rows', async (t) => {
  const { h, command, first } = await holderMidway(t)
  await first.kill()
  t.same(await messageClaimRows(h, command.messageId), ['a', 'b', 'c', 'd', 'e'].map((label) => [label, 'PENDING', null, 0, false]),
    'a message publishes its answers with its summary: the dead holder left five unanswered claims')

  const second = h.startHolder('second', command, { deliveryCount: 2, streams: 1 })
  await second.done
  await recordPublished(h)
  t.same(second.settled, ['ack'])
  t.same(h.provider.receipts.map((r) => `${r.holder}:${r.token}`).sort(),
    ['first:a', 'first:b', 'first:c', 'first:d', 'second:a', 'second:b', 'second:c', 'second:d', 'second:e'])
  t.same(h.provider.afterDeath, [], 'the dead holder sent nothing more')
  t.same(publishedRows(h), [['a', 'SENT', null, 1, false, false], ['b', 'SENT', null, 1, false, false], ['c', 'FAILED', 'BadDeviceToken', 1, true, false],
    ['d', 'SENT', null, 1, false, false], ['e', 'SENT', null, 1, false, false]], 'one result per device, from the holder that finished')
  t.same(await messageClaimRows(h, command.messageId), [['a', 'SENT', null, 1, false], ['b', 'SENT', null, 1, false], ['c', 'FAILED', 'BadDeviceToken', 1, false],
    ['d', 'SENT', null, 1, false], ['e', 'SENT', null, 1, false]])
  t.same(summaries(h), [{ messageId: command.messageId, ios: { sent: 3, pending: 0, failed: 0, total: 3 }, android: { sent: 1, pending: 0, failed: 1, total: 2 } }])
})

t.test('a message redelivered after its holder gave it back: the answers written on the claims are not sent again, the rest are; exact rows', async (t) => {
  const { h, command, first } = await holderMidway(t)
  first.stop()
  await first.done
  t.same(first.settled, ['retry 0'], 'given back, not acknowledged')
  t.same(await messageClaimRows(h, command.messageId), [['a', 'SENT', null, 1, false], ['b', 'PENDING', null, 0, false], ['c', 'FAILED', 'BadDeviceToken', 1, false], ['d', 'PENDING', null, 0, false]],
    'the answers are written on their claims, the requests on the wire keep theirs, the never-sent claim is released')

  const second = h.startHolder('second', command, { deliveryCount: 2, streams: 1 })
  await second.done
  await recordPublished(h)
  t.same(h.provider.receipts.map((r) => `${r.holder}:${r.token}`).sort(), ['first:a', 'first:b', 'first:c', 'first:d', 'second:b', 'second:d', 'second:e'])
  t.same(publishedRows(h), [['a', 'SENT', null, 1, false, false], ['b', 'SENT', null, 1, false, false], ['c', 'FAILED', 'BadDeviceToken', 1, true, false],
    ['d', 'SENT', null, 1, false, false], ['e', 'SENT', null, 1, false, false]])
  t.same(await messageClaimRows(h, command.messageId), [['a', 'SENT', null, 1, false], ['b', 'SENT', null, 1, false], ['c', 'FAILED', 'BadDeviceToken', 1, false],
    ['d', 'SENT', null, 1, false], ['e', 'SENT', null, 1, false]])
  t.same(summaries(h), [{ messageId: command.messageId, ios: { sent: 3, pending: 0, failed: 0, total: 3 }, android: { sent: 1, pending: 0, failed: 1, total: 2 } }],
    'the second holder counts the answers recorded before it')
})

for (const ending of ['dies', 'gives it back'] as const) {
  t.test(`a device waiting for a retry (Retry-After) when its holder ${ending}: the next holder sends it, one outcome`, async (t) => {
    const h = await startDbHarness(t)
    await h.addDevice('waiting', { userId: 'u' })
    await h.addDevice('answered', { userId: 'u' })
    h.provider.script('waiting', [{ kind: 'retry', reason: 'TooManyRequests', retryAfterMs: 600_000 }, SENT])
    const command = await h.storeMessage('u')
    const first = h.startHolder('first', command)
    await until(() => h.provider.receipts.length === 2, 'both devices requested once')
    if (ending === 'dies') await first.kill()
    else { first.stop(); await first.done }
    t.same(await messageClaimRows(h, command.messageId), ending === 'dies'
      ? [['answered', 'PENDING', null, 0, false], ['waiting', 'PENDING', null, 0, false]]
      : [['answered', 'SENT', null, 1, false]], ending === 'dies' ? 'the dead holder wrote nothing' : 'the waiting device\'s claim is released')

    const second = h.startHolder('second', command, { deliveryCount: 2 })
    await second.done
    await recordPublished(h)
    t.same(h.provider.receipts.filter((r) => r.token === 'waiting').map((r) => r.holder), ['first', 'second'], 'sent by the next holder at once')
    t.same(h.provider.afterDeath, [], 'the first holder never sent it again')
    t.same(publishedRows(h).filter(([label]) => label === 'waiting'), [['waiting', 'SENT', null, 1, false, false]], 'one outcome')
    t.same(await messageClaimRows(h, command.messageId), [['answered', 'SENT', null, 1, false], ['waiting', 'SENT', null, 1, false]])
  })
}

// Long waits beat through the dispatcher's own timer (dispatcher.ts), a third of the ack wait apart.
t.test('a message answered within its first second spends no NATS publish on a heartbeat', async (t) => {
  const h = await startDbHarness(t)
  for (const label of ['ios', 'android']) await h.addDevice(label, { userId: 'quick', platform: label === 'ios' ? 'APNS' : 'FCM' })
  h.provider.script('ios', SENT)
  h.provider.script('android', SENT)
  // When each beat came, from the handover: on a slow machine the handling may pass a second, when a beat is due.
  const beats: number[] = []
  const command = await h.storeMessage('quick')
  const handedOver = performance.now()
  const holder = h.startHolder('quick', command, { working: () => { beats.push(performance.now() - handedOver) } })
  await holder.done
  t.same(holder.settled, ['ack'])
  t.equal(h.provider.receipts.length, 2, 'both devices sent')
  t.same(beats.filter((ms) => ms < 900), [], 'no beat in its first second: it was just handed over')
})
