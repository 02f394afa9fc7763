import t from 'tap'
import { call } from '../../helper.js'
import { addUsers, badRequestMessage, createCampaign, NOT_FOUND, seedMessage, setUp, storedUsers } from './manage-fixtures.js'

t.test('create: the seed example (appId "2") answers a new id and stores the message', async (t) => {
  const { app } = await setUp(t)
  const response = await call(app, 'POST', '/push/campaign/create', { requestObject: { appId: '2', message: seedMessage } })
  t.equal(response.statusCode, 200)
  const body = response.json()
  t.equal(body.status, 'OK')
  t.match(body.responseObject.id, /^[0-9]+$/, 'the id is a string of digits')
  const stored = await app.db.campaign.findUniqueOrThrow({ where: { id: BigInt(body.responseObject.id) }, include: { application: true } })
  t.equal(stored.application.appId, '2')
  t.same(stored.message, seedMessage)
  t.equal(stored.sentAt, null)

  const second = await createCampaign(t, app, 3, { title: 'Other' })
  t.not(second, body.responseObject.id, 'each campaign gets its own id')
})

t.test('create: fields outside the message body are ignored, not stored', async (t) => {
  const { app } = await setUp(t)
  const id = await createCampaign(t, app, 2, { title: 'Hi', unknownField: 'x', extras: { nested: { deep: [1, 'two', null] } } })
  const stored = await app.db.campaign.findUniqueOrThrow({ where: { id: BigInt(id) } })
  t.same(stored.message, { title: 'Hi', extras: { nested: { deep: [1, 'two', null] } } })
})

t.test('create: bad input gets a 400 naming the field', async (t) => {
  const { app } = await setUp(t)
  const cases: Array<[unknown, RegExp]> = [
    [{ appId: '99', message: seedMessage }, /^Application with appId 99 does not exist$/],
    [{ appId: 'two', message: seedMessage }, /^Application with appId two does not exist$/],
    [{ appId: '', message: seedMessage }, /^requestObject\.appId must be an application id/],
    [{ appId: -1, message: seedMessage }, /^requestObject\.appId must be/],
    [{ appId: true, message: seedMessage }, /^requestObject\.appId must be/],
    [{ message: seedMessage }, /^requestObject\.appId is required$/],
    [{ appId: 2 }, /^requestObject\.message is required$/],
    [{ appId: 2, message: 'text' }, /^requestObject\.message /],
    [{ appId: 2, message: { badge: -1 } }, /^requestObject\.message\.badge /],
    [{ appId: 2, message: { validUntil: 'tomorrow' } }, /^requestObject\.message\.validUntil must be an ISO 8601 date-time, or a number: epoch seconds/],
    [{ appId: 2, message: { validUntil: -1 } }, /^requestObject\.message\.validUntil must be an ISO 8601 date-time, or a number/],
    [{ appId: 2, message: { validUntil: 1512940949923.5 } }, /^requestObject\.message\.validUntil must be an ISO 8601 date-time, or a number/],
    [{ appId: 2, message: { validUntil: 9e15 } }, /^requestObject\.message\.validUntil must be an ISO 8601 date-time, or a number/],
    [{ appId: 2, message: { validUntil: true } }, /^requestObject\.message\.validUntil must be an ISO 8601 date-time, or a number/],
    [{ appId: 2, message: { extras: ['a'] } }, /^requestObject\.message\.extras must be custom data, an object$/],
    [{ appId: 2, message: { title: 'a\u0000b' } }, /NUL character/],
    [{ appId: 2, message: { extras: { 'k\u0000': 1 } } }, /NUL character/],
    [{ appId: 2, message: { ...seedMessage, extras: { blob: 'x'.repeat(16 * 1024) } } }, /^requestObject\.message takes \d+ bytes as JSON, more than 16384/],
    [{ appId: 2, message: { validUntil: '2030-01-01 00:00:00Z' } }, /^requestObject\.message\.validUntil must be an ISO 8601 date-time/]
  ]
  for (const [requestObject, expected] of cases) {
    const response = await call(app, 'POST', '/push/campaign/create', { requestObject })
    t.match(badRequestMessage(t, response), expected, JSON.stringify(requestObject))
  }
  t.match(badRequestMessage(t, await call(app, 'POST', '/push/campaign/create', {})), /^requestObject is required$/)
  t.equal(await app.db.campaign.count(), 0, 'nothing stored')
})

