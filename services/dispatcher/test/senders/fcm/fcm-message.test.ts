import { randomUUID } from 'node:crypto'
import type { SendCommand } from '@beacon/contracts'
import t from 'tap'
import { buildFcmMessage, toDataValues } from '../../../src/senders/fcm/fcm-message.js'

const command = (overrides: Partial<SendCommand> = {}, body: SendCommand['body'] = {}): SendCommand => ({
  kind: 'message', messageId: randomUUID(), applicationId: 1, userId: 'u', personal: false, silent: false, priority: 'HIGH', body, ...overrides
})

t.test('maps every field of the seed body to android.notification, collapse key, ttl, priority and data', async (t) => {
  const now = Date.parse('2030-01-01T00:00:00Z')
  const built = buildFcmMessage(command({}, {
    title: 'Balance update',
    titleLocKey: 'T',
    titleLocArgs: ['a'],
    body: 'Now $745.00',
    bodyLocKey: 'B',
    bodyLocArgs: ['b'],
    badge: 3,
    sound: 'default',
    icon: 'custom-icon',
    category: 'balance-update',
    collapseKey: 'balance-update',
    validUntil: '2030-01-01T01:00:00Z',
    extras: { _comment: 'Any custom data.', count: 2, flag: true, obj: { a: [1] }, none: null }
  }), now)
  if (!built.ok) throw new Error(built.reason)
  t.same(built.forToken('tok'), {
    token: 'tok',
    android: {
      priority: 'high',
      collapseKey: 'balance-update',
      ttl: 3_600_000,
      notification: { title: 'Balance update', body: 'Now $745.00', titleLocKey: 'T', titleLocArgs: ['a'], bodyLocKey: 'B', bodyLocArgs: ['b'], sound: 'default', tag: 'balance-update', icon: 'custom-icon', notificationCount: 3 }
    },
    data: { _comment: 'Any custom data.', count: '2', flag: 'true', obj: '{"a":[1]}', none: 'null' }
  })
})

t.test('silent has no notification block; NORMAL priority is normal; no validUntil means no ttl', async (t) => {
  const built = buildFcmMessage(command({ silent: true, priority: 'NORMAL' }, { title: 'hidden', extras: { k: 'v' } }))
  if (!built.ok) throw new Error(built.reason)
  t.same(built.forToken('tok'), { token: 'tok', android: { priority: 'normal' }, data: { k: 'v' } })
})

t.test('a past validUntil gives ttl 0, never negative', async (t) => {
  const built = buildFcmMessage(command({}, { validUntil: '2000-01-01T00:00:00Z' }))
  if (!built.ok) throw new Error(built.reason)
  t.equal(built.forToken('x').android?.ttl, 0)
})

t.test('validUntil beyond four weeks gives the maximum ttl FCM accepts', async (t) => {
  const built = buildFcmMessage(command({}, { validUntil: '2099-01-01T00:00:00Z' }))
  if (!built.ok) throw new Error(built.reason)
  t.equal(built.forToken('x').android?.ttl, 2_419_200_000)
})

t.test('payload over 4096 bytes is refused before sending', async (t) => {
  t.match(buildFcmMessage(command({}, { extras: { big: 'x'.repeat(4100) } })), { ok: false, reason: /^PayloadTooLarge: the FCM payload is \d+ bytes/ })
})

t.test('data values are strings: strings as they are, others as JSON (not toString)', async (t) => {
  t.same(toDataValues({ s: 'text', n: 1.5, a: [1, 'x'], o: { k: 'v' } }), { s: 'text', n: '1.5', a: '[1,"x"]', o: '{"k":"v"}' })
})

t.test('the notification block counts toward the 4096 bytes, and exactly 4096 is accepted', async (t) => {
  // No extras: a long body alone exceeds the limit. Growing it a byte at a time, the first
  // refusal must be at 4097 bytes, so 4096 was accepted.
  let length = 3900
  let built = buildFcmMessage(command({}, { body: 'x'.repeat(length) }))
  while (built.ok && length < 4200) built = buildFcmMessage(command({}, { body: 'x'.repeat(++length) }))
  t.match(built, { ok: false, reason: /the FCM payload is 4097 bytes/ })
})
