import type { Readable } from 'node:stream'
import t from 'tap'
import { CAMPAIGN_LIST_PAGE } from '../../../src/domain/campaigns/list.js'
import { createDb } from '@beacon/db'
import { adminDatabaseUrl } from '@beacon/testkit'
import { authorization, call } from '../../helper.js'
import { badRequestMessage, createCampaign, markSent, seedMessage, setUp } from './manage-fixtures.js'

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/

t.test('detail: the seed shape for a new campaign, with empty progress', async (t) => {
  const { app } = await setUp(t)
  const id = await createCampaign(t, app)
  const response = await call(app, 'GET', `/push/campaign/${id}/detail`)
  t.equal(response.statusCode, 200)
  const { status, responseObject } = response.json()
  t.equal(status, 'OK')
  t.match(responseObject, { id, appId: 2, sent: false, timestampSent: null, timestampCompleted: null })
  t.same(responseObject.message, seedMessage)
  t.match(responseObject.timestampCreated, ISO)
  t.same(responseObject.progress, { sent: 0, failed: 0, pending: 0, total: 0 })
})

t.test('detail: sending started, then completed; progress counts deliveries by outcome', async (t) => {
  const { app } = await setUp(t)
  const id = await createCampaign(t, app)
  const other = await createCampaign(t, app)
  await markSent(app, id)
  // Outcomes as dispatchers record them: 5 SENT, 2 FAILED, 1 EXPIRED, 3 PENDING; and another campaign's.
  const statuses = ['SENT', 'SENT', 'SENT', 'SENT', 'SENT', 'FAILED', 'FAILED', 'EXPIRED', 'PENDING', 'PENDING', 'PENDING']
  await app.db.campaignDelivery.createMany({
    data: statuses.map((status, i) => ({ campaignId: BigInt(id), deviceId: BigInt(i + 1), chunk: 0, platform: i % 2 === 0 ? 'APNS' : 'FCM', status: status as 'SENT' }))
  })
  await app.db.campaignDelivery.create({ data: { campaignId: BigInt(other), deviceId: 1n, chunk: 0, platform: 'FCM', status: 'SENT' } })

  const started = (await call(app, 'GET', `/push/campaign/${id}/detail`)).json().responseObject
  t.equal(started.sent, false, 'sending started is not sent yet')
  t.match(started.timestampSent, ISO)
  t.equal(started.timestampCompleted, null)
  t.same(started.progress, { sent: 5, failed: 3, pending: 3, total: 11 })

  await markSent(app, id, true)
  const completed = (await call(app, 'GET', `/push/campaign/${id}/detail`)).json().responseObject
  t.equal(completed.sent, true)
  t.match(completed.timestampCompleted, ISO)
  t.same((await call(app, 'GET', `/push/campaign/${other}/detail`)).json().responseObject.progress, { sent: 1, failed: 0, pending: 0, total: 1 })
})

// How fast this is belongs in the bench; here only that the counts over many rows are exact.
t.test('detail: progress over 200,000 deliveries is exact', async (t) => {
  const { app } = await setUp(t)
  const id = BigInt(await createCampaign(t, app))
  // i % 10: 0-6 SENT, 7 FAILED, 8 EXPIRED, 9 PENDING.
  await app.db.$executeRaw`
    INSERT INTO campaign_delivery (campaign_id, device_id, chunk, platform, status)
    SELECT ${id}, i, i / 1000, 'FCM',
           (CASE WHEN i % 10 < 7 THEN 'SENT' WHEN i % 10 = 7 THEN 'FAILED' WHEN i % 10 = 8 THEN 'EXPIRED' ELSE 'PENDING' END)::"DeliveryStatus"
      FROM generate_series(0, 199999) AS i`
  const response = await call(app, 'GET', `/push/campaign/${id}/detail`)
  t.same(response.json().responseObject.progress, { sent: 140000, failed: 40000, pending: 20000, total: 200000 })
})

t.test('list: not sent by default and with all=false; every campaign with all=true', async (t) => {
  const { app } = await setUp(t)
  const empty = await call(app, 'GET', '/push/campaign/list')
  t.same(empty.json(), { status: 'OK', responseObject: [] })

  const fresh = await createCampaign(t, app, '2')
  const sending = await createCampaign(t, app, 3, { title: 'Balance update', body: 'Your balance is now $300.00' })
  const done = await createCampaign(t, app, 2, { title: 'Done' })
  await markSent(app, sending)
  await markSent(app, done, true)

  const ids = (response: { json: () => any }) => response.json().responseObject.map((c: { id: string }) => c.id)
  t.same(ids(await call(app, 'GET', '/push/campaign/list')), [fresh, sending], 'missing all: campaigns not sent yet')
  t.same(ids(await call(app, 'GET', '/push/campaign/list?all=false')), [fresh, sending])
  const all = (await call(app, 'GET', '/push/campaign/list?all=true')).json().responseObject
  t.same(all.map((c: { id: string }) => c.id), [fresh, sending, done])
  t.match(all[0], { id: fresh, appId: 2, sent: false, message: seedMessage })
  t.match(all[1], { id: sending, appId: 3, sent: false, message: { body: 'Your balance is now $300.00' } })
  t.match(all[2], { id: done, appId: 2, sent: true, message: { title: 'Done' } })
  t.notOk('progress' in all[0], 'list items carry no progress')

  for (const bad of ['maybe', 'truee', '2', 'y']) {
    const response = await call(app, 'GET', `/push/campaign/list?all=${bad}`)
    t.match(badRequestMessage(t, response), /^querystring\.all must be true .* or false .*; also on\/off, yes\/no, 1\/0/, `all=${bad}`)
  }
})

