import t from 'tap'
import type { SendOutcome } from '../../../src/senders/sender.js'
import { startDbHarness } from '../db-harness.js'
import { messageClaimRows, publishedRows, recordPublished, summaries } from '../rows.js'
import type { ScriptedAnswer } from '../scripted-provider.js'

const APNS_REFUSED = 'APNs credentials of application 7 were refused (InvalidProviderToken): check the application\'s APNs configuration'
const FCM_REFUSED = 'FCM credentials of application 7 were refused (third-party-auth-error): check the application\'s FCM configuration'
const retry = (reason: string, retryAfterMs?: number): SendOutcome => ({ kind: 'retry', reason, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) })

// Every class of provider answer, one device each: what the provider says, and the result
// published and recorded for it [status, reason, attempts, tokenInvalid]. Three attempts at most;
// validUntil a minute away.
const TABLE: Array<[label: string, platform: 'APNS' | 'FCM', answers: ScriptedAnswer[], recorded: [string, string | null, number, boolean]]> = [
  ['sent', 'APNS', [{ kind: 'sent' }], ['SENT', null, 1, false]],
  ['invalid-token', 'APNS', [{ kind: 'invalid-token', reason: 'Unregistered' }], ['FAILED', 'Unregistered', 1, true]],
  ['credentials', 'APNS', [{ kind: 'credentials', reason: 'InvalidProviderToken' }], ['FAILED', APNS_REFUSED, 1, false]],
  ['rejected', 'APNS', [{ kind: 'rejected', reason: 'BadCollapseId' }], ['FAILED', 'BadCollapseId', 1, false]],
  ['retry-then-sent', 'APNS', [retry('HTTP 503'), { kind: 'sent' }], ['SENT', null, 2, false]],
  ['retry-exhausted', 'APNS', [retry('HTTP 500')], ['FAILED', 'HTTP 500 (after 3 attempts)', 3, false]],
  ['retry-after-past-valid-until', 'APNS', [retry('TooManyRequests', 120_000)], ['EXPIRED', 'Expired before a retry was due (last: TooManyRequests)', 1, false]],
  ['send-throws', 'APNS', [{ throws: 'a client bug' }], ['FAILED', 'SendError (after 3 attempts)', 3, false]],
  ['fcm-invalid-token', 'FCM', [{ kind: 'invalid-token', reason: 'registration-token-not-registered' }], ['FAILED', 'registration-token-not-registered', 1, true]],
  ['fcm-credentials', 'FCM', [{ kind: 'credentials', reason: 'third-party-auth-error' }], ['FAILED', FCM_REFUSED, 1, false]],
  ['fcm-retry-then-sent', 'FCM', [retry('app/network-timeout'), { kind: 'sent' }], ['SENT', null, 2, false]]
]

t.test('every provider answer class is published and recorded with its status and reason: the whole table', async (t) => {
  const h = await startDbHarness(t)
  for (const [label, platform, answers] of TABLE) {
    await h.addDevice(label, { userId: 'u', platform })
    h.provider.script(label, answers)
  }
  const command = await h.storeMessage('u', { body: { title: 'table', validUntil: new Date(Date.now() + 60_000).toISOString() } })
  const holder = h.startHolder('one', command)
  await holder.done
  await recordPublished(h)

  const expected = TABLE.map(([label, , , [status, reason, attempts, tokenInvalid]]) => [label, status, reason, attempts, tokenInvalid, false])
  t.same(publishedRows(h), expected.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))))
  t.same(await messageClaimRows(h, command.messageId), expected.map(([label, status, reason, attempts]) => [label, status, reason, attempts, false]))
  t.same(summaries(h), [{ messageId: command.messageId, ios: { sent: 2, pending: 0, failed: 6, total: 8 }, android: { sent: 1, pending: 0, failed: 2, total: 3 }, reason: APNS_REFUSED }],
    'the refused credentials fail the message with the reason naming the configuration')
  t.same(holder.settled, ['ack'])
})

t.test('outcomes decided without a request are written as the claims by the dispatcher itself: validUntil passed, a platform that cannot be prepared', async (t) => {
  const h = await startDbHarness(t)
  await h.addDevice('late-ios', { userId: 'late', platform: 'APNS' })
  await h.addDevice('late-android', { userId: 'late', platform: 'FCM' })
  await h.addDevice('too-large', { userId: 'big', platform: 'APNS' })
  await h.addDevice('fine', { userId: 'big', platform: 'FCM' })
  const late = await h.storeMessage('late', { body: { title: 'late', validUntil: new Date(Date.now() - 1000).toISOString() } })
  await h.startHolder('one', late).done
  h.provider.refused.APNS = 'PayloadTooLarge: 5000 bytes, APNs takes at most 4096'
  const big = await h.storeMessage('big')
  await h.startHolder('two', big).done

  t.same(h.provider.receipts.map((r) => r.token), ['fine'], 'only the preparable platform was sent')
  // Before any recorder ran: these rows are the dispatcher's own.
  const expired = 'Expired: validUntil passed before sending'
  t.same(await messageClaimRows(h, late.messageId), [['late-android', 'EXPIRED', expired, 0, false], ['late-ios', 'EXPIRED', expired, 0, false]])
  t.same(await messageClaimRows(h, big.messageId), [['fine', 'PENDING', null, 0, false], ['too-large', 'FAILED', 'PayloadTooLarge: 5000 bytes, APNs takes at most 4096', 0, false]])
  t.same(publishedRows(h), [['fine', 'SENT', null, 1, false, false], ['late-android', 'EXPIRED', expired, 0, false, false], ['late-ios', 'EXPIRED', expired, 0, false, false],
    ['too-large', 'FAILED', 'PayloadTooLarge: 5000 bytes, APNs takes at most 4096', 0, false, false]])
  t.same(summaries(h), [
    { messageId: late.messageId, ios: { sent: 0, pending: 0, failed: 1, total: 1 }, android: { sent: 0, pending: 0, failed: 1, total: 1 } },
    { messageId: big.messageId, ios: { sent: 0, pending: 0, failed: 1, total: 1 }, android: { sent: 1, pending: 0, failed: 0, total: 1 }, reason: 'PayloadTooLarge: 5000 bytes, APNs takes at most 4096' }
  ])
})
