import { randomUUID } from 'node:crypto'
import t from 'tap'
import { buildApp, credentials } from '../../helper.js'
import { allPages, consoleCall, expectBadRequest } from './fixtures.js'

// A valid request of each console read, on an application 2 and a developer that exist.
const READS: Array<[string, Record<string, unknown>]> = [
  ['device/search', { appId: 2, userId: 'alice' }],
  ['message/list', { appId: 2 }],
  ['message/outcomes', { appId: 2, messageId: randomUUID() }],
  ['callback/list', { developerId: 1 }],
  ['campaign/progress', { campaignId: '1' }]
]
// The reads that answer a page (campaign/progress answers one campaign's counts).
const PAGED = READS.filter(([path]) => path !== 'campaign/progress')

async function setUp (t: Parameters<typeof buildApp>[0]) {
  const built = await buildApp(t, { AUTH_FAILURES_PER_ADDRESS: '1000' })
  const application = await built.app.db.application.create({ data: { appId: '2', name: 'app2' } })
  await built.app.db.developer.create({ data: { id: 1, key: 'k', name: 'Dev', secret: new Uint8Array(32) } })
  await built.app.db.campaign.create({ data: { id: 1, applicationId: application.id, message: { title: 'Hi', body: 'There' } } })
  const message = await built.app.db.message.create({
    data: { id: READS[2]![1].messageId as string, applicationId: application.id, userId: 'alice', personal: false, silent: false, priority: 'HIGH', body: {} }
  })
  return { ...built, message }
}

t.test('every console read asks for the admin credentials: 401 without them or with wrong ones', async (t) => {
  const { app } = await setUp(t)
  const wrong = `Basic ${Buffer.from(`${credentials.username}:not-the-password`).toString('base64')}`
  for (const [path, requestObject] of READS) {
    for (const headers of [{}, { authorization: wrong }]) {
      const response = await app.inject({
        method: 'POST', url: `/admin/console/${path}`, headers: { ...headers, 'content-type': 'application/json' }, payload: JSON.stringify({ requestObject })
      })
      t.equal(response.statusCode, 401, `${path} ${'authorization' in headers ? 'with wrong credentials' : 'without credentials'}`)
      t.equal(response.json().responseObject.code, 'ERROR_UNAUTHORIZED')
      t.match(response.headers['www-authenticate'], /^Basic /)
    }
    const allowed = await consoleCall(app, path, requestObject)
    t.equal(allowed.statusCode, 200, `${path} with the credentials: ${allowed.body.slice(0, 200)}`)
  }
})

// guarantee: console-bad-page-refused, console-list-limit
t.test('a bad limit or cursor is a 400 naming it; a null cursor is the first page', async (t) => {
  const { app } = await setUp(t)
  const otherListsCursor = Buffer.from(JSON.stringify(['elsewhere', '1'])).toString('base64url')
  for (const [path, requestObject] of PAGED) {
    for (const limit of [0, 201, 1.5, '10', null]) {
      await expectBadRequest(t, app, path, { ...requestObject, limit }, /requestObject\.limit/)
    }
    for (const cursor of ['', 'not a cursor', 'bm90IGpzb24', otherListsCursor, 7]) {
      await expectBadRequest(t, app, path, { ...requestObject, cursor }, /requestObject\.cursor/)
    }
    const first = await consoleCall(app, path, { ...requestObject, cursor: null, limit: 200 })
    t.equal(first.statusCode, 200, `${path}: cursor null`)
    t.equal(first.json().responseObject.nextCursor, null, `${path}: one page holds everything`)
  }
})

// guarantee: console-bad-page-refused
t.test('a cursor of one list is refused by another, even one of the same key shape', async (t) => {
  const { app } = await setUp(t)
  // Two messages of alice's, one of bob's: a page of one entry of the message list has a next page.
  for (const userId of ['alice', 'bob']) {
    await app.db.message.create({ data: { id: randomUUID(), applicationId: (await app.db.application.findFirstOrThrow()).id, userId, personal: false, silent: false, priority: 'HIGH', body: {} } })
  }
  const page = (await consoleCall(app, 'message/list', { appId: 2, limit: 1 })).json().responseObject
  t.type(page.nextCursor, 'string')
  await expectBadRequest(t, app, 'callback/list', { developerId: 1, cursor: page.nextCursor }, /requestObject\.cursor is not a cursor of this list/)
  await expectBadRequest(t, app, 'device/search', { appId: 2, userId: 'alice', cursor: page.nextCursor }, /requestObject\.cursor is not a cursor of this list/)
})

// A cursor is opaque, but a forged one must still never reach the database as a value it refuses (a 500).
t.test('a forged cursor of the right list with a key no row can have is a 400, not a database error', async (t) => {
  const { app } = await setUp(t)
  const forged = (...parts: string[]) => Buffer.from(JSON.stringify(parts)).toString('base64url')
  const uuid = randomUUID()
  for (const cursor of [
    forged('messages', '2026-02-30T00:00:00.000Z', uuid),
    forged('messages', '0000-01-01T00:00:00.000Z', uuid),
    forged('messages', '2026-01-01T00:00:00Z', uuid),
    forged('messages', '2026-01-01T00:00:00.000Z', 'not-a-uuid'),
    forged('messages', '2026-01-01T00:00:00.000Z')
  ]) await expectBadRequest(t, app, 'message/list', { appId: 2, cursor }, /requestObject\.cursor/)
  for (const key of ['99999999999999999999', '9223372036854775808', '-1', '1e3', '']) {
    await expectBadRequest(t, app, 'device/search', { appId: 2, userId: 'alice', cursor: forged('devices', key) }, /requestObject\.cursor/)
    await expectBadRequest(t, app, 'callback/list', { developerId: 1, cursor: forged('callbacks', key) }, /requestObject\.cursor/)
  }
  const wellFormed = await consoleCall(app, 'message/list', { appId: 2, cursor: forged('messages', '2030-01-01T00:00:00.000Z', uuid) })
  t.equal(wellFormed.statusCode, 200, 'a key past every row: the whole list')
  t.equal(wellFormed.json().responseObject.messageList.length, 1)
})

// guarantee: console-keyset-pages, console-list-limit
t.test('without a limit a page holds 50; a last page that is full has no nextCursor', async (t) => {
  const { app } = await setUp(t)
  await app.db.callbackDelivery.createMany({
    data: Array.from({ length: 51 }, () => {
      const requestId = randomUUID()
      return { developerId: 1, eventId: `${requestId}:push.sent`, event: 'push.sent', requestId, status: 'DELIVERED' as const }
    })
  })
  const first = (await consoleCall(app, 'callback/list', { developerId: 1 })).json().responseObject
  t.equal(first.callbackList.length, 50, 'the default limit')
  const rest = (await consoleCall(app, 'callback/list', { developerId: 1, cursor: first.nextCursor })).json().responseObject
  t.same([rest.callbackList.length, rest.nextCursor], [1, null])
  const pages = await allPages(t, app, 'callback/list', 'callbackList', { developerId: 1 }, 17)
  t.same(pages.map((page) => page.length), [17, 17, 17], 'three full pages, no empty fourth')
})
