import t, { type Test } from 'tap'
import { call } from '../../helper.js'
import { addUsers, badRequestMessage, createCampaign, setUp } from './manage-fixtures.js'

const list = async (t: Test, app: Parameters<typeof addUsers>[0], id: string, query = '') => {
  const response = await call(app, 'GET', `/push/campaign/${id}/user/list${query}`)
  t.equal(response.statusCode, 200, `list${query}`)
  return response.json()
}

t.test('the seed shape: page and size beside responseObject; users in user id order', async (t) => {
  const { app } = await setUp(t)
  const id = await createCampaign(t, app)
  await addUsers(app, id, ['1234567893', '1234567890', '1234567892'])
  t.same(await list(t, app, id, '?page=0&size=4'), {
    status: 'OK', page: 0, size: 4, responseObject: { campaignId: id, users: ['1234567890', '1234567892', '1234567893'] }
  })
})

t.test('defaults (page 0, size 100), partial last page, pages beyond the end, size 1 and 1000', async (t) => {
  const { app } = await setUp(t)
  const id = await createCampaign(t, app)
  const empty = await list(t, app, id)
  t.same(empty, { status: 'OK', page: 0, size: 100, responseObject: { campaignId: id, users: [] } }, 'an empty campaign')

  const users = Array.from({ length: 1205 }, (_, i) => `u${String(i).padStart(5, '0')}`)
  await addUsers(app, id, [...users].reverse())
  const byDefault = await list(t, app, id)
  t.same([byDefault.page, byDefault.size], [0, 100])
  t.same(byDefault.responseObject.users, users.slice(0, 100))

  const third = await list(t, app, id, '?page=2&size=500')
  t.same(third.responseObject.users, users.slice(1000), 'the last page holds the remaining 205')
  t.same((await list(t, app, id, '?page=3&size=500')).responseObject.users, [], 'beyond the end: empty')
  t.same((await list(t, app, id, '?page=999999999&size=1000')).responseObject.users, [], 'far beyond the end: empty')

  const single = await list(t, app, id, '?page=7&size=1')
  t.same([single.page, single.size, single.responseObject.users], [7, 1, ['u00007']])
  const largest = await list(t, app, id, '?size=1000&page=1')
  t.same(largest.responseObject.users, users.slice(1000, 1205))
  t.same((await list(t, app, id, '?size=1000')).responseObject.users, users.slice(0, 1000))

  // Pages of 100 cover every user once, in order.
  const pages = []
  for (let page = 0; page < 13; page++) pages.push(...(await list(t, app, id, `?page=${page}`)).responseObject.users)
  t.same(pages, users)
})

// guarantee: malformed-page-size-400, malformed-page-size-named
t.test('invalid page or size: a 400 naming the parameter', async (t) => {
  const { app } = await setUp(t)
  const id = await createCampaign(t, app)
  const cases: Array<[string, RegExp]> = [
    ['?page=abc', /^querystring\.page must be a page number/],
    ['?page=-1', /^querystring\.page must be a page number/],
    ['?page=1.5', /^querystring\.page must be a page number/],
    ['?page=', /^querystring\.page must be a page number/],
    ['?page=1000000000', /^querystring\.page must be a page number/],
    ['?page=1&page=2', /^querystring\.page must be a page number/],
    ['?size=0', /^querystring\.size must be a page size from 1 to 2000/],
    ['?size=ten', /^querystring\.size must be a page size from 1 to 2000/],
    ['?size=-5', /^querystring\.size must be a page size from 1 to 2000/],
    ['?size=010', /^querystring\.size must be a page size from 1 to 2000/]
  ]
  for (const [query, expected] of cases) {
    t.match(badRequestMessage(t, await call(app, 'GET', `/push/campaign/${id}/user/list${query}`)), expected, query)
  }
})

// guarantee: spring-page-size
t.test('sizes up to 2000; a larger one counts as 2000 (Spring Data\'s clamp), and the answer says so', async (t) => {
  const { app } = await setUp(t)
  const id = await createCampaign(t, app)
  const users = Array.from({ length: 2005 }, (_, i) => `u${String(i).padStart(5, '0')}`)
  await addUsers(app, id, users)
  const full = await list(t, app, id, '?size=2000')
  t.same([full.size, full.responseObject.users], [2000, users.slice(0, 2000)])
  const clamped = await list(t, app, id, '?size=2001&page=1')
  t.same([clamped.page, clamped.size, clamped.responseObject.users], [1, 2000, users.slice(2000)])
  t.equal((await list(t, app, id, '?size=999999999')).size, 2000)
})

// guarantee: idempotent-unknown-campaign
t.test('an unknown campaign has no users: an empty page, as PowerAuth answers', async (t) => {
  const { app } = await setUp(t)
  const id = await createCampaign(t, app)
  await addUsers(app, id, ['u1'])
  const unknown = (BigInt(id) + 1n).toString()
  t.same(await list(t, app, unknown, '?page=0&size=10'), { status: 'OK', page: 0, size: 10, responseObject: { campaignId: unknown, users: [] } })
  t.same(await list(t, app, `00${unknown}`), { status: 'OK', page: 0, size: 100, responseObject: { campaignId: unknown, users: [] } },
    'the id in its canonical digits')
  t.same((await list(t, app, id)).responseObject.users, ['u1'], 'the control: a known campaign lists its users')
})
