// Application ids as text (PowerAuth 1.3 and later) through the whole pipeline, and the numeric
// ids of PowerAuth 1.0 next to them: api → outbox → NATS → dispatcher (credentials looked up by
// the application) → provider mocks.
import t from 'tap'
import { androidToken, iosToken, startStack } from './stack.js'

const body = { title: 'Hello', body: 'From a text application id' }

// guarantee: app-id-text-end-to-end
t.test('a text appId end to end: configure, register, send, providers receive; the detail answers the text', async (t) => {
  const stack = await startStack(t)
  await stack.configureApplication('mobile-app')
  const ios = iosToken()
  const android = androidToken()
  await stack.registerDevice('mobile-app', { token: ios, platform: 'ios', userId: 'alice' })
  await stack.registerDevice('mobile-app', { token: android, platform: 'android', userId: 'alice' })

  const response = await stack.call('POST', '/push/message/send', { requestObject: { appId: 'mobile-app', message: { userId: 'alice', body } } })
  t.equal(response.status, 200, JSON.stringify(response.body))
  t.same(response.body.responseObject.result, {
    ios: { sent: 1, pending: 0, failed: 0, total: 1 },
    android: { sent: 1, pending: 0, failed: 0, total: 1 }
  })
  t.match(stack.apns.received(ios)[0], { status: 200, payload: { aps: { alert: body } } })
  t.match(stack.fcm.received(android)[0], { status: 200, message: { token: android, android: { notification: body } } })

  const messageId = response.body.responseObject.messageIds[0]
  const detail = await stack.call('GET', `/push/message/${messageId}/detail`)
  t.equal(detail.body.responseObject.appId, 'mobile-app')

  const campaign = await stack.call('POST', '/push/campaign/create', { requestObject: { appId: 'mobile-app', message: body } })
  t.equal(campaign.status, 200, JSON.stringify(campaign.body))
  const campaignDetail = await stack.call('GET', `/push/campaign/${campaign.body.responseObject.id}/detail`)
  t.equal(campaignDetail.body.responseObject.appId, 'mobile-app')
})

t.test('numeric appIds keep working: 5 and "5" are one application, answered as the number 5', async (t) => {
  const stack = await startStack(t)
  await stack.configureApplication(5)
  const ios = iosToken()
  await stack.registerDevice('5', { token: ios, platform: 'ios', userId: 'bob' })

  const response = await stack.call('POST', '/push/message/send', { requestObject: { appId: 5, message: { userId: 'bob', body } } })
  t.equal(response.status, 200, JSON.stringify(response.body))
  t.same(response.body.responseObject.result.ios, { sent: 1, pending: 0, failed: 0, total: 1 })
  t.equal(stack.apns.received(ios).length, 1, 'the device registered with "5" got the message sent to 5')
  const detail = await stack.call('GET', `/push/message/${response.body.responseObject.messageIds[0]}/detail`)
  t.equal(detail.body.responseObject.appId, 5)
  t.same((await stack.call('GET', '/admin/app/list')).body.responseObject.applicationList.map((a: { appId: unknown }) => a.appId), [5])
})