// guarantee: jackson-dates
t.test('create: validUntil as Jackson writes an Instant or a Date, or as an ISO 8601 string', async (t) => {
  const { app } = await setUp(t)
  const cases: Array<[unknown, string]> = [
    [1512940949.923, '2017-12-10T21:22:29.923Z'], // java.time.Instant: epoch seconds and a fraction
    [1512940949, '2017-12-10T21:22:29.000Z'],
    [1512940949923, '2017-12-10T21:22:29.923Z'], // java.util.Date: epoch milliseconds
    ['2017-12-10T21:22:29.923456789Z', '2017-12-10T21:22:29.923456789Z'], // Instant.toString(), kept as given
    ['2016-10-12T11:20:04Z', '2016-10-12T11:20:04Z']
  ]
  for (const [validUntil, stored] of cases) {
    const id = await createCampaign(t, app, 2, { title: 'Dated', validUntil, badge: null })
    const detail = await call(app, 'GET', `/push/campaign/${id}/detail`)
    t.same(detail.json().responseObject.message, { title: 'Dated', validUntil: stored }, String(validUntil))
  }
})

t.test('delete: deleted true, then false; users and device deliveries go with the campaign; DELETE and POST', async (t) => {
  const { app } = await setUp(t)
  const first = await createCampaign(t, app)
  const second = await createCampaign(t, app)
  t.equal((await addUsers(app, first, ['a', 'b', 'c'])).statusCode, 200)
  t.equal((await addUsers(app, second, ['a', 'z'])).statusCode, 200)
  // Deliveries have no foreign key to their campaign (a trigger removes them with it: migration
  // 20261205000000_campaign_delivery_statement_check).
  await app.db.campaignDelivery.createMany({
    data: [[first, 1n], [first, 2n], [second, 1n]].map(([id, deviceId]) => ({ campaignId: BigInt(id!), deviceId: deviceId as bigint, chunk: 0, platform: 'FCM' as const, status: 'SENT' as const }))
  })

  // The seed's body is `{}`; a JSON content type with no body at all is accepted too.
  const deleted = await call(app, 'DELETE', `/push/campaign/${first}/delete`, {})
  t.equal(deleted.statusCode, 200)
  t.same(deleted.json(), { status: 'OK', responseObject: { deleted: true } })
  t.equal(await app.db.campaign.count({ where: { id: BigInt(first) } }), 0)
  t.same(await storedUsers(app, first), [], 'its users are removed')
  t.same(await storedUsers(app, second), ['a', 'z'], 'other campaigns keep theirs')
  t.same((await app.db.campaignDelivery.findMany()).map((row) => String(row.campaignId)), [String(second)], 'its deliveries are removed; the other campaign\'s stay')

  const again = await call(app, 'DELETE', `/push/campaign/${first}/delete`)
  t.same(again.json(), { status: 'OK', responseObject: { deleted: false } }, 'a missing campaign: deleted false')

  const byPost = await call(app, 'POST', `/push/campaign/${second}/delete`, {})
  t.same(byPost.json(), { status: 'OK', responseObject: { deleted: true } })
  t.equal(await app.db.campaignUser.count(), 0)
  t.equal(await app.db.campaignDelivery.count(), 0)
})

t.test('malformed and out-of-range ids get a 400 naming the id, on every campaign endpoint', async (t) => {
  const { app } = await setUp(t)
  const id = await createCampaign(t, app)
  const endpoints: Array<['GET' | 'POST' | 'PUT' | 'DELETE', string, unknown]> = [
    ['DELETE', 'delete', undefined],
    ['POST', 'delete', {}],
    ['GET', 'detail', undefined],
    ['PUT', 'user/add', { requestObject: ['u'] }],
    ['GET', 'user/list', undefined],
    ['DELETE', 'user/delete', { requestObject: ['u'] }],
    ['POST', 'user/delete', { requestObject: ['u'] }]
  ]
  for (const [method, path, body] of endpoints) {
    for (const bad of ['abc', '-1', '1.5', '9223372036854775808', '99999999999999999999999']) {
      const response = await call(app, method, `/push/campaign/${bad}/${path}`, body)
      t.match(badRequestMessage(t, response), /^params\.id must be a campaign id/, `${method} ${path} with id ${bad}`)
    }
    // (Deleting an unknown campaign or its users and listing its users are OK, as in PowerAuth.)
    if (['detail', 'user/add'].includes(path)) {
      const unknown = await call(app, method, `/push/campaign/${BigInt(id) + 1000n}/${path}`, body)
      t.equal(badRequestMessage(t, unknown), NOT_FOUND, `${method} ${path} of an unknown campaign`)
    }
  }
  t.equal(await app.db.campaign.count(), 1, 'the campaign is still there')
})
