import t from 'tap'
import { call } from '../../helper.js'
import { badRequestMessage, NOT_FOUND, post, setUp, UNKNOWN_ID } from './fixtures.js'

const countUnread = async (app: Parameters<typeof call>[0], userId: string, appId: string) => {
  const response = await call(app, 'GET', `/inbox/messages/count?userId=${userId}&appId=${appId}`)
  return { statusCode: response.statusCode, body: response.json() }
}

t.test('count: the user\'s unread messages in one application', async (t) => {
  const { app } = await setUp(t)
  t.same(await countUnread(app, 'user-1', '1'), { statusCode: 200, body: { status: 'OK', responseObject: { countUnread: 0 } } })
  const first = await post(t, app, { applications: [1, 2] })
  await post(t, app, { applications: [1] })
  await post(t, app, { applications: [3] })
  await post(t, app, { userId: 'user-2', applications: [1] })
  t.equal((await countUnread(app, 'user-1', '1')).body.responseObject.countUnread, 2)
  t.equal((await countUnread(app, 'user-1', '2')).body.responseObject.countUnread, 1)
  t.equal((await countUnread(app, 'user-1', '3')).body.responseObject.countUnread, 1)
  t.equal((await countUnread(app, 'user-2', '1')).body.responseObject.countUnread, 1)
  await call(app, 'POST', '/inbox/messages/read', { requestObject: { inboxId: first.id } })
  t.equal((await countUnread(app, 'user-1', '1')).body.responseObject.countUnread, 1, 'a read message no longer counts')
  t.equal((await countUnread(app, 'user-1', '2')).body.responseObject.countUnread, 0, 'in any of its applications')
})

t.test('count: bad or unknown parameters are a 400', async (t) => {
  const { app } = await setUp(t)
  const cases: Array<[string, RegExp]> = [
    ['appId=1', /^querystring\.userId is required/],
    ['userId=&appId=1', /^querystring\.userId must be a user id of 1 to 255 characters/],
    ['userId=u', /^querystring\.appId is required/],
    ['userId=u&appId=%20', /^querystring\.appId must be an application id/],
    ['userId=u&appId=a%00b', /^querystring\.appId must be an application id/],
    ['userId=u&appId=', /^querystring\.appId must be an application id/],
    ['userId=u&appId=1&appId=2', /^querystring\.appId must be an application id/]
  ]
  for (const [query, expected] of cases) {
    t.match(badRequestMessage(t, await call(app, 'GET', `/inbox/messages/count?${query}`)), expected, query)
  }
  t.equal(badRequestMessage(t, await call(app, 'GET', '/inbox/messages/count?userId=u&appId=7')), 'Application with appId 7 does not exist')
  t.equal(badRequestMessage(t, await call(app, 'GET', '/inbox/messages/count?userId=u&appId=abc')), 'Application with appId abc does not exist')
})

t.test('detail: the message in full; any-case ids', async (t) => {
  const { app } = await setUp(t)
  const posted = await post(t, app, { applications: [2, 1], type: 'html' })
  const response = await call(app, 'GET', `/inbox/messages/detail?id=${posted.id}`)
  t.equal(response.statusCode, 200)
  t.same(response.json(), { status: 'OK', responseObject: posted })
  const upper = await call(app, 'GET', `/inbox/messages/detail?id=${posted.id.toUpperCase()}`)
  t.equal(upper.json().responseObject.id, posted.id)
})

// guarantee: inbox-id-checked
t.test('detail: a malformed id is a 400 naming it, an unknown one the not-found 400', async (t) => {
  const { app } = await setUp(t)
  for (const query of ['', 'id=', 'id=123', `id=${UNKNOWN_ID}x`, `id=${UNKNOWN_ID.replaceAll('-', '')}`, `id=urn:uuid:${UNKNOWN_ID}`, `id=${UNKNOWN_ID}&id=${UNKNOWN_ID}`]) {
    t.match(badRequestMessage(t, await call(app, 'GET', `/inbox/messages/detail?${query}`)), /^querystring\.id (is required|must be an inbox message id \(UUID\))$/, query)
  }
  t.equal(badRequestMessage(t, await call(app, 'GET', `/inbox/messages/detail?id=${UNKNOWN_ID}`)), NOT_FOUND)
})
