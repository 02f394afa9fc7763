import { MessageBody } from '@beacon/contracts'
import { until } from '@beacon/testkit'
import t from 'tap'
import { Compile } from 'typebox/compile'
import { buildApp, call } from '../../helper.js'

const seedMessage = {
  activationId: '49414e31-f3df-4cea-87e6-f214ca3b8412',
  userId: '123',
  attributes: { personal: true, silent: true },
  body: {
    title: 'Balance update',
    body: 'Your balance is now $745.00',
    badge: 3,
    sound: 'default',
    icon: 'custom-icon',
    category: 'balance-update',
    collapseKey: 'balance-update',
    validUntil: '2017-12-11T21:22:29.923Z',
    extras: { _comment: 'Any custom data.' }
  }
}

async function appWithApplication (t: Parameters<typeof buildApp>[0], env: Record<string, string> = {}) {
  const built = await buildApp(t, env)
  await built.app.db.application.create({ data: { appId: '2', name: 'app2' } })
  return built
}

t.test('ASYNCHRONOUS: stored, queued and answered at once with the message id', async (t) => {
  const { app } = await appWithApplication(t)
  const response = await call(app, 'POST', '/push/message/send', { requestObject: { appId: 2, mode: 'ASYNCHRONOUS', message: seedMessage } })
  t.equal(response.statusCode, 200)
  const body = response.json()
  t.same(body.responseObject.result, { ios: { sent: 0, pending: 0, failed: 0, total: 0 }, android: { sent: 0, pending: 0, failed: 0, total: 0 } })
  t.equal(body.responseObject.messageIds.length, 1)
  const stored = await app.db.message.findUniqueOrThrow({ where: { id: body.responseObject.messageIds[0] } })
  t.match(stored, { userId: '123', activationId: seedMessage.activationId, personal: true, silent: true, priority: 'HIGH', completedAt: null })
  t.same(stored.body, seedMessage.body)

  const detail = await call(app, 'GET', `/push/message/${stored.id}/detail`)
  t.equal(detail.statusCode, 200)
  t.match(detail.json().responseObject, { id: stored.id, appId: 2, userId: '123', completed: false, timestampCompleted: null })
})

// No dispatcher claimed a device, so no count knows of one: all zero. Devices claimed and not
// answered are counted pending: send-pending.test.ts.
t.test('SYNCHRONOUS with no dispatcher answers after SYNC_TIMEOUT_MS with nothing claimed: all zero', async (t) => {
  const { app } = await appWithApplication(t, { SYNC_TIMEOUT_MS: '300' })
  const started = Date.now()
  const response = await call(app, 'POST', '/push/message/send', { requestObject: { appId: '2', message: seedMessage } })
  t.equal(response.statusCode, 200)
  t.ok(Date.now() - started >= 290, 'waited for the timeout')
  t.same(response.json().responseObject.result.ios, { sent: 0, pending: 0, failed: 0, total: 0 })
})

t.test('batch: every item stored, ids in order', async (t) => {
  const { app } = await appWithApplication(t)
  const batch = [seedMessage, { ...seedMessage, userId: '1234', priority: 'NORMAL' }]
  const response = await call(app, 'POST', '/push/message/batch/send', { requestObject: { appId: 2, mode: 'ASYNCHRONOUS', batch } })
  t.equal(response.statusCode, 200)
  const ids: string[] = response.json().responseObject.messageIds
  t.equal(ids.length, 2)
  const second = await app.db.message.findUniqueOrThrow({ where: { id: ids[1] } })
  t.equal(second.userId, '1234')
  t.equal(second.priority, 'NORMAL')
})

// The requests in flight are stored in one statement and their outbox rows deleted in one
// (message-writes.ts): each still gets its own messages, its own application, its own 400.
t.test('concurrent sends of several applications, one unknown: each answered for itself, every command published and cleared', async (t) => {
  const { app } = await appWithApplication(t)
  await app.db.application.create({ data: { appId: 'text-app', name: 'app3' } })
  const send = (appId: number | string, userId: string) => call(app, 'POST', '/push/message/send', { requestObject: { appId, mode: 'ASYNCHRONOUS', message: { ...seedMessage, userId } } })
  const [a, b, unknown, c] = await Promise.all([send(2, 'u-a'), send('text-app', 'u-b'), send(9, 'u-x'), send(2, 'u-c')])
  t.equal(unknown!.statusCode, 400)
  t.match(unknown!.json().responseObject.message, /Application with appId 9 does not exist/)
  const stored = async (response: typeof a) => {
    t.equal(response!.statusCode, 200)
    const [id] = response!.json().responseObject.messageIds as string[]
    return app.db.message.findUniqueOrThrow({ where: { id }, include: { application: true } })
  }
  t.match(await stored(a), { userId: 'u-a', application: { appId: '2' } })
  t.match(await stored(b), { userId: 'u-b', application: { appId: 'text-app' } })
  t.match(await stored(c), { userId: 'u-c', application: { appId: '2' } })
  t.equal(await app.db.message.count(), 3, 'nothing stored for the unknown application')
  // Deleted after the answers, with the window's other rows (published-rows.ts).
  await until(async () => await app.db.outbox.count() === 0, 'the three commands published and their rows deleted')
})

