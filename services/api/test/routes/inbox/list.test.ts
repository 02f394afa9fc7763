import t, { type Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { call } from '../../helper.js'
import { backdate, badRequestMessage, post, setUp } from './fixtures.js'

const list = async (t: Test, app: FastifyInstance, query: string) => {
  const response = await call(app, 'GET', `/inbox/messages/list?${query}`)
  t.equal(response.statusCode, 200, `list?${query}`)
  return response.json()
}
const ids = (page: { responseObject: Array<{ id: string }> }) => page.responseObject.map((item) => item.id)

t.test('the paged shape; newest first; list items carry no body', async (t) => {
  const { app } = await setUp(t)
  const older = await post(t, app, { subject: 'older' })
  const newer = await post(t, app, { subject: 'newer', type: 'html' })
  await backdate(app, older.id, 10)
  await backdate(app, newer.id, 5)
  const created = async (id: string) => (await app.db.inboxMessage.findUniqueOrThrow({ where: { id } })).createdAt.toISOString()
  const page = await list(t, app, 'userId=user-1&applications=1')
  t.same(page, {
    status: 'OK',
    page: 0,
    size: 100,
    responseObject: [
      { id: newer.id, type: 'html', subject: 'newer', summary: newer.summary, read: false, timestampCreated: await created(newer.id) },
      { id: older.id, type: 'text', subject: 'older', summary: older.summary, read: false, timestampCreated: await created(older.id) }
    ]
  })
})

// guarantee: inbox-list-paging
t.test('only the user\'s messages of at least one listed application', async (t) => {
  const { app } = await setUp(t)
  const inOne = await post(t, app, { applications: [1] })
  const inTwo = await post(t, app, { applications: [2] })
  const inBoth = await post(t, app, { applications: [2, 3] })
  await post(t, app, { userId: 'user-2', applications: [1, 2, 3] })
  await backdate(app, inOne.id, 3)
  await backdate(app, inTwo.id, 2)
  await backdate(app, inBoth.id, 1)
  t.same(ids(await list(t, app, 'userId=user-1&applications=1')), [inOne.id])
  t.same(ids(await list(t, app, 'userId=user-1&applications=3')), [inBoth.id])
  t.same(ids(await list(t, app, 'userId=user-1&applications=2')), [inBoth.id, inTwo.id])
  t.same(ids(await list(t, app, 'userId=user-1&applications=1,3')), [inBoth.id, inOne.id])
  t.same(ids(await list(t, app, 'userId=user-1&applications=1,2,3')), [inBoth.id, inTwo.id, inOne.id], 'a message of two listed apps appears once')
  t.same(ids(await list(t, app, 'userId=user-1&applications=1&applications=2')), [inBoth.id, inTwo.id, inOne.id], 'repeated parameter')
  t.same(ids(await list(t, app, 'userId=user-3&applications=1,2,3')), [], 'a user without messages')
})

t.test('onlyUnread lists the unread ones; false or absent lists all', async (t) => {
  const { app } = await setUp(t)
  const first = await post(t, app)
  const second = await post(t, app)
  await backdate(app, first.id, 2)
  await backdate(app, second.id, 1)
  await call(app, 'POST', '/inbox/messages/read', { requestObject: { inboxId: first.id } })
  const unread = await list(t, app, 'userId=user-1&applications=1&onlyUnread=true')
  t.same(ids(unread), [second.id])
  const all = await list(t, app, 'userId=user-1&applications=1&onlyUnread=false')
  t.same(all.responseObject.map((item: { read: boolean }) => item.read), [false, true])
  t.same(ids(await list(t, app, 'userId=user-1&applications=1')), [second.id, first.id])
})

// guarantee: spring-query-params
t.test('onlyUnread as Spring reads a boolean: on/yes/1/TRUE, off/no/0, empty for the default', async (t) => {
  const { app } = await setUp(t)
  const first = await post(t, app)
  const second = await post(t, app)
  await backdate(app, first.id, 2)
  await backdate(app, second.id, 1)
  await call(app, 'POST', '/inbox/messages/read', { requestObject: { inboxId: first.id } })
  for (const word of ['TRUE', 'True', 'on', 'YES', '1', '%20true%20']) {
    t.same(ids(await list(t, app, `userId=user-1&applications=1&onlyUnread=${word}`)), [second.id], `onlyUnread=${word}`)
  }
  for (const word of ['FALSE', 'off', 'No', '0', '']) {
    t.same(ids(await list(t, app, `userId=user-1&applications=1&onlyUnread=${word}`)), [second.id, first.id], `onlyUnread=${word}`)
  }
})

t.test('a size above 2000 counts as 2000, as Spring Data clamps it, and the answer says so', async (t) => {
  const { app } = await setUp(t)
  const posted = await post(t, app)
  const large = await list(t, app, 'userId=user-1&applications=1&size=2001&page=0')
  t.same([large.page, large.size, ids(large)], [0, 2000, [posted.id]])
  t.equal((await list(t, app, 'userId=user-1&applications=1&size=2000')).size, 2000)
  t.equal((await list(t, app, 'userId=user-1&applications=1&size=999999999')).size, 2000)
})

// guarantee: inbox-list-paging
t.test('paging: sizes, partial last page, beyond the end', async (t) => {
  const { app } = await setUp(t)
  const posted = []
  for (let i = 0; i < 7; i++) posted.push((await post(t, app, { subject: `m${i}` })).id)
  for (const [i, id] of posted.entries()) await backdate(app, id, 100 - i) // m6 is the newest
  const newestFirst = [...posted].reverse()
  const base = 'userId=user-1&applications=1'
  const pageOf = async (page: number, size: number) => await list(t, app, `${base}&page=${page}&size=${size}`)
  t.same([(await pageOf(0, 3)).page, (await pageOf(0, 3)).size], [0, 3])
  t.same(ids(await pageOf(0, 3)), newestFirst.slice(0, 3))
  t.same(ids(await pageOf(1, 3)), newestFirst.slice(3, 6))
  t.same(ids(await pageOf(2, 3)), newestFirst.slice(6), 'the partial last page')
  t.same(ids(await pageOf(3, 3)), [], 'beyond the end')
  t.same(ids(await pageOf(999999999, 1000)), [], 'far beyond the end')
  t.same(ids(await pageOf(4, 1)), [newestFirst[4]])
  t.same(ids(await pageOf(0, 1000)), newestFirst)
  const defaults = await list(t, app, base)
  t.same([defaults.page, defaults.size, ids(defaults)], [0, 100, newestFirst])
})

t.test('messages created in the same instant keep one stable order across pages', async (t) => {
  const { app } = await setUp(t)
  // Eight: the ids are random UUIDs, so without the tie-break the rows' own order would read as
  // the expected one by chance once in 8! (with five, once in 120: a mutation run saw it).
  const posted = []
  for (let i = 0; i < 8; i++) posted.push((await post(t, app)).id)
  const instant = new Date('2025-01-01T00:00:00Z')
  await app.db.inboxMessage.updateMany({ data: { createdAt: instant } })
  const seen = []
  for (let page = 0; page < 8; page++) seen.push(...ids(await list(t, app, `userId=user-1&applications=1&page=${page}&size=1`)))
  t.same([...seen].sort(), [...posted].sort(), 'every message on exactly one page')
  t.same(seen, [...posted].sort().reverse(), 'the larger id first among equal times')
})

t.test('up to 100 applications are listed at once', async (t) => {
  const { app } = await setUp(t)
  await app.db.application.createMany({ data: Array.from({ length: 97 }, (_, i) => ({ appId: String(i + 4), name: `app ${i + 4}` })) })
  const posted = await post(t, app, { applications: [100] })
  const all = Array.from({ length: 100 }, (_, i) => i + 1).join(',')
  t.same(ids(await list(t, app, `userId=user-1&applications=${all}`)), [posted.id])
})

// guarantee: inbox-list-paging, malformed-page-size-400, malformed-page-size-named
t.test('invalid parameters and unknown applications: a 400 naming them', async (t) => {
  const { app } = await setUp(t)
  const cases: Array<[string, RegExp]> = [
    ['applications=1', /^querystring\.userId is required/],
    ['userId=&applications=1', /^querystring\.userId must be a user id of 1 to 255 characters/],
    [`userId=${'u'.repeat(256)}&applications=1`, /^querystring\.userId must be a user id/],
    ['userId=u', /^querystring\.applications is required/],
    ['userId=u&applications=', /^querystring\.applications must be a comma-separated list of 1 to 100 application ids/],
    ['userId=u&applications=1,,2', /^querystring\.applications must be a comma-separated list of application ids; "" is not one$/],
    ['userId=u&applications=1,%20', /^querystring\.applications must be a comma-separated list of application ids; " " is not one$/],
    ['userId=u&applications=1&applications=', /^querystring\.applications must be a comma-separated list/],
    ['userId=u&applications=a%09b', /^querystring\.applications must be a comma-separated list/],
    [`userId=u&applications=${'x'.repeat(256)}`, /^querystring\.applications must be a comma-separated list of application ids/],
    [`userId=u&applications=${Array.from({ length: 101 }, (_, i) => i).join(',')}`, /^querystring\.applications must be a comma-separated list of 1 to 100 application ids$/],
    ['userId=u&applications=1&onlyUnread=maybe', /^querystring\.onlyUnread must be true \(unread messages only\) or false/],
    ['userId=u&applications=1&page=abc', /^querystring\.page must be a page number/],
    ['userId=u&applications=1&page=-1', /^querystring\.page must be a page number/],
    ['userId=u&applications=1&page=1.5', /^querystring\.page must be a page number/],
    ['userId=u&applications=1&page=', /^querystring\.page must be a page number/],
    ['userId=u&applications=1&page=1000000000', /^querystring\.page must be a page number/],
    ['userId=u&applications=1&page=1&page=2', /^querystring\.page must be a page number/],
    ['userId=u&applications=1&size=0', /^querystring\.size must be a page size from 1 to 2000/],
    ['userId=u&applications=1&size=ten', /^querystring\.size must be a page size from 1 to 2000/],
    ['userId=u&applications=1&size=010', /^querystring\.size must be a page size from 1 to 2000/]
  ]
  for (const [query, expected] of cases) {
    t.match(badRequestMessage(t, await call(app, 'GET', `/inbox/messages/list?${query}`)), expected, query)
  }
  t.equal(badRequestMessage(t, await call(app, 'GET', '/inbox/messages/list?userId=u&applications=1,42')),
    'Application with appId 42 does not exist')
  t.equal(badRequestMessage(t, await call(app, 'GET', '/inbox/messages/list?userId=u&applications=999999999999999')),
    'Application with appId 999999999999999 does not exist')
  t.equal(badRequestMessage(t, await call(app, 'GET', '/inbox/messages/list?userId=u&applications=1&applications=x')),
    'Application with appId x does not exist', 'text ids since PowerAuth 1.3')
})
