import t, { type Test } from 'tap'
import { call } from '../../helper.js'
import { addUsers, badRequestMessage, createCampaign, NOT_FOUND, setUp } from './manage-fixtures.js'

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
    ['?size=0', /^querystring\.size must be a page size from 1 to 1000/],
    ['?size=1001', /^querystring\.size must be a page size from 1 to 1000/],
    ['?size=ten', /^querystring\.size must be a page size from 1 to 1000/],
    ['?size=-5', /^querystring\.size must be a page size from 1 to 1000/],
    ['?size=010', /^querystring\.size must be a page size from 1 to 1000/]
  ]
  for (const [query, expected] of cases) {
    t.match(badRequestMessage(t, await call(app, 'GET', `/push/campaign/${id}/user/list${query}`)), expected, query)
  }
  t.equal(badRequestMessage(t, await call(app, 'GET', `/push/campaign/${BigInt(id) + 1n}/user/list`)), NOT_FOUND)
})