// guarantee: message-body-bound
t.test('bad input: a clear 400 naming the field (and the batch index), nothing stored', async (t) => {
  const { app } = await appWithApplication(t)
  const cases: Array<[string, unknown, RegExp]> = [
    ['/push/message/send', { requestObject: { appId: 2, message: { ...seedMessage, userId: undefined } } }, /requestObject\.message\.userId is required/],
    ['/push/message/send', { requestObject: { appId: 9, message: seedMessage } }, /Application with appId 9 does not exist/],
    ['/push/message/send', { requestObject: { appId: true, message: seedMessage } }, /requestObject\.appId must be/],
    ['/push/message/send', { requestObject: { appId: 2, mode: 'LATER', message: seedMessage } }, /requestObject\.mode must be SYNCHRONOUS or ASYNCHRONOUS/],
    ['/push/message/send', { requestObject: { appId: 2, message: { ...seedMessage, priority: 'URGENT' } } }, /requestObject\.message\.priority must be HIGH or NORMAL/],
    ['/push/message/send', { requestObject: { appId: 2, message: { ...seedMessage, body: { ...seedMessage.body, validUntil: 'tomorrow' } } } }, /requestObject\.message\.body\.validUntil/],
    ['/push/message/send', { requestObject: { appId: 2, message: { ...seedMessage, body: { ...seedMessage.body, badge: -1 } } } }, /requestObject\.message\.body\.badge/],
    // APNs and FCM take a badge as a 32-bit integer: a fraction or a larger number would be stored, then refused by the provider.
    ['/push/message/send', { requestObject: { appId: 2, message: { ...seedMessage, body: { ...seedMessage.body, badge: 1.5 } } } }, /requestObject\.message\.body\.badge/],
    ['/push/message/send', { requestObject: { appId: 2, message: { ...seedMessage, body: { ...seedMessage.body, badge: 2147483648 } } } }, /requestObject\.message\.body\.badge/],
    ['/push/message/batch/send', { requestObject: { appId: 2, batch: [seedMessage, { ...seedMessage, userId: '' }] } }, /requestObject\.batch\.1\.userId/],
    ['/push/message/batch/send', { requestObject: { appId: 2, batch: [] } }, /requestObject\.batch/],
    // No provider takes more than 4096 bytes; 16 KiB of JSON is the bound.
    ['/push/message/send', { requestObject: { appId: 2, message: { ...seedMessage, body: { ...seedMessage.body, extras: { blob: 'x'.repeat(16 * 1024) } } } } }, /^requestObject\.message\.body takes \d+ bytes as JSON, more than 16384/],
    ['/push/message/batch/send', { requestObject: { appId: 2, batch: [seedMessage, { ...seedMessage, body: { ...seedMessage.body, unknownField: 'x'.repeat(1024 * 1024) } }] } }, /^requestObject\.batch\.1\.body takes/]
  ]
  for (const [url, body, message] of cases) {
    const response = await call(app, 'POST', url, body)
    t.equal(response.statusCode, 400, JSON.stringify(body).slice(0, 80))
    t.equal(response.json().responseObject.code, 'ERROR_GENERIC')
    t.match(response.json().responseObject.message, message)
  }
  t.equal(await app.db.message.count(), 0)
})

// The api's check of a date-time once took more than the dispatcher's (TypeBox's, on the command):
// such a message was stored and answered, then its command refused, and it was never sent.
t.test('a validUntil the api takes is one the dispatcher takes: the other spellings are 400s', async (t) => {
  const { app } = await appWithApplication(t)
  const dispatcherChecks = Compile(MessageBody)
  const taken = ['2030-01-01T00:00:00Z', '2030-01-01T00:00:00.123456+01:00', '2030-01-01t00:00:00z', '9999-12-31T23:59:59Z']
  const refused = ['2030-01-01 00:00:00Z', '2030-01-01T00:00:00+0100', '2030-01-01T00:00:00+01', '2016-12-31T23:59:60Z', '2030-02-30T00:00:00Z']
  for (const validUntil of [...taken, ...refused]) {
    const response = await call(app, 'POST', '/push/message/send', { requestObject: { appId: 2, message: { ...seedMessage, body: { ...seedMessage.body, validUntil } } } })
    if (refused.includes(validUntil)) {
      t.equal(response.statusCode, 400, `${validUntil} refused`)
      t.match(response.json().responseObject.message, /requestObject\.message\.body\.validUntil/)
      continue
    }
    t.equal(response.statusCode, 200, `${validUntil} taken`)
    const stored = await app.db.message.findUniqueOrThrow({ where: { id: response.json().responseObject.messageIds[0] } })
    t.ok(dispatcherChecks.Check(stored.body), `${validUntil}: the dispatcher's check takes the body it gets`)
  }
  t.equal(await app.db.message.count(), taken.length, 'nothing stored for a refused one')
})

t.test('message detail: unknown id and malformed id are 400s', async (t) => {
  const { app } = await appWithApplication(t)
  const unknown = await call(app, 'GET', '/push/message/6f1c9a3e-4b7a-4c8e-9f1a-2b3c4d5e6f70/detail')
  t.equal(unknown.statusCode, 400)
  t.match(unknown.json().responseObject.message, /does not exist/)
  const malformed = await call(app, 'GET', '/push/message/not-a-uuid/detail')
  t.equal(malformed.statusCode, 400)
  t.match(malformed.json().responseObject.message, /params\.id must be a message id/)
  // A URN form Ajv's uuid format took, and PostgreSQL's uuid type refuses (a 503 before).
  const urn = await call(app, 'GET', '/push/message/urn:uuid:6f1c9a3e-4b7a-4c8e-9f1a-2b3c4d5e6f70/detail')
  t.equal(urn.statusCode, 400)
  t.match(urn.json().responseObject.message, /params\.id must be a message id/)
})
