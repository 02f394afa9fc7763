import t from 'tap'
import { completeCampaigns } from '../../../src/domain/campaigns/completion.js'
import { buildApp, call } from '../../helper.js'
import { consoleCall, expectBadRequest } from './fixtures.js'

const USERS = ['u01', 'u02', 'u03', 'u04', 'u05', 'u06', 'u07']

/** Application 2 and a campaign of USERS, live sending not started; chunks of 3 users. */
async function setUp (t: Parameters<typeof buildApp>[0]) {
  const built = await buildApp(t, { CAMPAIGN_CHUNK_USERS: '3' })
  const application = await built.app.db.application.create({ data: { appId: '2', name: 'app2' } })
  const campaign = await built.app.db.campaign.create({ data: { applicationId: application.id, message: { title: 'Hi', body: 'There' } } })
  await built.app.db.campaignUser.createMany({ data: USERS.map((userId) => ({ campaignId: campaign.id, userId })) })
  return { ...built, campaignId: campaign.id }
}

const progressOf = async (app: Parameters<typeof consoleCall>[0], campaignId: bigint) => {
  const response = await consoleCall(app, 'campaign/progress', { campaignId: String(campaignId) })
  if (response.statusCode !== 200) throw new Error(`campaign/progress: ${response.statusCode} ${response.body}`)
  return response.json().responseObject
}

// The dispatchers are played by hand here: claims (campaign_delivery rows) and chunk outcomes
// are written as the result recorder writes them, so each step of a send can be looked at.
// guarantee: console-campaign-progress
t.test('the console\'s progress counts users of done chunks: 100% exactly when the campaign completes, never ahead', async (t) => {
  const { app, campaignId } = await setUp(t)
  t.same(await progressOf(app, campaignId), {
    campaignId: String(campaignId),
    users: 7,
    usersDone: 0,
    chunks: 0,
    chunksDone: 0,
    devicesSent: 0,
    devicesFailed: 0,
    devicesPending: 0,
    failedChunks: [],
    timestampSent: null,
    timestampCompleted: null
  }, 'before the send: the users, nothing done')

  t.equal((await call(app, 'POST', `/push/campaign/send/live/${campaignId}`)).statusCode, 200)
  const started = await progressOf(app, campaignId)
  t.match(started, { users: 7, usersDone: 0, chunks: 3, chunksDone: 0, timestampCompleted: null })
  t.type(started.timestampSent, 'string', 'timestampSent once started')

  // Chunk 0's two devices both sent, its summary not in yet: the detail's progress reads sent ==
  // total (its total counts only claimed devices), while no user is done.
  await app.db.campaignDelivery.createMany({
    data: [1n, 2n].map((deviceId) => ({ campaignId, deviceId, chunk: 0, platform: 'APNS' as const, status: 'SENT' as const }))
  })
  await app.db.campaignDelivery.create({ data: { campaignId, deviceId: 3n, chunk: 1, platform: 'FCM', status: 'PENDING' } })
  const detail = (await call(app, 'GET', `/push/campaign/${campaignId}/detail`)).json().responseObject.progress
  t.match(detail, { sent: 2, pending: 1, total: 3 }, 'the detail counts claimed devices only (unchanged for PowerAuth clients)')
  t.match(await progressOf(app, campaignId), { users: 7, usersDone: 0, devicesSent: 2, devicesPending: 1, devicesFailed: 0 },
    'no user counted done while its chunk is not')

  await app.db.campaignChunk.update({ where: { campaignId_chunk: { campaignId, chunk: 0 } }, data: { summaryAt: new Date(), doneAt: new Date() } })
  t.match(await progressOf(app, campaignId), { usersDone: 3, chunksDone: 1 }, 'chunk 0 done: its 3 users (u01–u03)')

  // Chunk 1 fails as a whole: its users count as done (nothing more will happen to them), and the failure is shown.
  await app.db.campaignDelivery.update({ where: { campaignId_deviceId: { campaignId, deviceId: 3n } }, data: { status: 'EXPIRED' } })
  await app.db.campaignChunk.update({
    where: { campaignId_chunk: { campaignId, chunk: 1 } }, data: { summaryAt: new Date(), doneAt: new Date(), failureReason: 'DeliveryAttemptsExhausted' }
  })
  await completeCampaigns(app.db.pool, [campaignId])
  t.match(await progressOf(app, campaignId), {
    usersDone: 6, chunksDone: 2, devicesFailed: 1, devicesPending: 0, failedChunks: [{ chunk: 1, reason: 'DeliveryAttemptsExhausted' }], timestampCompleted: null
  }, 'one chunk (u07) still to go: 6 of 7, not complete')

  await app.db.campaignChunk.update({ where: { campaignId_chunk: { campaignId, chunk: 2 } }, data: { summaryAt: new Date(), doneAt: new Date() } })
  await completeCampaigns(app.db.pool, [campaignId])
  const done = await progressOf(app, campaignId)
  t.match(done, { users: 7, usersDone: 7, chunks: 3, chunksDone: 3, devicesSent: 2, devicesFailed: 1 }, 'every user done')
  t.type(done.timestampCompleted, 'string', 'exactly when the campaign completed')
})

