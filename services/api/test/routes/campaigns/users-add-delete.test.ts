import { MAX_CAMPAIGN_USERS_PER_CALL } from '@beacon/contracts'
import t from 'tap'
import { call } from '../../helper.js'
import { addUsers, badRequestMessage, createCampaign, markSent, NOT_FOUND, setUp, storedUsers } from './manage-fixtures.js'

const seedUsers = ['1234567890', '1234567891', '1234567893']
const removeUsers = (app: Parameters<typeof addUsers>[0], id: string, users: unknown, method: 'DELETE' | 'POST' = 'DELETE') =>
  call(app, method, `/push/campaign/${id}/user/delete`, { requestObject: users })

t.test('add: the seed example answers OK and stores the users', async (t) => {
  const { app } = await setUp(t)
  const id = await createCampaign(t, app)
  const response = await call(app, 'PUT', `/push/campaign/${id}/user/add`, { requestObject: seedUsers })
  t.equal(response.statusCode, 200)
  t.same(response.json(), { status: 'OK' })
  t.same(await storedUsers(app, id), seedUsers)
})

t.test('add: duplicates are ignored, in one call and across calls; an empty list changes nothing', async (t) => {
  const { app } = await setUp(t)
  const id = await createCampaign(t, app)
  const other = await createCampaign(t, app)
  t.equal((await addUsers(app, id, ['b', 'a', 'b', 'a', 'c'])).statusCode, 200)
  t.same(await storedUsers(app, id), ['a', 'b', 'c'])
  t.equal((await addUsers(app, id, ['c', 'd', 'a'])).statusCode, 200)
  t.same(await storedUsers(app, id), ['a', 'b', 'c', 'd'])
  t.equal((await addUsers(app, id, [])).statusCode, 200)
  t.same(await storedUsers(app, id), ['a', 'b', 'c', 'd'])
  t.equal((await addUsers(app, other, ['a'])).statusCode, 200, 'the same user in another campaign')
  t.same(await storedUsers(app, other), ['a'])
})

t.test('add: 10,000 users in one call', async (t) => {
  const { app } = await setUp(t)
  const id = await createCampaign(t, app)
  const users = Array.from({ length: 10_000 }, (_, i) => `user-${String(i).padStart(6, '0')}`)
  const response = await addUsers(app, id, users)
  t.equal(response.statusCode, 200)
  t.equal(await app.db.campaignUser.count({ where: { campaignId: BigInt(id) } }), 10_000)
  // The same list again plus one new user: only that one is added.
  t.equal((await addUsers(app, id, [...users, 'user-new'])).statusCode, 200)
  t.equal(await app.db.campaignUser.count({ where: { campaignId: BigInt(id) } }), 10_001)
})

t.test('add: bad lists get a 400 naming the entry; nothing is stored', async (t) => {
  const { app } = await setUp(t)
  const id = await createCampaign(t, app)
  const cases: Array<[unknown, RegExp]> = [
    [['ok', ''], /^requestObject\.1 must be a user id of 1 to 255 characters$/],
    [['x'.repeat(256)], /^requestObject\.0 must be a user id of 1 to 255 characters$/],
    [['ok', 42], /^requestObject\.1 must be a user id/],
    [['a\u0000b'], /NUL character/],
    ['1234567890', /^requestObject must be a list of at most 100000 user ids$/],
    [{ users: ['a'] }, /^requestObject must be a list/]
  ]
  for (const [users, expected] of cases) t.match(badRequestMessage(t, await addUsers(app, id, users)), expected, JSON.stringify(users))
  t.match(badRequestMessage(t, await call(app, 'PUT', `/push/campaign/${id}/user/add`, {})), /^requestObject is required$/)
  const tooMany = Array.from({ length: MAX_CAMPAIGN_USERS_PER_CALL + 1 }, (_, i) => String(i))
  t.match(badRequestMessage(t, await addUsers(app, id, tooMany)), /^requestObject must be a list of at most 100000 user ids$/)
  t.equal((await addUsers(app, id, ['x'.repeat(255)])).statusCode, 200, '255 characters are fine')
  t.same(await storedUsers(app, id), ['x'.repeat(255)])
})

