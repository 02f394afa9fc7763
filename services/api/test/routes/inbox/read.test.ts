import t from 'tap'
import { call } from '../../helper.js'
import { badRequestMessage, NOT_FOUND, post, requestViolation, setUp, UNKNOWN_ID } from './fixtures.js'

const read = (app: Parameters<typeof call>[0], inboxId: unknown) => call(app, 'POST', '/inbox/messages/read', { requestObject: { inboxId } })
const readAll = (app: Parameters<typeof call>[0], requestObject: unknown) => call(app, 'POST', '/inbox/messages/read-all', { requestObject })

// guarantee: inbox-read-once
t.test('read: the detail, read, with the time; a second read keeps the first time', async (t) => {
  const { app } = await setUp(t)
  const posted = await post(t, app)
  const before = Date.now()
  const first = await read(app, posted.id)
  t.equal(first.statusCode, 200)
  const detail = first.json().responseObject
  t.same({ ...detail, timestampRead: 'x' }, { ...posted, read: true, timestampRead: 'x' }, 'everything else unchanged')
  t.ok(Date.parse(detail.timestampRead) >= before - 1000, 'timestampRead set')
  await new Promise((resolve) => setTimeout(resolve, 20))
  const again = await read(app, posted.id.toUpperCase())
  t.equal(again.statusCode, 200)
  t.same(again.json().responseObject, detail, 'idempotent: the first timestamp stays')
  const both = await Promise.all([read(app, posted.id), read(app, posted.id)])
  t.same(both.map((r) => r.json().responseObject.timestampRead), [detail.timestampRead, detail.timestampRead])
  t.same((await call(app, 'GET', `/inbox/messages/detail?id=${posted.id}`)).json().responseObject, detail)
})

// guarantee: inbox-id-checked
t.test('read: bad or unknown ids, missing envelope', async (t) => {
  const { app } = await setUp(t)
  for (const inboxId of ['', '123', 42, `${UNKNOWN_ID}0`]) {
    t.match(requestViolation(t, await read(app, inboxId)), /^requestObject\.inboxId must be an inbox message id \(UUID\)$/, String(inboxId))
  }
  t.equal(requestViolation(t, await read(app, null)), 'requestObject.inboxId is required', 'null is an absent id')
  t.equal(requestViolation(t, await call(app, 'POST', '/inbox/messages/read', { requestObject: {} })), 'requestObject.inboxId is required')
  t.equal(requestViolation(t, await call(app, 'POST', '/inbox/messages/read', { inboxId: UNKNOWN_ID })), 'requestObject is required')
  t.equal(badRequestMessage(t, await read(app, UNKNOWN_ID)), NOT_FOUND)
})

// guarantee: inbox-read-once
t.test('read-all: every unread message of that user in that application, nothing else', async (t) => {
  const { app } = await setUp(t)
  const inOne = await post(t, app, { applications: [1] })
  const inOneAndTwo = await post(t, app, { applications: [1, 2] })
  const inTwo = await post(t, app, { applications: [2] })
  const otherUser = await post(t, app, { userId: 'user-2', applications: [1] })
  const earlier = (await read(app, inOne.id)).json().responseObject.timestampRead
  const response = await readAll(app, { userId: 'user-1', appId: '1' })
  t.equal(response.statusCode, 200)
  t.same(response.json(), { status: 'OK' })
  const state = async (id: string) => (await call(app, 'GET', `/inbox/messages/detail?id=${id}`)).json().responseObject
  t.equal((await state(inOne.id)).timestampRead, earlier, 'an already read message keeps its time')
  t.equal((await state(inOneAndTwo.id)).read, true)
  t.not((await state(inOneAndTwo.id)).timestampRead, null)
  t.equal((await state(inTwo.id)).read, false, 'another application untouched')
  t.equal((await state(otherUser.id)).read, false, 'another user untouched')
  t.same((await readAll(app, { userId: 'user-1', appId: 1 })).json(), { status: 'OK' }, 'again: nothing left, still OK')
  t.same((await readAll(app, { userId: 'nobody', appId: 3 })).json(), { status: 'OK' }, 'a user without messages')
})

t.test('read-all: bad or unknown parameters are a 400', async (t) => {
  const { app } = await setUp(t)
  const cases: Array<[unknown, RegExp]> = [
    [{ appId: 1 }, /^requestObject\.userId is required/],
    [{ userId: '', appId: 1 }, /^requestObject\.userId must be a user id/],
    [{ userId: 'u' }, /^requestObject\.appId is required/],
    [{ userId: 'u', appId: -3 }, /^requestObject\.appId must be an application id/],
    [{ userId: 'u', appId: true }, /^requestObject\.appId must be an application id/],
    ['u', /^requestObject must be object/]
  ]
  for (const [requestObject, expected] of cases) {
    t.match(requestViolation(t, await readAll(app, requestObject)), expected, JSON.stringify(requestObject))
  }
  t.equal(requestViolation(t, await call(app, 'POST', '/inbox/messages/read-all', { userId: 'u', appId: 1 })), 'requestObject is required')
  t.equal(badRequestMessage(t, await readAll(app, { userId: 'u', appId: 9 })), 'Application with appId 9 does not exist')
  t.equal(badRequestMessage(t, await readAll(app, { userId: 'u', appId: 'one' })), 'Application with appId one does not exist', 'a text id is an id: unknown, not malformed')
})

// The answer comes once the messages are read: a client that counts next sees them read (and a
// failed update is the request's error, not a silent OK).
t.test('read-all answers only once its update is done', async (t) => {
  const { app } = await setUp(t)
  const posted = await post(t, app)
  const locker = await app.db.pool.connect()
  t.teardown(() => locker.release())
  await locker.query('BEGIN')
  await locker.query('SELECT 1 FROM inbox_message WHERE id = $1 FOR UPDATE', [posted.id])
  const answer = readAll(app, { userId: 'user-1', appId: 1 })
  const first = await Promise.race([answer.then(() => 'answered'), new Promise((resolve) => setTimeout(resolve, 500, 'waiting'))])
  t.equal(first, 'waiting', 'no answer while the message\'s row is locked')
  await locker.query('COMMIT')
  t.same((await answer).json(), { status: 'OK' })
  t.equal((await app.db.inboxMessage.findUniqueOrThrow({ where: { id: posted.id } })).read, true)
})
