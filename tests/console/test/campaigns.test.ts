import t from 'tap'
import { androidToken, iosToken, startConsole } from './browser.js'

const USERS = 3_000
const userOf = (i: number) => `user-${String(i).padStart(4, '0')}`

// The campaign page as an operator uses it, on the whole pipeline: a campaign made, its users
// uploaded from a file, a test send, the live send watched to the end, then deleted.
t.test('a campaign: created, 3,000 users from a CSV file, test send, live send to 100%, each device once, deleted', async (t) => {
  // Chunks of 500 users, and a few devices slow to answer: the send takes a few readings of the
  // progress, so the bar moves and the chart has a line to draw.
  const { page, pipeline, signIn, open, screenshot, foreignRequests, checkAccessibility } = await startConsole(t, { apiEnv: { CAMPAIGN_CHUNK_USERS: '500' } })
  await pipeline.configureApplication('console-app')

  // Every other user has a device (users without one are legitimate: nothing to send them), iOS and Android in turn.
  const started = Date.now()
  const devices = Array.from({ length: USERS / 2 }, (_, i) => {
    const ios = i % 2 === 0
    return { userId: userOf(i * 2), platform: ios ? 'ios' as const : 'android' as const, token: ios ? iosToken() : androidToken() }
  })
  for (const device of devices.filter((d, i) => d.platform === 'ios' && i % 100 === 0)) pipeline.apns.script(device.token, { kind: 'slow', delayMs: 1500 })
  // One device through the API, the rest written as the API writes them, in one statement: the
  // campaign is what this test is about, and 1,500 registrations through HTTP took ~11 s here.
  await pipeline.registerDevice('console-app', { ...devices[0]!, activationId: `act-${devices[0]!.userId}` })
  const application = await pipeline.db.application.findUniqueOrThrow({ where: { appId: 'console-app' }, select: { id: true } })
  const rest = devices.slice(1)
  await pipeline.db.$executeRaw`
    WITH input AS (SELECT * FROM unnest(${rest.map((d) => d.token)}::text[], ${rest.map((d) => d.platform === 'ios' ? 'APNS' : 'FCM')}::text[], ${rest.map((d) => d.userId)}::text[]) AS i(token, platform, user_id)),
    made AS (
      INSERT INTO device (application_id, push_token, platform)
      SELECT ${application.id}, token, platform::"Platform" FROM input
      RETURNING id, push_token)
    INSERT INTO device_activation (application_id, device_id, activation_id, user_id, activation_status, updated_at)
    SELECT ${application.id}, made.id, 'act-' || input.user_id, input.user_id, 'ACTIVE', now() FROM made JOIN input ON input.token = made.push_token`
  const [viaApi, written] = await Promise.all([devices[0]!, devices[1]!].map(async (device) =>
    await pipeline.db.device.findFirstOrThrow({ where: { pushToken: device.token }, select: { platform: true, environment: true, activations: { select: { activationStatus: true } } } })))
  t.same({ ...written, platform: viaApi!.platform }, viaApi, 'written as the API writes them')
  t.equal(await pipeline.db.device.count(), devices.length)
  t.comment(`${devices.length} devices registered in ${Date.now() - started} ms`)

  await signIn()
  await open('Campaigns')
  const create = page.getByRole('form', { name: 'New campaign' })
  await create.getByLabel('Application').selectOption('console-app')
  await create.getByLabel('Title').fill('Spring offer')
  await create.getByLabel('Body').fill('20% off everything this weekend')
  await create.getByRole('button', { name: 'Create campaign' }).click()
  const heading = page.getByRole('heading', { level: 2, name: /^Campaign \d+/ })
  await heading.waitFor()
  const campaignId = /^Campaign (\d+)/.exec(await heading.innerText())![1]!
  const panel = page.getByRole('region', { name: /^Campaign \d+/ })
  t.match(await page.getByRole('region', { name: 'All campaigns' }).getByRole('row').filter({ hasText: 'Spring offer' }).innerText(), /Draft/, 'listed as a draft')

  // A CSV with a header row and a second column, CRLF line ends, the rows not in id order.
  const rows = Array.from({ length: USERS }, (_, i) => `${userOf((i * 7) % USERS)},"Name, ${i}"`)
  await panel.getByLabel('File of user ids').setInputFiles({ name: 'users.csv', mimeType: 'text/csv', buffer: Buffer.from(`user_id,name\r\n${rows.join('\r\n')}\r\n`) })
  await panel.getByRole('button', { name: 'Upload file' }).click()
  await panel.getByRole('status').filter({ hasText: /^3,000 users added ·/ }).waitFor()
  t.match(await panel.getByRole('status').innerText(), /1 lines skipped \(a header.*line 1$/, 'the header row skipped, by its line number')
  await panel.getByRole('heading', { name: 'Users (3,000 in the campaign)' }).waitFor()
  const stored = await pipeline.db.campaignUser.findMany({ where: { campaignId: BigInt(campaignId) }, orderBy: { userId: 'asc' } })
  t.same(stored.map((u) => u.userId), Array.from({ length: USERS }, (_, i) => userOf(i)), 'every user of the file stored, each once')

  // The test send: one message to one user, and the campaign not started by it.
  const tested = devices[0]!
  await panel.getByLabel('Test user id').fill(tested.userId)
  await panel.getByRole('button', { name: 'Send test' }).click()
  await panel.getByRole('status').filter({ hasText: `Test message sent to ${tested.userId}.` }).waitFor()
  t.equal(pipeline.apns.received(tested.token).length, 1, 'the test user\'s device got the test message')
  t.match(pipeline.apns.received(tested.token)[0]?.payload, { aps: { alert: { title: 'Spring offer', body: '20% off everything this weekend' } } })
  t.equal(pipeline.apns.log.length + pipeline.fcm.log.length, 1, 'and no one else')

  const sendStarted = Date.now()
  await panel.getByRole('button', { name: 'Send to all 3,000 users' }).click()
  const bar = panel.getByRole('progressbar', { name: 'Sending progress' })
  await bar.waitFor()
  const text = panel.getByText(/^[\d,]+ of 3,000 users \(\d+%\)/)
  await panel.getByText('3,000 of 3,000 users (100%) — complete').waitFor({ timeout: 30_000 })
  t.comment(`live send watched to 100% in ${Date.now() - sendStarted} ms`)
  t.equal(await bar.getAttribute('max'), '3000')
  t.equal(await bar.getAttribute('value'), '3000', 'the bar full')
  t.equal(await text.innerText(), '3,000 of 3,000 users (100%) — complete')
  const completed = await pipeline.db.campaign.findUniqueOrThrow({ where: { id: BigInt(campaignId) } })
  t.not(completed.completedAt, null, 'the bar is full only once the campaign completed')

  // Each registered device once from the campaign (the test user's device twice: the test, then the campaign).
  await pipeline.apnsSettled()
  const reached = devices.map((d) => pipeline.apns.received(d.token).length + pipeline.fcm.received(d.token).length)
  t.same(reached.filter((n, i) => n !== (i === 0 ? 2 : 1)), [], 'no device missed or reached twice')
  t.equal(pipeline.apns.log.length + pipeline.fcm.log.length, devices.length + 1, 'and nothing else sent')
  await panel.getByText(`Devices: ${devices.length.toLocaleString('en-US')} sent, 0 failed`).waitFor()

  const chart = panel.getByRole('figure', { name: 'Devices sent and failed over time' })
  t.equal(await chart.locator('canvas').count(), 1, 'the chart drew its canvas')
  t.ok((await chart.locator('canvas').boundingBox())!.width > 300, 'at the panel\'s width')
  await page.getByRole('region', { name: 'All campaigns' }).getByRole('row').filter({ hasText: 'Spring offer' }).getByText('Sent').waitFor()
  await screenshot('campaigns')
  await checkAccessibility(t, 'the Campaigns page with a campaign sent')

  await panel.getByRole('button', { name: 'Delete campaign' }).click()
  const confirm = page.getByRole('group', { name: 'Confirm deletion' })
  await confirm.getByRole('button', { name: 'Cancel' }).click()
  t.not(await pipeline.db.campaign.findUnique({ where: { id: BigInt(campaignId) } }), null, 'cancelled: still there')
  await panel.getByRole('button', { name: 'Delete campaign' }).click()
  await confirm.getByRole('button', { name: `Yes, delete campaign ${campaignId}` }).click()
  await panel.waitFor({ state: 'detached' })
  await page.getByText('No campaign yet.').waitFor()
  t.equal(await pipeline.db.campaign.findUnique({ where: { id: BigInt(campaignId) } }), null, 'deleted')
  t.same(foreignRequests, [], 'the page requested nothing from another origin')
})
