import t from 'tap'
import { authorization, call } from '../../helper.js'
import { badRequestMessage, message, post, requestViolation, setUp } from './fixtures.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

t.test('a posted message comes back as its detail and is stored', async (t) => {
  const { app } = await setUp(t)
  const before = Date.now()
  const detail = await post(t, app)
  t.match(detail.id, UUID)
  const { id, timestampCreated, ...rest } = detail
  t.same(rest, {
    userId: 'user-1',
    applications: [1],
    type: 'text',
    subject: 'Statement ready',
    summary: 'Your March statement is ready',
    body: 'Open the app to read your March statement.',
    read: false,
    timestampRead: null
  })
  t.ok(Date.parse(timestampCreated) >= before - 1000 && Date.parse(timestampCreated) <= Date.now() + 1000, 'created now')
  const row = await app.db.inboxMessage.findUniqueOrThrow({ where: { id }, include: { applications: true } })
  t.same([row.userId, row.type, row.silent, row.read, row.developerId], ['user-1', 'TEXT', false, false, null])
  t.equal(row.applications.length, 1)
})

// guarantee: inbox-post-no-push
t.test('posting a message, silent or not, stores it only: no push message, nothing queued, no fallback due', async (t) => {
  const { app } = await setUp(t)
  for (const silent of [false, true]) {
    const { id } = await post(t, app, { silent })
    const row = await app.db.inboxMessage.findUniqueOrThrow({ where: { id } })
    t.same([row.silent, row.pushDueAt, row.pushMessageId, row.pushContent], [silent, null, null, null], `silent ${String(silent)}: stored, no push of its own`)
  }
  t.equal(await app.db.message.count(), 0, 'no push message')
  t.equal(await app.db.outbox.count(), 0, 'nothing queued to publish')
})

t.test('text application ids (PowerAuth 1.3+): posted, listed, counted and read by them; numeric ones stay numbers', async (t) => {
  const { app } = await setUp(t)
  await app.db.application.create({ data: { appId: 'mobile-app', name: 'Mobile' } })
  const detail = await post(t, app, { applications: ['mobile-app', 2] })
  t.same(detail.applications, [2, 'mobile-app'], 'numeric ids as numbers first, text ids as text')
  const listed = await call(app, 'GET', '/inbox/messages/list?userId=user-1&applications=mobile-app')
  t.same(listed.json().responseObject.map((item: { id: string }) => item.id), [detail.id])
  const count = await call(app, 'GET', '/inbox/messages/count?userId=user-1&appId=mobile-app')
  t.same(count.json().responseObject, { countUnread: 1 })
  const read = await call(app, 'POST', '/inbox/messages/read-all', { requestObject: { userId: 'user-1', appId: 'mobile-app' } })
  t.equal(read.statusCode, 200)
  t.same((await call(app, 'GET', '/inbox/messages/count?userId=user-1&appId=2')).json().responseObject, { countUnread: 0 },
    'the message of both applications is read')
})

// guarantee: inbox-post-fields
t.test('several applications (numbers or numeric strings, repeats collapse), any-case type, silent', async (t) => {
  const { app } = await setUp(t)
  const detail = await post(t, app, { applications: [3, '1', 1, '3'], type: 'HTML', silent: true, body: '<p>Hi</p>' })
  t.same([detail.applications, detail.type, detail.body], [[1, 3], 'html', '<p>Hi</p>'])
  const row = await app.db.inboxMessage.findUniqueOrThrow({ where: { id: detail.id }, include: { applications: true } })
  t.same([row.type, row.silent, row.applications.length], ['HTML', true, 2])
  t.equal((await post(t, app, { type: 'Text' })).type, 'text')
  t.equal((await post(t, app, { body: '' })).body, '', 'an empty body is allowed')
  const longest = await post(t, app, { subject: 's'.repeat(255), summary: 'm'.repeat(1024), userId: 'u'.repeat(255) })
  t.same([longest.subject.length, longest.summary.length, longest.userId.length], [255, 1024, 255])
})

// guarantee: inbox-unknown-application
t.test('an unknown application is a 400 naming it, and nothing is stored', async (t) => {
  const { app } = await setUp(t)
  const response = await call(app, 'POST', '/inbox/messages', { requestObject: message({ applications: [1, 99, '98'] }) })
  t.equal(badRequestMessage(t, response), 'Application with appId 99 does not exist')
  t.equal(await app.db.inboxMessage.count(), 0)
  t.equal(await app.db.inboxMessageApplication.count(), 0)
})

