import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { authorization, buildApp } from '../../helper.js'

async function appWithApplication (t: Parameters<typeof buildApp>[0]) {
  const built = await buildApp(t)
  await built.app.db.application.create({ data: { appId: '2', name: 'app2' } })
  return built
}

// What PowerAuth's Java client (1.x) writes for a message: every unset field as null, the
// Instant `validUntil` as epoch seconds with nanoseconds (`1512940949.923000000` in the JSON text:
// sendJackson puts it there, as a JavaScript number cannot hold those digits).
const jacksonMessage = {
  userId: '123',
  activationId: null,
  priority: 'HIGH',
  attributes: { silent: null, personal: null },
  body: {
    title: 'Balance update',
    titleLocKey: null,
    titleLocArgs: null,
    body: 'Your balance is now $745.00',
    bodyLocKey: null,
    bodyLocArgs: null,
    badge: null,
    sound: null,
    icon: null,
    category: null,
    collapseKey: null,
    validUntil: 'INSTANT',
    extras: null
  }
}

const none = { sent: 0, pending: 0, failed: 0, total: 0 }

const sendJackson = (app: FastifyInstance, url: string, body: unknown) => app.inject({
  method: 'POST',
  url,
  headers: { authorization, 'content-type': 'application/json' },
  payload: JSON.stringify(body).replaceAll('"INSTANT"', '1512940949.923000000')
})

t.test('ASYNCHRONOUS: mode and every shape, all zero, with the message id', async (t) => {
  const { app } = await appWithApplication(t)
  const response = await sendJackson(app, '/push/message/send', { requestObject: { appId: 2, mode: 'ASYNCHRONOUS', message: jacksonMessage } })
  t.equal(response.statusCode, 200)
  const { messageIds, ...answer } = response.json().responseObject
  t.same(answer, { mode: 'ASYNCHRONOUS', result: { ios: none, android: none }, ios: none, android: none, huawei: none, apns: none, fcm: none, hms: none })
  t.equal(messageIds.length, 1)
})

// guarantee: powerauth-nulls-absent
t.test('a message as Jackson writes it (nulls, an Instant as a number) is stored as if those fields were absent', async (t) => {
  const { app } = await appWithApplication(t)
  const response = await sendJackson(app, '/push/message/batch/send', {
    requestObject: { appId: '2', mode: 'ASYNCHRONOUS', batch: [jacksonMessage, { ...jacksonMessage, userId: '456', body: { ...jacksonMessage.body, extras: { kept: null } } }] }
  })
  t.equal(response.statusCode, 200, response.body)
  const [first, second] = await Promise.all(response.json().responseObject.messageIds.map((id: string) =>
    app.db.message.findUniqueOrThrow({ where: { id } })))
  t.match(first, { userId: '123', activationId: null, personal: false, silent: false })
  t.same(first?.body, { title: 'Balance update', body: 'Your balance is now $745.00', validUntil: '2017-12-10T21:22:29.923Z' })
  t.same((second?.body as { extras: unknown }).extras, { kept: null }, 'a null inside extras is the caller\'s data: kept')
})
