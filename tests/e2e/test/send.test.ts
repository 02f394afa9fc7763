import t from 'tap'
import { androidToken, BUNDLE, iosToken, startStack, until } from './stack.js'

const seedBody = {
  title: 'Balance update',
  body: 'Your balance is now $745.00',
  badge: 3,
  sound: 'default',
  icon: 'custom-icon',
  category: 'balance-update',
  collapseKey: 'balance-update',
  validUntil: '2099-12-11T21:22:29.923Z',
  extras: { _comment: 'Any custom data.', amount: 745 }
}

t.test('a synchronous send reaches both providers with every field mapped, and is recorded', async (t) => {
  const stack = await startStack(t)
  await stack.configureApplication(2)
  const ios = iosToken()
  const android = androidToken()
  await stack.registerDevice(2, { token: ios, platform: 'ios', userId: '123' })
  await stack.registerDevice(2, { token: android, platform: 'android', userId: '123' })

  const response = await stack.call('POST', '/push/message/send', { requestObject: { appId: 2, message: { userId: '123', body: seedBody } } })
  t.equal(response.status, 200, JSON.stringify(response.body))
  t.same(response.body.responseObject.result, {
    ios: { sent: 1, pending: 0, failed: 0, total: 1 },
    android: { sent: 1, pending: 0, failed: 0, total: 1 }
  })

  const [apnsRequest] = stack.apns.received(ios)
  t.match(apnsRequest, {
    status: 200,
    headers: { 'apns-topic': BUNDLE, 'apns-push-type': 'alert', 'apns-priority': '10', 'apns-collapse-id': 'balance-update', 'apns-expiration': String(Math.floor(Date.parse(seedBody.validUntil) / 1000)) },
    payload: {
      _comment: 'Any custom data.',
      amount: 745,
      aps: { alert: { title: 'Balance update', body: 'Your balance is now $745.00' }, badge: 3, sound: 'default', category: 'balance-update', 'thread-id': 'balance-update' }
    }
  })
  const [fcmRequest] = stack.fcm.received(android)
  t.match(fcmRequest, {
    status: 200,
    // firebase-admin's send(), each device one HTTP/2 stream on connections the sends share (not
    // sendEach, which answers a whole call at once: see README, Benchmarks).
    protocol: 'HTTP/2',
    message: {
      token: android,
      data: { _comment: 'Any custom data.', amount: '745' },
      android: {
        priority: 'high',
        collapse_key: 'balance-update',
        ttl: /^\d+s$/,
        notification: { title: 'Balance update', body: 'Your balance is now $745.00', sound: 'default', tag: 'balance-update', icon: 'custom-icon', notification_count: 3 }
      }
    }
  })
  const ttlSeconds = Number(String((fcmRequest?.message as any).android.ttl).slice(0, -1))
  t.equal(ttlSeconds, 2_419_200, 'ttl capped at FCM\'s four weeks (validUntil is further away)')

  const messageId = response.body.responseObject.messageIds[0]
  await until(async () => (await stack.call('GET', `/push/message/${messageId}/detail`)).body.responseObject.completed, 'the message recorded as completed')
  const detail = await stack.call('GET', `/push/message/${messageId}/detail`)
  t.same(detail.body.responseObject.result, response.body.responseObject.result, 'recorded counts agree with the answer')
})
