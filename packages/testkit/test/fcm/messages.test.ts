import t from 'tap'
import { accessToken, fcmMessaging, fcmMock, fcmToken, rawFcm, sendError, sendPath } from '../helpers/fcm.js'

t.test('everything firebase-admin can build is accepted', async (t) => {
  const { mock, account } = await fcmMock(t)
  const messaging = fcmMessaging(t, mock, { account })
  const token = fcmToken()
  await messaging.send({
    token,
    data: { a: '1' },
    notification: { title: 't', body: 'b', imageUrl: 'https://example.com/i.png' },
    fcmOptions: { analyticsLabel: 'label' },
    android: {
      collapseKey: 'c',
      priority: 'normal',
      ttl: 1500,
      restrictedPackageName: 'com.example',
      directBootOk: true,
      data: { b: '2' },
      fcmOptions: { analyticsLabel: 'x' },
      notification: {
        title: 't',
        body: 'b',
        icon: 'i',
        color: '#ff0000',
        sound: 'default',
        tag: 'tag',
        clickAction: 'OPEN',
        bodyLocKey: 'k',
        bodyLocArgs: ['1'],
        titleLocKey: 'k',
        titleLocArgs: ['2'],
        channelId: 'ch',
        ticker: 'tick',
        sticky: true,
        eventTimestamp: new Date(),
        localOnly: false,
        priority: 'high',
        vibrateTimingsMillis: [100, 200],
        defaultVibrateTimings: false,
        defaultSound: true,
        visibility: 'public',
        lightSettings: { color: '#00ff00', lightOnDurationMillis: 100, lightOffDurationMillis: 200 },
        defaultLightSettings: false,
        notificationCount: 3,
        imageUrl: 'https://example.com/n.png',
        proxy: 'allow'
      }
    },
    apns: {
      headers: { 'apns-priority': '10' },
      payload: { aps: { alert: { title: 't', locKey: 'k', locArgs: ['1'] }, badge: 1, sound: { name: 'default', critical: true, volume: 0.5 }, contentAvailable: true, threadId: 'th' }, custom: 'x' },
      fcmOptions: { imageUrl: 'https://example.com/a.png', analyticsLabel: 'l' }
    },
    webpush: { headers: { TTL: '60' }, data: { c: '3' }, notification: { title: 't', requireInteraction: true }, fcmOptions: { link: 'https://example.com' } }
  })
  t.equal(mock.received(token)[0]?.status, 200)
  t.match(mock.received(token)[0]?.message, { android: { ttl: '1.500000000s', notification: { light_settings: { color: { red: 0, green: 1 } } } } })
  await messaging.send({ condition: "'news' in topics && ('sport' in topics || 'tech' in topics)", data: { a: 'b' } })
  t.equal(mock.received("'news' in topics && ('sport' in topics || 'tech' in topics)").length, 1)
})

t.test('shapes firebase-admin lets through but FCM refuses get INVALID_ARGUMENT', async (t) => {
  const { mock, account } = await fcmMock(t)
  const messaging = fcmMessaging(t, mock, { account })
  const token = fcmToken()
  const refused = async (message: Record<string, unknown>) => (await sendError(messaging, message as never)).code
  t.equal(await refused({ token, data: { 'google.sent_time': '1' } }), 'messaging/invalid-argument', 'reserved data key')
  t.equal(await refused({ token, data: { from: 'me' } }), 'messaging/invalid-argument', 'reserved data key "from"')
  t.equal(await refused({ token, extra: 1 }), 'messaging/invalid-argument', 'unknown field')
  t.equal(await refused({ token, android: { ttl: 29 * 24 * 3600_000 } }), 'messaging/invalid-argument', 'ttl over 4 weeks')
  t.equal(await refused({ token, android: { priority: 'urgent' } }), 'messaging/invalid-argument', 'android priority')
  t.equal(await refused({ token, webpush: { fcmOptions: { link: 'http://example.com' } } }), 'messaging/invalid-argument', 'webpush link must be https')
  t.equal(await refused({ condition: "'a' in topics && 'b' in topics && 'c' in topics && 'd' in topics && 'e' in topics && 'f' in topics" }), 'messaging/invalid-argument', 'more than 5 topics')
  t.equal(await refused({ token, data: { filler: 'x'.repeat(4096) } }), 'messaging/invalid-argument', 'payload over 4096 bytes')
  t.equal(await refused({ token, data: { filler: 'x'.repeat(4000) } }), '', 'just under the limit is fine')
  const badToken = await sendError(messaging, { token: 'not a token!' })
  t.same(badToken, { code: 'messaging/invalid-argument', message: 'The registration token is not a valid FCM registration token' })
  t.equal(mock.counters.byStatus[400], 9)
})

t.test('shapes firebase-admin would refuse, sent raw', async (t) => {
  const { mock, account } = await fcmMock(t)
  const auth = await accessToken(account)
  const token = fcmToken()
  const send = async (body: unknown) => {
    const response = await rawFcm(mock, sendPath(), body, auth)
    if (response.status === 200) return 'ok'
    const [fcmError, badRequest] = response.body.error.details
    t.equal(fcmError?.errorCode, 'INVALID_ARGUMENT', 'FcmError detail')
    return `${response.status} ${response.body.error.status} ${badRequest?.fieldViolations?.[0]?.field}: ${badRequest?.fieldViolations?.[0]?.description}`
  }
  t.equal(await send({ message: { token, android: { collapseKey: 'k', ttl: '3600s', priority: 'HIGH' } } }), 'ok', 'camelCase and snake_case both parse')
  t.equal(await send({ message: { token, android: { collapse_key: 'k', ttl: '0.5s', priority: 'NORMAL' } } }), 'ok')
  t.match(await send({ message: { token, topic: 'news' } }), /^400 INVALID_ARGUMENT message: .*Oneof field 'target' is already set/)
  t.match(await send({ message: { data: { a: 'b' } } }), /^400 INVALID_ARGUMENT message: Recipient of the message is not set/)
  t.match(await send({ message: { token, data: { a: 1 } } }), /^400 INVALID_ARGUMENT message\.data\[0\]\.value: Invalid value .*TYPE_STRING/)
  t.match(await send({ message: { token, android: { ttl: 3600 } } }), /message\.android\.ttl: .*duration must end with 's'/)
  t.match(await send({ message: { token, android: { ttl: '1h' } } }), /message\.android\.ttl: .*Duration/)
  t.match(await send({ message: { token, android: { priority: 'URGENT' } } }), /message\.android\.priority: .*TYPE_ENUM/)
  t.match(await send({ message: { token, android: { notification: { color: 'red' } } } }), /message\.android\.notification\.color/)
  t.match(await send({ message: { token, notification: { title: 5 } } }), /message\.notification\.title: .*TYPE_STRING/)
  t.match(await send({ message: { token, notification: { subtitle: 's' } } }), /Unknown name "subtitle" at 'message\.notification'/)
  t.match(await send({ message: { topic: 'bad topic' } }), /message\.topic: Invalid topic name/)
  t.match(await send({ message: { condition: "'a' in topics; drop" } }), /message\.condition/)
  t.match(await send({ message: { token }, dry_run: true }), /Unknown name "dry_run": Cannot find field/)
  t.match(await send(null), /Expected an object/)
  t.match(await send('{"message": '), /Invalid JSON payload received/)
  t.same(mock.counters.byStatus, { 200: 2, 400: 14 })
})
