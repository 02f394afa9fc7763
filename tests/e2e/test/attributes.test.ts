import t from 'tap'
import { androidToken, BUNDLE, iosToken, startStack, until } from './stack.js'

t.test('silent, personal, activationId, NORMAL priority and ASYNCHRONOUS mode', async (t) => {
  const stack = await startStack(t)
  await stack.configureApplication(3)
  const phone = iosToken()
  const tablet = iosToken()
  const blocked = iosToken()
  const pixel = androidToken()
  await stack.registerDevice(3, { token: phone, platform: 'ios', userId: 'alice', activationId: 'act-phone' })
  await stack.registerDevice(3, { token: tablet, platform: 'ios', userId: 'alice', activationId: 'act-tablet', environment: 'development' })
  await stack.registerDevice(3, { token: blocked, platform: 'ios', userId: 'alice', activationId: 'act-blocked', activationStatus: 'BLOCKED' })
  await stack.registerDevice(3, { token: pixel, platform: 'android', userId: 'alice', activationId: 'act-pixel' })
  const send = (message: Record<string, unknown>, mode?: string) =>
    stack.call('POST', '/push/message/send', { requestObject: { appId: 3, ...(mode === undefined ? {} : { mode }), message: { userId: 'alice', ...message } } })

  await t.test('silent: APNs background push at priority 5 with no alert; FCM data only', async (t) => {
    const response = await send({ attributes: { silent: true }, body: { title: 'hidden', body: 'hidden', badge: 7, sound: 'default', extras: { sync: 'now' } } })
    t.same(response.body.responseObject.result.ios, { sent: 3, pending: 0, failed: 0, total: 3 })
    const request = stack.apns.received(phone).at(-1)
    t.match(request?.headers, { 'apns-push-type': 'background', 'apns-priority': '5' })
    t.same(request?.payload, { sync: 'now', aps: { 'content-available': 1, badge: 7 } })
    const fcm = stack.fcm.received(pixel).at(-1)?.message as { android: Record<string, unknown>, data: unknown }
    t.notOk('notification' in fcm.android, 'no notification block')
    t.same(fcm.data, { sync: 'now' })
  })

  await t.test('personal skips a device whose activation is not ACTIVE', async (t) => {
    const before = stack.apns.received(blocked).length
    const response = await send({ attributes: { personal: true }, body: { title: 'private' } })
    t.same(response.body.responseObject.result.ios, { sent: 2, pending: 0, failed: 0, total: 2 })
    t.equal(stack.apns.received(blocked).length, before, 'the BLOCKED device got nothing')
    t.equal(stack.apns.received(phone).at(-1)?.payload && (stack.apns.received(phone).at(-1)?.payload as any).aps.alert.title, 'private')
  })

  await t.test('activationId narrows to that device only', async (t) => {
    const counts = [phone, tablet, pixel].map((token) => stack.apns.received(token).length + stack.fcm.received(token).length)
    const response = await send({ activationId: 'act-tablet', priority: 'NORMAL', body: { title: 'just the tablet' } })
    t.same(response.body.responseObject.result, { ios: { sent: 1, pending: 0, failed: 0, total: 1 }, android: { sent: 0, pending: 0, failed: 0, total: 0 } })
    const after = [phone, tablet, pixel].map((token) => stack.apns.received(token).length + stack.fcm.received(token).length)
    t.same(after, [counts[0], counts[1]! + 1, counts[2]])
    t.equal(stack.apns.received(tablet).at(-1)?.headers['apns-priority'], '5', 'NORMAL priority is 5')
  })

  await t.test('ASYNCHRONOUS answers before delivery; the outcome is recorded and readable later', async (t) => {
    const response = await send({ body: { title: 'later' } }, 'ASYNCHRONOUS')
    t.equal(response.status, 200)
    const [messageId] = response.body.responseObject.messageIds
    await until(async () => (await stack.call('GET', `/push/message/${messageId}/detail`)).body.responseObject.completed, 'completion')
    const detail = await stack.call('GET', `/push/message/${messageId}/detail`)
    t.same(detail.body.responseObject.result, { ios: { sent: 3, pending: 0, failed: 0, total: 3 }, android: { sent: 1, pending: 0, failed: 0, total: 1 } })
  })

  await t.test('new APNs credentials are used for the next send without a restart', async (t) => {
    const before = stack.apns.received(phone).at(-1)?.auth?.keyId
    const app = await stack.db.application.findUniqueOrThrow({ where: { appId: '3' } })
    const key = stack.apns.createKey({ bundles: [BUNDLE] })
    const update = await stack.call('PUT', '/admin/app/ios/update', {
      requestObject: { id: app.id, bundle: BUNDLE, keyId: key.keyId, teamId: key.teamId, environment: 'production', privateKeyBase64: Buffer.from(key.privateKeyPem).toString('base64') }
    })
    t.equal(update.status, 200)
    const response = await send({ activationId: 'act-phone', body: { title: 'rotated' } })
    t.equal(response.body.responseObject.result.ios.sent, 1)
    const after = stack.apns.received(phone).at(-1)?.auth?.keyId
    t.not(after, before)
    t.equal(after, key.keyId, 'signed with the new key')
  })
})