// guarantee: campaign-list-streamed
t.test('list: every campaign, in order, read page by page as the client takes the answer', async (t) => {
  const { app } = await setUp(t)
  const application = await app.db.application.findFirstOrThrow({ where: { appId: '2' } })
  const count = CAMPAIGN_LIST_PAGE * 2 + 50
  const message = { title: 'Balance update', body: 'x'.repeat(1000) }
  await app.db.campaign.createMany({ data: Array.from({ length: count }, (_, i) => ({ applicationId: application.id, message: { ...message, badge: i } })) })
  const stored = (await app.db.campaign.findMany({ select: { id: true }, orderBy: { id: 'asc' } })).map((c) => c.id.toString())

  const response = await app.inject({ method: 'GET', url: '/push/campaign/list?all=true', headers: { authorization }, payloadAsStream: true })
  t.equal(response.statusCode, 200)
  t.match(response.headers['content-type'], /^application\/json/)
  const chunks = (response.stream() as Readable)[Symbol.asyncIterator]()
  let text = ''
  // A first part of the answer taken; a campaign created now is on a page not read yet.
  while (text.length < 20_000) text += String((await chunks.next()).value)
  const late = await createCampaign(t, app, '2', { title: 'Late' })
  for (let next = await chunks.next(); next.done !== true; next = await chunks.next()) text += String(next.value)
  const list = JSON.parse(text)
  t.equal(list.status, 'OK')
  t.same(list.responseObject.map((c: { id: string }) => c.id), [...stored, late], 'every campaign once, in id order, the late one last')
  t.match(list.responseObject[7], { id: stored[7], appId: 2, sent: false, message: { ...message, badge: 7 }, timestampSent: null })
  t.notOk('progress' in list.responseObject[7], 'each as the list\'s schema writes it')
})

// guarantee: campaign-list-streamed
t.test('list: the database gone in the middle of the answer cuts it, logged; never a list that reads as whole', async (t) => {
  const { app, databaseUrl, logs } = await setUp(t, { captureLogs: true })
  const application = await app.db.application.findFirstOrThrow({ where: { appId: '2' } })
  await app.db.campaign.createMany({ data: Array.from({ length: CAMPAIGN_LIST_PAGE * 2 }, () => ({ applicationId: application.id, message: { body: 'x'.repeat(1000) } })) })
  const response = await app.inject({ method: 'GET', url: '/push/campaign/list?all=true', headers: { authorization }, payloadAsStream: true })
  t.equal(response.statusCode, 200, 'the first page read: answered')
  const chunks = (response.stream() as Readable)[Symbol.asyncIterator]()
  let text = ''
  while (text.length < 20_000) text += String((await chunks.next()).value)
  const name = new URL(databaseUrl).pathname.slice(1)
  const admin = createDb({ url: adminDatabaseUrl, poolSize: 1 })
  t.teardown(() => admin.$disconnect())
  await admin.pool.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS false`)
  t.teardown(() => admin.pool.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS true`))
  await admin.pool.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [name])
  const rest = await (async () => {
    for (let next = await chunks.next(); next.done !== true; next = await chunks.next()) text += String(next.value)
    return 'ended'
  })().catch((error: unknown) => error)
  t.not(rest, 'ended', 'the answer fails')
  t.throws(() => JSON.parse(text), 'what came is not a whole JSON list')
  const cut = logs().split('\n').filter((line) => line.includes('campaign list cut'))
  t.equal(cut.length, 1, 'and the api says why, once')
  t.match(JSON.parse(cut[0] ?? '{}'), { level: 50, reqId: String })
})

t.test('list: HEAD answers without reading the campaigns', async (t) => {
  const { app } = await setUp(t)
  const application = await app.db.application.findFirstOrThrow({ where: { appId: '2' } })
  await app.db.campaign.createMany({ data: Array.from({ length: CAMPAIGN_LIST_PAGE * 3 }, () => ({ applicationId: application.id, message: { title: 't' } })) })
  const { findMany } = app.db.campaign
  let reads = 0
  app.db.campaign.findMany = ((...args: Parameters<typeof findMany>) => { reads++; return findMany(...args) }) as typeof findMany
  t.teardown(() => { app.db.campaign.findMany = findMany })
  const head = await app.inject({ method: 'HEAD', url: '/push/campaign/list?all=true', headers: { authorization } })
  t.equal(head.statusCode, 200)
  t.match(head.headers['content-type'], /^application\/json/)
  await new Promise((resolve) => setTimeout(resolve, 200))
  t.equal(reads, 0, 'no page read, now or after the answer')
  const get = await app.inject({ method: 'GET', url: '/push/campaign/list?all=true', headers: { authorization } })
  t.equal(get.json().responseObject.length, CAMPAIGN_LIST_PAGE * 3)
  t.equal(reads, 4, 'the control: GET reads its pages (the last one empty)')
})

// guarantee: spring-query-params
t.test('list: `all` as Spring reads a boolean (true/on/yes/1, false/off/no/0, any case; empty is false)', async (t) => {
  const { app } = await setUp(t)
  const fresh = await createCampaign(t, app, '2')
  const done = await createCampaign(t, app, 2, { title: 'Done' })
  await markSent(app, done, true)
  const ids = async (query: string) => (await call(app, 'GET', `/push/campaign/list?${query}`)).json().responseObject.map((c: { id: string }) => c.id)
  for (const word of ['TRUE', 'True', 'on', 'ON', 'yes', 'Yes', '1', '%20true%20']) t.same(await ids(`all=${word}`), [fresh, done], `all=${word}`)
  for (const word of ['FALSE', 'off', 'NO', '0', '', '%20']) t.same(await ids(`all=${word}`), [fresh], `all=${word}`)
  t.same(await ids('all'), [fresh], 'a bare `all` is empty: the default')
})
