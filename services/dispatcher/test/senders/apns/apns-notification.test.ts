import { randomUUID } from 'node:crypto'
import type { SendCommand } from '@beacon/contracts'
import t from 'tap'
import { buildApnsNotification } from '../../../src/senders/apns/apns-notification.js'

const command = (overrides: Partial<SendCommand> = {}, body: SendCommand['body'] = {}): SendCommand => ({
  kind: 'message', messageId: randomUUID(), applicationId: 1, userId: 'u', personal: false, silent: false, priority: 'HIGH', body, ...overrides
})
const compiled = (built: ReturnType<typeof buildApnsNotification>) => {
  if (!built.ok) throw new Error(built.reason)
  const note = built.notification as unknown as { compile (): string, headers (): Record<string, unknown> }
  return { payload: JSON.parse(note.compile()), headers: note.headers() }
}

t.test('an alert carries every text field, badge, sound, category, thread and collapse id, expiry and extras', async (t) => {
  const { payload, headers } = compiled(buildApnsNotification(command({}, {
    title: 'Balance update',
    titleLocKey: 'T_KEY',
    titleLocArgs: ['a'],
    body: 'Your balance is now $745.00',
    bodyLocKey: 'B_KEY',
    bodyLocArgs: ['b', 'c'],
    badge: 3,
    sound: 'default',
    icon: 'ignored-on-ios',
    category: 'balance-update',
    collapseKey: 'balance-update',
    validUntil: '2030-12-11T21:22:29.923Z',
    extras: { _comment: 'Any custom data.', nested: { n: 1 } }
  }), 'com.example.app'))
  t.same(payload, {
    _comment: 'Any custom data.',
    nested: { n: 1 },
    aps: {
      alert: { title: 'Balance update', body: 'Your balance is now $745.00', 'title-loc-key': 'T_KEY', 'title-loc-args': ['a'], 'loc-key': 'B_KEY', 'loc-args': ['b', 'c'] },
      badge: 3,
      sound: 'default',
      category: 'balance-update',
      'thread-id': 'balance-update'
    }
  })
  t.same(headers, {
    'apns-priority': 10,
    'apns-collapse-id': 'balance-update',
    'apns-expiration': Math.floor(Date.parse('2030-12-11T21:22:29.923Z') / 1000),
    'apns-topic': 'com.example.app',
    'apns-push-type': 'alert'
  })
})

t.test('NORMAL priority is 5', async (t) => {
  t.equal(compiled(buildApnsNotification(command({ priority: 'NORMAL' }, { title: 'x' }), 'b')).headers['apns-priority'], 5)
})

t.test('silent: background push, priority 5, content-available, badge kept, no alert or sound', async (t) => {
  const { payload, headers } = compiled(buildApnsNotification(command({ silent: true }, { title: 'hidden', sound: 'default', badge: 2, extras: { k: 'v' } }), 'b'))
  t.same(payload, { k: 'v', aps: { 'content-available': 1, badge: 2 } })
  t.equal(headers['apns-push-type'], 'background')
  t.equal(headers['apns-priority'], 5)
})

t.test('refused before sending: payload over 4096 bytes, collapse id over 64 bytes, extras with aps', async (t) => {
  const big = buildApnsNotification(command({}, { body: 'x'.repeat(4000), extras: { pad: 'y'.repeat(200) } }), 'b')
  t.match(big, { ok: false, reason: /^PayloadTooLarge: the APNs payload is \d+ bytes, the limit is 4096/ })
  t.match(buildApnsNotification(command({}, { collapseKey: 'é'.repeat(33) }), 'b'), { ok: false, reason: /^BadCollapseId/ })
  t.ok(buildApnsNotification(command({}, { collapseKey: 'k'.repeat(64) }), 'b').ok, '64 bytes is fine')
  t.match(buildApnsNotification(command({}, { extras: { aps: {} } }), 'b'), { ok: false, reason: /aps/ })
})

t.test('the limit is 4096 bytes inclusive: the largest alert accepted is exactly 4096 bytes', async (t) => {
  // Growing the body a byte at a time: the first refusal must be at 4097 bytes, so 4096 was sent.
  let length = 3900
  let built = buildApnsNotification(command({}, { body: 'x'.repeat(length) }), 'b')
  while (built.ok && length < 4200) built = buildApnsNotification(command({}, { body: 'x'.repeat(++length) }), 'b')
  t.match(built, { ok: false, reason: /the APNs payload is 4097 bytes/ })
  const largest = buildApnsNotification(command({}, { body: 'x'.repeat(length - 1) }), 'b')
  if (!largest.ok) throw new Error(largest.reason)
  t.equal(Buffer.byteLength((largest.notification as unknown as { compile (): string }).compile()), 4096)
})
