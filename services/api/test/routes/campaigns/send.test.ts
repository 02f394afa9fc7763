import { createNatsTransport, type CommandDelivery } from '@beacon/transport'
import { testNatsUrl } from '@beacon/testkit'
import type { CampaignChunkCommand } from '@beacon/contracts'
import t from 'tap'
import { buildApp, call } from '../../helper.js'

const until = async (condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

async function setUp (t: Parameters<typeof buildApp>[0], users: string[]) {
  const built = await buildApp(t, { CAMPAIGN_CHUNK_USERS: '3', SYNC_TIMEOUT_MS: '200' })
  const application = await built.app.db.application.create({ data: { appId: '2', name: 'app2' } })
  const campaign = await built.app.db.campaign.create({ data: { applicationId: application.id, message: { title: 'Balance update', body: 'Hi' } } })
  await built.app.db.campaignUser.createMany({ data: users.map((userId) => ({ campaignId: campaign.id, userId })) })
  // A stand-in for the dispatchers, on the api's own streams: it only collects chunk commands.
  const chunks: CampaignChunkCommand[] = []
  const consumer = await createNatsTransport({ servers: testNatsUrl, prefix: built.config.nats.prefix, name: 'test-dispatcher' })
  consumer.consumeCommands(async (delivery: CommandDelivery) => {
    if (delivery.command.kind === 'campaign-chunk') chunks.push(delivery.command)
    await delivery.ack()
  }, { concurrency: 4 })
  t.teardown(() => consumer.close())
  return { ...built, campaign, chunks }
}

t.test('send/live answers at once and publishes the users as chunks covering each user once', async (t) => {
  const users = ['u01', 'u02', 'u03', 'u04', 'u05', 'u06', 'u07']
  const { app, campaign, chunks } = await setUp(t, users)
  const response = await call(app, 'POST', `/push/campaign/send/live/${campaign.id}`)
  t.equal(response.statusCode, 200)
  t.same(response.json(), { status: 'OK' })
  await until(() => chunks.length === 3, 'three chunks')
  chunks.sort((a, b) => a.chunk - b.chunk)
  t.same(chunks.map((c) => [c.chunk, c.afterUserId, c.lastUserId]), [[0, null, 'u03'], [1, 'u03', 'u06'], [2, 'u06', 'u07']])
  t.same(chunks[0]?.body, { title: 'Balance update', body: 'Hi' })
  // Every chunk was planned with the start: sent_at and published_at are written together.
  const stored = await app.db.campaign.findUniqueOrThrow({ where: { id: campaign.id } })
  t.ok(stored.sentAt !== null && stored.publishedAt !== null, 'timestampSent and publishing recorded')
  await until(async () => await app.db.outbox.count() === 0, 'the sweeper published every chunk and deleted its row')
  t.equal(stored.completedAt, null, 'not complete before the chunks are done')
})

// guarantee: campaign-resend-ok
t.test('send/live again: OK, and nothing is planned or sent a second time', async (t) => {
  const { app, campaign, chunks } = await setUp(t, ['u01', 'u02', 'u03', 'u04'])
  t.equal((await call(app, 'POST', `/push/campaign/send/live/${campaign.id}`)).statusCode, 200)
  await until(() => chunks.length === 2, 'two chunks')
  const started = await app.db.campaign.findUniqueOrThrow({ where: { id: campaign.id } })
  const plan = await app.db.campaignChunk.findMany({ where: { campaignId: campaign.id }, orderBy: { chunk: 'asc' } })
  for (const body of [undefined, {}]) {
    const again = await call(app, 'POST', `/push/campaign/send/live/${campaign.id}`, body)
    t.equal(again.statusCode, 200)
    t.same(again.json(), { status: 'OK' })
  }
  // The plan is written in the statement that starts a campaign: a second start would show here.
  t.same(await app.db.campaignChunk.findMany({ where: { campaignId: campaign.id }, orderBy: { chunk: 'asc' } }), plan, 'the same chunks')
  t.equal(await app.db.outbox.count(), 0, 'nothing new in the outbox')
  t.same((await app.db.campaign.findUniqueOrThrow({ where: { id: campaign.id } })).sentAt, started.sentAt, 'timestampSent unchanged')
})

t.test('a campaign without users completes at once', async (t) => {
  const { app, campaign } = await setUp(t, [])
  t.equal((await call(app, 'POST', `/push/campaign/send/live/${campaign.id}`)).statusCode, 200)
  await until(async () => (await app.db.campaign.findUniqueOrThrow({ where: { id: campaign.id } })).completedAt !== null, 'completion')
  t.equal(await app.db.campaignChunk.count(), 0)
})

t.test('send/test sends the campaign message to one user, as a message', async (t) => {
  const { app, campaign } = await setUp(t, [])
  const response = await call(app, 'POST', `/push/campaign/send/test/${campaign.id}`, { requestObject: { userId: '1234567890' } })
  t.equal(response.statusCode, 200)
  const message = await app.db.message.findFirstOrThrow()
  t.equal(message.userId, '1234567890')
  t.same(message.body, { title: 'Balance update', body: 'Hi' })
  t.equal((await app.db.campaign.findUniqueOrThrow({ where: { id: campaign.id } })).sentAt, null, 'a test send does not start the campaign')
})

t.test('errors: unknown campaign, malformed id, missing userId', async (t) => {
  const { app, campaign } = await setUp(t, [])
  for (const url of ['/push/campaign/send/live/999999', '/push/campaign/send/test/999999']) {
    const response = await call(app, 'POST', url, { requestObject: { userId: 'x' } })
    t.equal(response.statusCode, 400)
    t.equal(response.json().responseObject.message, 'Campaign with entered ID does not exist')
  }
  const malformed = await call(app, 'POST', '/push/campaign/send/live/abc')
  t.equal(malformed.statusCode, 400)
  t.match(malformed.json().responseObject.message, /params\.id must be a campaign id/)
  const noUser = await call(app, 'POST', `/push/campaign/send/test/${campaign.id}`, { requestObject: {} })
  t.equal(noUser.statusCode, 400)
  t.match(noUser.json().responseObject.message, /requestObject\.userId is required/)
})

// Campaigns created before their message was bounded (2026-12-06) may hold one of any size.
// guarantee: message-body-bound
t.test('a campaign whose stored message is over 16 KiB is refused at send, test or live, and not started', async (t) => {
  const { app, campaign, chunks } = await setUp(t, ['alice'])
  await app.db.campaign.update({ where: { id: campaign.id }, data: { message: { title: 'Old', extras: { blob: 'x'.repeat(16 * 1024) } } } })
  for (const url of [`/push/campaign/send/test/${campaign.id}`, `/push/campaign/send/live/${campaign.id}`]) {
    const response = await call(app, 'POST', url, { requestObject: { userId: 'alice' } })
    t.equal(response.statusCode, 400, url)
    t.match(response.json().responseObject, { code: 'ERROR_GENERIC', message: /^the campaign's message takes \d+ bytes as JSON, more than 16384/ })
  }
  t.equal((await app.db.campaign.findUniqueOrThrow({ where: { id: campaign.id } })).sentAt, null, 'not started')
  t.equal(await app.db.message.count(), 0, 'no test message stored')
  t.equal(await app.db.outbox.count(), 0, 'nothing queued')
  t.same(chunks, [])
})

t.test('a campaign started before the bound, with a larger message, asked to send live again: OK, as any started one', async (t) => {
  const { app, campaign } = await setUp(t, ['alice'])
  await app.db.campaign.update({ where: { id: campaign.id }, data: { sentAt: new Date(), message: { title: 'Old', extras: { blob: 'x'.repeat(16 * 1024) } } } })
  const response = await call(app, 'POST', `/push/campaign/send/live/${campaign.id}`)
  t.equal(response.statusCode, 200)
  t.equal(await app.db.outbox.count(), 0, 'nothing planned again')
})