t.test('delete: the seed example removes those users; unknown ones are ignored; DELETE and POST', async (t) => {
  const { app } = await setUp(t)
  const id = await createCampaign(t, app)
  const other = await createCampaign(t, app)
  await addUsers(app, id, [...seedUsers, '1234567892', '1234567894'])
  await addUsers(app, other, seedUsers)
  const response = await removeUsers(app, id, seedUsers)
  t.equal(response.statusCode, 200)
  t.same(response.json(), { status: 'OK' })
  t.same(await storedUsers(app, id), ['1234567892', '1234567894'])
  t.same(await storedUsers(app, other), seedUsers, 'another campaign keeps its users')

  t.equal((await removeUsers(app, id, ['1234567894', 'never-added'], 'POST')).statusCode, 200)
  t.same(await storedUsers(app, id), ['1234567892'])
  t.match(badRequestMessage(t, await removeUsers(app, id, ['ok', ''])), /^requestObject\.1 must be a user id/)
  t.same(await storedUsers(app, id), ['1234567892'], 'a bad list removes nothing')
})

t.test('once sending started, users can be neither added nor removed', async (t) => {
  const { app } = await setUp(t)
  const id = await createCampaign(t, app)
  await addUsers(app, id, ['a', 'b'])
  await markSent(app, id)
  t.equal(badRequestMessage(t, await addUsers(app, id, ['c'])), `Campaign with ID ${id} was already sent: its users can no longer change`)
  t.match(badRequestMessage(t, await addUsers(app, id, [])), /already sent/)
  t.match(badRequestMessage(t, await removeUsers(app, id, ['a'])), /already sent/)
  t.match(badRequestMessage(t, await removeUsers(app, id, ['a'], 'POST')), /already sent/)
  t.same(await storedUsers(app, id), ['a', 'b'])
})

// guarantee: idempotent-unknown-campaign
t.test('an unknown campaign: removing its users is OK (nothing to remove), adding to it is refused', async (t) => {
  const { app } = await setUp(t)
  const id = await createCampaign(t, app)
  await addUsers(app, id, ['a'])
  const unknown = String(BigInt(id) + 1n)
  for (const method of ['DELETE', 'POST'] as const) {
    const response = await removeUsers(app, unknown, ['a'], method)
    t.equal(response.statusCode, 200, method)
    t.same(response.json(), { status: 'OK' })
  }
  t.equal(badRequestMessage(t, await addUsers(app, unknown, ['c'])), NOT_FOUND)
  t.equal(await app.db.campaignUser.count(), 1, 'nothing else changed')
})

t.test('add: POST as well as PUT, as PowerAuth\'s controller takes both', async (t) => {
  const { app } = await setUp(t)
  const id = await createCampaign(t, app)
  const response = await call(app, 'POST', `/push/campaign/${id}/user/add`, { requestObject: ['p1', 'p2'] })
  t.equal(response.statusCode, 200)
  t.same(response.json(), { status: 'OK' })
  t.same(await storedUsers(app, id), ['p1', 'p2'])
})

t.test('an add waiting on a send that starts at that moment is refused, not half-published', async (t) => {
  const { app } = await setUp(t)
  const id = await createCampaign(t, app)
  let add: ReturnType<typeof addUsers> | undefined
  let settled = false
  // send/live's update of sent_at, held open while the add arrives: the add must wait for it.
  await app.db.$transaction(async (tx) => {
    await tx.campaign.update({ where: { id: BigInt(id) }, data: { sentAt: new Date() } })
    add = addUsers(app, id, ['late']).finally(() => { settled = true })
    await new Promise((resolve) => setTimeout(resolve, 300))
    t.equal(settled, false, 'the add waits for the sending to commit')
  })
  t.match(badRequestMessage(t, await add!), /already sent/)
  t.same(await storedUsers(app, id), [])
})
