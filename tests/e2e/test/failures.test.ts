import t from 'tap'
import { androidToken, BUNDLE, iosToken, startStack } from './stack.js'

/**
 * The recorded deliveries of a message. A synchronous answer comes from the dispatcher's summary,
 * which can overtake the api recording the results: wait for the message to read completed first.
 */
const deliveryOf = async (stack: Awaited<ReturnType<typeof startStack>>, messageId: string) => {
  await stack.until(async () => (await stack.db.message.findUniqueOrThrow({ where: { id: messageId } })).completedAt !== null, `message ${messageId} recorded`, 60_000)
  return stack.db.messageDelivery.findMany({ where: { messageId }, orderBy: { deviceId: 'asc' } })
}

t.test('failure classes: invalid tokens, retries with the delays asked for, expiry, attempts exhausted', async (t) => {
  const stack = await startStack(t, { dispatcherEnv: { RETRY_MAX_ATTEMPTS: '3' } })
  await stack.configureApplication(4)
  const send = async (userId: string, body: Record<string, unknown> = { title: 'hello' }) => {
    const response = await stack.call('POST', '/push/message/send', { requestObject: { appId: 4, message: { userId, body } } })
    t.equal(response.status, 200)
    return response.body.responseObject as { result: any, messageIds: string[] }
  }

  // guarantee: invalid-tokens-deleted, reasons-stable-codes
  await t.test('tokens the providers call invalid delete their registrations', async (t) => {
    const tokens = { gone: iosToken(), bad: iosToken(), fcmGone: androidToken(), fcmBad: androidToken() }
    stack.apns.script(tokens.gone, 'unregistered')
    stack.apns.script(tokens.bad, 'bad-token')
    stack.fcm.script(tokens.fcmGone, 'unregistered')
    stack.fcm.script(tokens.fcmBad, 'bad-token')
    await stack.registerDevice(4, { token: tokens.gone, platform: 'ios', userId: 'u-invalid' })
    await stack.registerDevice(4, { token: tokens.bad, platform: 'ios', userId: 'u-invalid' })
    await stack.registerDevice(4, { token: tokens.fcmGone, platform: 'android', userId: 'u-invalid' })
    await stack.registerDevice(4, { token: tokens.fcmBad, platform: 'android', userId: 'u-invalid' })
    const sent = await send('u-invalid')
    t.same(sent.result, { ios: { sent: 0, pending: 0, failed: 2, total: 2 }, android: { sent: 0, pending: 0, failed: 2, total: 2 } })
    await stack.until(async () => (await stack.db.device.count({ where: { pushToken: { in: Object.values(tokens) } } })) === 0, 'registrations deleted')
    const reasons = (await deliveryOf(stack, sent.messageIds[0]!)).map((d) => d.reason).sort()
    t.same(reasons, ['BadDeviceToken', 'Unregistered', 'invalid-registration-token', 'registration-token-not-registered'], 'stable codes, not provider text')
  })

  // guarantee: transient-failures-retried
  await t.test('429 with Retry-After is retried no sooner than asked; 5xx is retried with backoff', async (t) => {
    const ios = iosToken()
    const android = androidToken()
    stack.apns.script(ios, [{ kind: 'rate-limited', retryAfterSeconds: 2 }, 'server-error', 'success'])
    stack.fcm.script(android, [{ kind: 'rate-limited', retryAfterSeconds: 1 }, 'success'])
    await stack.registerDevice(4, { token: ios, platform: 'ios', userId: 'u-retry' })
    await stack.registerDevice(4, { token: android, platform: 'android', userId: 'u-retry' })
    const sent = await send('u-retry')
    t.same(sent.result, { ios: { sent: 1, pending: 0, failed: 0, total: 1 }, android: { sent: 1, pending: 0, failed: 0, total: 1 } })
    const apnsTimes = stack.apns.received(ios).map((r) => r.at)
    t.equal(apnsTimes.length, 3, 'APNs: three attempts')
    t.ok(apnsTimes[1]! - apnsTimes[0]! >= 2000, `APNs: waited ${apnsTimes[1]! - apnsTimes[0]!} ms after Retry-After: 2`)
    t.ok(apnsTimes[2]! - apnsTimes[1]! >= 100, 'APNs: backoff after the 500')
    const fcmTimes = stack.fcm.received(android).map((r) => r.at)
    t.equal(fcmTimes.length, 2, 'FCM: two attempts')
    t.ok(fcmTimes[1]! - fcmTimes[0]! >= 1000, `FCM: waited ${fcmTimes[1]! - fcmTimes[0]!} ms after Retry-After: 1`)
    const attempts = (await deliveryOf(stack, sent.messageIds[0]!)).map((d) => d.attempts).sort()
    t.same(attempts, [2, 3])
  })

  // guarantee: transient-failures-retried
  await t.test('a dropped connection is retried on a new one', async (t) => {
    const ios = iosToken()
    const android = androidToken()
    stack.apns.script(ios, ['drop', 'success'])
    stack.fcm.script(android, ['drop', 'success'])
    await stack.registerDevice(4, { token: ios, platform: 'ios', userId: 'u-drop' })
    await stack.registerDevice(4, { token: android, platform: 'android', userId: 'u-drop' })
    const sent = await send('u-drop')
    t.same(sent.result, { ios: { sent: 1, pending: 0, failed: 0, total: 1 }, android: { sent: 1, pending: 0, failed: 0, total: 1 } })
    t.same(stack.apns.received(ios).map((r) => r.status), ['dropped', 200])
    // firebase-admin's own retries are off: each request is one of our attempts.
    t.same(stack.fcm.received(android).map((r) => r.status), ['dropped', 200])
  })

  await t.test('a provider that stays unavailable fails the device after RETRY_MAX_ATTEMPTS, keeping it registered', async (t) => {
    const ios = iosToken()
    stack.apns.script(ios, 'unavailable')
    await stack.registerDevice(4, { token: ios, platform: 'ios', userId: 'u-down' })
    const sent = await send('u-down')
    t.same(sent.result.ios, { sent: 0, pending: 0, failed: 1, total: 1 })
    t.equal(stack.apns.received(ios).length, 3)
    const [delivery] = await deliveryOf(stack, sent.messageIds[0]!)
    t.equal(delivery?.reason, 'ServiceUnavailable (after 3 attempts)')
    t.equal(await stack.db.device.count({ where: { pushToken: ios } }), 1)
  })

  // guarantee: transient-failures-retried
  await t.test('validUntil: a message already past it is not sent; retries never go past it', async (t) => {
    const late = iosToken()
    const soon = iosToken()
    await stack.registerDevice(4, { token: late, platform: 'ios', userId: 'u-late' })
    await stack.registerDevice(4, { token: soon, platform: 'ios', userId: 'u-soon' })
    const expired = await send('u-late', { title: 'too late', validUntil: new Date(Date.now() - 1000).toISOString() })
    t.same(expired.result.ios, { sent: 0, pending: 0, failed: 1, total: 1 })
    t.equal(stack.apns.received(late).length, 0, 'nothing sent')
    t.equal((await deliveryOf(stack, expired.messageIds[0]!))[0]?.status, 'EXPIRED')

    stack.apns.script(soon, { kind: 'rate-limited', retryAfterSeconds: 30 })
    const validUntil = new Date(Date.now() + 3000)
    const cut = await send('u-soon', { title: 'soon gone', validUntil: validUntil.toISOString() })
    t.equal(stack.apns.received(soon).length, 1, 'one attempt, no retry past validUntil')
    const [soonDelivery] = await deliveryOf(stack, cut.messageIds[0]!)
    t.equal(soonDelivery?.status, 'EXPIRED')
    // The dispatcher's own time of the outcome: expired at the 429, not after waiting out its 30 s.
    t.ok(soonDelivery!.completedAt! < validUntil, `expired at ${soonDelivery?.completedAt?.toISOString()}, before validUntil ${validUntil.toISOString()}`)
  })

  // guarantee: payload-limit
  await t.test('a payload over 4096 bytes fails each device before sending, recorded on its claim', async (t) => {
    const ios = iosToken()
    const android = androidToken()
    await stack.registerDevice(4, { token: ios, platform: 'ios', userId: 'u-big' })
    await stack.registerDevice(4, { token: android, platform: 'android', userId: 'u-big' })
    const sent = await send('u-big', { title: 't'.repeat(1000), body: 'x'.repeat(4000) })
    t.same(sent.result, { ios: { sent: 0, pending: 0, failed: 1, total: 1 }, android: { sent: 0, pending: 0, failed: 1, total: 1 } })
    const deliveries = await deliveryOf(stack, sent.messageIds[0]!)
    t.match(deliveries.map((d) => [d.platform, d.status, d.reason]).sort(), [
      ['APNS', 'FAILED', /^PayloadTooLarge: the APNs payload is \d+ bytes, the limit is 4096$/],
      ['FCM', 'FAILED', /^PayloadTooLarge: the FCM payload is \d+ bytes, the limit is 4096$/]
    ])
    t.equal(deliveries.length, 2, 'one record per device')
    t.same([stack.apns.received(ios).length, stack.fcm.received(android).length], [0, 0], 'nothing reached a provider')
    t.equal(await stack.db.device.count({ where: { pushToken: { in: [ios, android] } } }), 2, 'the devices stay')
  })

  // guarantee: refused-credentials-fail-message
  await t.test('refused APNs credentials fail the message naming the configuration and delete nothing', async (t) => {
    const { responseObject: { id } } = (await stack.call('POST', '/admin/app/create', { requestObject: { appId: 40 } })).body
    const stranger = stack.apns.createKey({ bundles: [BUNDLE] })
    stack.apns.reset()
    const unknownKey = { ...stranger, keyId: 'UNKNOWN123' }
    const update = await stack.call('PUT', '/admin/app/ios/update', {
      requestObject: { id, bundle: BUNDLE, keyId: unknownKey.keyId, teamId: unknownKey.teamId, privateKeyBase64: Buffer.from(unknownKey.privateKeyPem).toString('base64') }
    })
    t.equal(update.status, 200)
    const ios = iosToken()
    await stack.registerDevice(40, { token: ios, platform: 'ios', userId: 'u-creds' })
    const response = await stack.call('POST', '/push/message/send', { requestObject: { appId: 40, message: { userId: 'u-creds', body: { title: 'x' } } } })
    t.same(response.body.responseObject.result.ios, { sent: 0, pending: 0, failed: 1, total: 1 })
    const [delivery] = await deliveryOf(stack, response.body.responseObject.messageIds[0])
    t.match(delivery?.reason, /^APNs credentials of application 40 were refused \(InvalidProviderToken\): check the application's APNs configuration/)
    t.equal(await stack.db.device.count({ where: { pushToken: ios } }), 1, 'the device stays')
    const message = await stack.db.message.findUniqueOrThrow({ where: { id: response.body.responseObject.messageIds[0] } })
    await stack.until(async () => (await stack.db.message.findUniqueOrThrow({ where: { id: message.id } })).failureReason !== null, 'failure reason recorded')
  })

  // guarantee: refused-credentials-fail-message
  await t.test('refused FCM service account fails the message and deletes nothing', async (t) => {
    const { responseObject: { id } } = (await stack.call('POST', '/admin/app/create', { requestObject: { appId: 41 } })).body
    const account = { ...stack.fcm.createServiceAccount({ projectId: 'beacon-e2e' }), client_email: 'nobody@beacon-e2e.iam.gserviceaccount.com' }
    await stack.call('PUT', '/admin/app/android/update', { requestObject: { id, projectId: 'beacon-e2e', privateKeyBase64: Buffer.from(JSON.stringify(account)).toString('base64') } })
    const android = androidToken()
    await stack.registerDevice(41, { token: android, platform: 'android', userId: 'u-fcm-creds' })
    const response = await stack.call('POST', '/push/message/send', { requestObject: { appId: 41, message: { userId: 'u-fcm-creds', body: { title: 'x' } } } })
    t.same(response.body.responseObject.result.android, { sent: 0, pending: 0, failed: 1, total: 1 })
    const [delivery] = await deliveryOf(stack, response.body.responseObject.messageIds[0])
    t.equal(delivery?.reason, "FCM credentials of application 41 were refused (TokenEndpointRefused (HTTP 400)): check the application's FCM configuration")
    t.equal(stack.fcm.received(android).length, 0, 'nothing reached FCM without a token')
    t.equal(await stack.db.device.count({ where: { pushToken: android } }), 1)
  })
  // Whoever can write the database must not be able to make one application send with another's
  // credentials: the sealed service account is bound to its row and does not open elsewhere.
  // guarantee: sealed-secret-bound-to-row
  await t.test('FCM credentials copied from another application\'s row fail that application\'s sends, naming the configuration', async (t) => {
    await stack.configureApplication(42)
    await stack.configureApplication(43)
    await stack.db.$executeRaw`UPDATE application SET fcm_service_account = (SELECT fcm_service_account FROM application WHERE app_id = '42') WHERE app_id = '43'`
    const [victim, control, ios] = [androidToken(), androidToken(), iosToken()]
    await stack.registerDevice(43, { token: victim, platform: 'android', userId: 'u-swapped' })
    await stack.registerDevice(43, { token: ios, platform: 'ios', userId: 'u-swapped' })
    await stack.registerDevice(42, { token: control, platform: 'android', userId: 'u-swapped' })

    const response = await stack.call('POST', '/push/message/send', { requestObject: { appId: 43, message: { userId: 'u-swapped', body: { title: 'x' } } } })
    t.equal(response.status, 200, 'the api answers as usual')
    t.same(response.body.responseObject.result, { ios: { sent: 1, pending: 0, failed: 0, total: 1 }, android: { sent: 0, pending: 0, failed: 1, total: 1 } },
      'FCM fails, APNs of the same application is unaffected')
    const messageId = response.body.responseObject.messageIds[0]
    const reason = /^FCM credentials of application 43 cannot be opened \(DB_SECRET_UNREADABLE\): .*upload the application's FCM configuration again$/
    t.match((await deliveryOf(stack, messageId)).find((d) => d.platform === 'FCM')?.reason, reason)
    await stack.until(async () => (await stack.db.message.findUniqueOrThrow({ where: { id: messageId } })).failureReason !== null, 'failure reason recorded')
    t.match((await stack.db.message.findUniqueOrThrow({ where: { id: messageId } })).failureReason, reason)
    t.equal(stack.fcm.received(victim).length, 0, 'nothing went to FCM with application 42\'s account')
    t.equal(await stack.db.device.count({ where: { pushToken: victim } }), 1, 'the device stays')

    const sent = await stack.call('POST', '/push/message/send', { requestObject: { appId: 42, message: { userId: 'u-swapped', body: { title: 'x' } } } })
    t.same(sent.body.responseObject.result.android, { sent: 1, pending: 0, failed: 0, total: 1 }, 'application 42 sends as before')
    const logged = /"level":50.*"appId":"43".*"column":"application.fcm_service_account".*"code":"DB_SECRET_UNREADABLE"/
    await Promise.any(stack.dispatchers.map((d) => d.waitForOutput(logged, 10_000)))
    t.pass('the dispatcher logged it by code')
    t.notOk(stack.dispatchers.some((d) => d.output().includes('private_key')), 'without the value')
    t.equal(stack.dispatchers.every((d) => d.child.exitCode === null), true, 'no dispatcher crashed')
  })
})