t.test('a campaign without users reads 0 of 0, complete once sent', async (t) => {
  const { app, campaignId } = await setUp(t)
  await app.db.campaignUser.deleteMany({ where: { campaignId } })
  t.equal((await call(app, 'POST', `/push/campaign/send/live/${campaignId}`)).statusCode, 200)
  const progress = await progressOf(app, campaignId)
  t.match(progress, { users: 0, usersDone: 0, chunks: 0 })
  t.type(progress.timestampCompleted, 'string')
})

t.test('an unknown or malformed campaign id is a 400', async (t) => {
  const { app } = await setUp(t)
  await expectBadRequest(t, app, 'campaign/progress', { campaignId: '999999' }, /Campaign with entered ID does not exist/)
  await expectBadRequest(t, app, 'campaign/progress', { campaignId: 'one' }, /requestObject\.campaignId/)
  await expectBadRequest(t, app, 'campaign/progress', { campaignId: 12 }, /requestObject\.campaignId/)
  await expectBadRequest(t, app, 'campaign/progress', {}, /requestObject\.campaignId is required/)
})

// guarantee: console-campaign-progress
t.test('another campaign\'s users, chunks and devices are not counted', async (t) => {
  const { app, campaignId } = await setUp(t)
  const application = await app.db.application.findFirstOrThrow()
  const other = await app.db.campaign.create({ data: { applicationId: application.id, message: { title: 'Other', body: 'Campaign' } } })
  await app.db.campaignUser.createMany({ data: ['u01', 'u02', 'u03', 'u04', 'x1'].map((userId) => ({ campaignId: other.id, userId })) })
  for (const id of [other.id, campaignId]) t.equal((await call(app, 'POST', `/push/campaign/send/live/${id}`)).statusCode, 200)
  await app.db.campaignChunk.updateMany({ where: { campaignId: other.id }, data: { summaryAt: new Date(), doneAt: new Date() } })
  await app.db.campaignDelivery.createMany({
    data: [
      { campaignId: other.id, deviceId: 1n, chunk: 0, platform: 'APNS' as const, status: 'SENT' as const },
      { campaignId: other.id, deviceId: 2n, chunk: 0, platform: 'FCM' as const, status: 'FAILED' as const },
      { campaignId: other.id, deviceId: 3n, chunk: 1, platform: 'FCM' as const, status: 'PENDING' as const }
    ]
  })
  t.match(await progressOf(app, campaignId), {
    users: 7, usersDone: 0, chunks: 3, chunksDone: 0, devicesSent: 0, devicesFailed: 0, devicesPending: 0, failedChunks: [], timestampCompleted: null
  }, 'this campaign\'s counts only')
  t.match(await progressOf(app, other.id), { users: 5, usersDone: 5, chunks: 2, chunksDone: 2, devicesSent: 1, devicesFailed: 1, devicesPending: 1 })
})