// guarantee: inbox-post-fields
t.test('invalid fields: a 400 ERROR_REQUEST naming the field (PowerAuth 1.5+ validates this body)', async (t) => {
  const { app } = await setUp(t)
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ applications: [] }, /^requestObject\.applications must be a list of 1 to 100 application ids/],
    [{ applications: undefined }, /^requestObject\.applications is required/],
    [{ applications: 1 }, /^requestObject\.applications must be a list/],
    [{ applications: Array.from({ length: 101 }, (_, i) => i) }, /^requestObject\.applications must be a list of 1 to 100/],
    [{ applications: [''] }, /^requestObject\.applications\.0 must be an application id/],
    [{ applications: [-1] }, /^requestObject\.applications\.0 must be an application id/],
    [{ applications: [1, 1.5] }, /^requestObject\.applications\.1 must be an application id/],
    [{ applications: [true] }, /^requestObject\.applications\.0 must be an application id/],
    [{ type: 'markdown' }, /^requestObject\.type must be text or html/],
    [{ type: undefined }, /^requestObject\.type is required/],
    [{ subject: '' }, /^requestObject\.subject must be a subject of 1 to 255 characters/],
    [{ subject: 's'.repeat(256) }, /^requestObject\.subject must be a subject of 1 to 255/],
    [{ subject: 5 }, /^requestObject\.subject must be a subject/],
    [{ summary: '' }, /^requestObject\.summary must be a summary of 1 to 1024 characters/],
    [{ summary: 'm'.repeat(1025) }, /^requestObject\.summary must be a summary/],
    [{ summary: undefined }, /^requestObject\.summary is required/],
    [{ body: 'b'.repeat(65537) }, /^requestObject\.body must be a body of 0 to 65536 characters/],
    [{ body: null }, /^requestObject\.body is required/],
    [{ body: 5 }, /^requestObject\.body must be a body/],
    [{ userId: '' }, /^requestObject\.userId must be a user id of 1 to 255 characters/],
    [{ userId: 'u'.repeat(256) }, /^requestObject\.userId must be a user id/],
    [{ userId: undefined }, /^requestObject\.userId is required/],
    [{ silent: 'yes' }, /^requestObject\.silent must be true or false/]
  ]
  for (const [overrides, expected] of cases) {
    const response = await call(app, 'POST', '/inbox/messages', { requestObject: message(overrides) })
    t.match(requestViolation(t, response), expected, JSON.stringify(overrides).slice(0, 60))
  }
  t.equal(await app.db.inboxMessage.count(), 0, 'nothing stored')
})

// guarantee: inbox-request-violations
t.test('a refused field is listed as PowerAuth 1.5+ lists it: fieldName, invalidValue, hint', async (t) => {
  const { app } = await setUp(t)
  const wrong = await call(app, 'POST', '/inbox/messages', { requestObject: message({ subject: 5 }) })
  t.equal(wrong.statusCode, 400)
  t.same(wrong.json(), {
    status: 'ERROR',
    responseObject: {
      code: 'ERROR_REQUEST',
      message: 'requestObject.subject must be a subject of 1 to 255 characters',
      violations: [{ fieldName: 'requestObject.subject', invalidValue: 5, hint: 'must be a subject of 1 to 255 characters' }]
    }
  })
  const missing = await call(app, 'POST', '/inbox/messages', { requestObject: message({ userId: null }) })
  t.same(missing.json().responseObject.violations, [{ fieldName: 'requestObject.userId', invalidValue: null, hint: 'is required' }],
    'a null (absent) field: invalidValue null')
  // A business rule is no validation: PowerAuth's ERROR_GENERIC, without violations.
  const unknown = await call(app, 'POST', '/inbox/messages', { requestObject: message({ applications: [99] }) })
  t.same(unknown.json(), { status: 'ERROR', responseObject: { code: 'ERROR_GENERIC', message: 'Application with appId 99 does not exist' } })
  t.equal(await app.db.inboxMessage.count(), 0, 'nothing stored')
})

t.test('a missing or malformed envelope is a 400; no credentials a 401', async (t) => {
  const { app } = await setUp(t)
  t.equal(requestViolation(t, await call(app, 'POST', '/inbox/messages', message())), 'requestObject is required')
  t.equal(requestViolation(t, await call(app, 'POST', '/inbox/messages', {})), 'requestObject is required')
  t.match(requestViolation(t, await call(app, 'POST', '/inbox/messages', { requestObject: 'x' })), /^requestObject must be object/)
  t.match(requestViolation(t, await call(app, 'POST', '/inbox/messages')), /request body|requestObject/)
  const malformed = await app.inject({
    method: 'POST', url: '/inbox/messages', payload: '{"requestObject":', headers: { authorization, 'content-type': 'application/json' }
  })
  t.equal(badRequestMessage(t, malformed), 'request body is not valid JSON')
  const anonymous = await app.inject({ method: 'POST', url: '/inbox/messages', payload: { requestObject: message() } })
  t.equal(anonymous.statusCode, 401)
  t.equal(anonymous.json().responseObject.code, 'ERROR_UNAUTHORIZED')
  t.equal(await app.db.inboxMessage.count(), 0)
})
