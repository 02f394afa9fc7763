import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { BUNDLE, androidToken, iosToken, startConsole } from './browser.js'

const APP_ID = 'console-demo'
const APP_NAME = 'Console demo'
const PROJECT_ID = 'console-demo-project'
const USER = 'alice'

/** The console's mask of a push token (services/api domain/console/devices.ts): first 6, last 4. */
const masked = (token: string) => `${token.slice(0, 6)}…${token.slice(-4)}`

// An admin's whole first day, in one browser against the real pipeline: an application set up with
// key files, its devices found, a message sent and followed to each device, a device removed.
t.test('an application is set up, sent to and followed through the console, with the providers receiving the message', async (t) => {
  const { page, pipeline, foreignRequests, signIn, open, screenshot } = await startConsole(t)
  // Removing credentials asks for confirmation first.
  page.on('dialog', (dialog) => { dialog.accept().catch(() => {}) })
  const files = await mkdtemp(join(tmpdir(), 'beacon-console-'))
  t.teardown(() => rm(files, { recursive: true, force: true }))
  const key = pipeline.apns.createKey({ bundles: [BUNDLE] })
  const keyFile = join(files, `AuthKey_${key.keyId}.p8`)
  await writeFile(keyFile, key.privateKeyPem)
  const badKeyFile = join(files, 'AuthKey_BAD.p8')
  await writeFile(badKeyFile, 'this is no private key\n')
  const accountFile = join(files, 'service-account.json')
  await writeFile(accountFile, JSON.stringify(pipeline.fcm.createServiceAccount({ projectId: PROJECT_ID })))

  await signIn()
  await page.getByRole('heading', { level: 1, name: 'Applications' }).waitFor()

  // Create the application.
  await page.getByLabel('Application id').fill(APP_ID)
  await page.getByLabel('Name').fill(APP_NAME)
  await page.getByLabel('Carrier domain').fill('console.example')
  await page.getByRole('button', { name: 'Create application' }).click()
  const settings = page.getByRole('region', { name: `Settings of ${APP_NAME}` })
  await settings.waitFor()
  const listed = page.getByRole('row').filter({ hasText: APP_ID })
  t.equal(await listed.getByText('Not configured').count(), 2, 'the new application is listed without APNs or FCM')
  t.match(await listed.textContent(), /console\.example/, 'with its carrier domain')

  // A file that is no key: the api refuses it, and the page shows the api's own message.
  const apns = settings.getByRole('group', { name: 'APNs credentials' })
  await apns.getByLabel('Key id').fill(key.keyId)
  await apns.getByLabel('Team id').fill(key.teamId)
  await apns.getByLabel('Bundle id').fill(BUNDLE)
  await apns.getByLabel('APNs environment').selectOption('production')
  await apns.getByLabel('APNs key file (.p8)').setInputFiles(badKeyFile)
  await apns.getByRole('button', { name: 'Upload APNs key' }).click()
  const refusal = await pipeline.call('PUT', '/admin/app/apns', {
    requestObject: { appId: APP_ID, keyId: key.keyId, teamId: key.teamId, bundle: BUNDLE, privateKeyBase64: Buffer.from('this is no private key\n').toString('base64') }
  })
  t.equal(refusal.status, 400, 'the api refuses a file that is no key')
  await apns.getByRole('alert').filter({ hasText: refusal.body.responseObject.message }).waitFor()

  await apns.getByLabel('APNs key file (.p8)').setInputFiles(keyFile)
  await apns.getByRole('button', { name: 'Upload APNs key' }).click()
  await apns.getByRole('status').filter({ hasText: 'APNs key saved.' }).waitFor()
  await apns.getByRole('heading', { name: 'APNs: configured' }).waitFor()
  t.equal(await apns.getByRole('definition').filter({ hasText: key.keyId }).count(), 1, 'the key id is shown back')

  const fcm = settings.getByRole('group', { name: 'FCM credentials' })
  await fcm.getByLabel('FCM service-account file (.json)').setInputFiles(accountFile)
  await pipeline.until(async () => await fcm.getByLabel('Firebase project id').inputValue() === PROJECT_ID, 'the project id read from the file')
  await fcm.getByRole('button', { name: 'Upload FCM service account' }).click()
  await fcm.getByRole('heading', { name: 'FCM: configured' }).waitFor()
  // The list is read again after the upload, a moment after the settings say so (the suite once
  // counted it in between): its second "Configured" is waited for (it times out if it never comes).
  await listed.getByText('Configured', { exact: true }).nth(1).waitFor()
  t.equal(await listed.getByText('Configured', { exact: true }).count(), 2, 'the list shows APNs and FCM configured')
  const body = await page.locator('body').innerText()
  t.notOk(body.includes(key.privateKeyPem.split('\n')[1]!), 'the APNs key is never shown back')
  const stored = await pipeline.call('GET', '/admin/app/list')
  t.match(stored.body.responseObject.applicationList, [{ appId: APP_ID, appName: APP_NAME, apns: true, fcm: true, carrierDomain: 'console.example' }], 'the api has both credentials')
  await screenshot('applications')

  // Devices, registered as an app's back-end does it; one whose token APNs calls bad.
  const phone = iosToken()
  const oldPhone = iosToken()
  const pixel = androidToken()
  pipeline.apns.script(oldPhone, 'bad-token')
  await pipeline.registerDevice(APP_ID, { token: phone, platform: 'ios', userId: USER, activationId: 'act-phone' })
  await pipeline.registerDevice(APP_ID, { token: oldPhone, platform: 'ios', userId: USER, activationId: 'act-old-phone' })
  await pipeline.registerDevice(APP_ID, { token: pixel, platform: 'android', userId: USER, activationId: 'act-pixel' })

  await open('Devices')
  await page.getByLabel('User id').fill(USER)
  await page.getByRole('button', { name: 'Find devices' }).click()
  const deviceRows = page.getByRole('region', { name: /Devices of user/ }).getByRole('row')
  await deviceRows.filter({ hasText: masked(pixel) }).waitFor()
  t.equal(await deviceRows.count(), 4, 'a header and the user\'s three devices')
  t.match(await deviceRows.filter({ hasText: masked(phone) }).innerText(), /iOS \(APNs\)[\s\S]*act-phone[\s\S]*ACTIVE/, 'the iPhone, its activation and status')
  t.match(await deviceRows.filter({ hasText: masked(pixel) }).innerText(), /Android \(FCM\)[\s\S]*act-pixel/, 'the Android phone')
  t.notOk((await page.locator('body').innerText()).includes(phone), 'tokens are shown masked only')
  await screenshot('devices')

  // Send: extras that are no JSON object are refused before anything is sent.
  await open('Send')
  await page.getByLabel('User id').fill(USER)
  await page.getByLabel('Title').fill('Balance update')
  await page.getByLabel('Body', { exact: true }).fill('Your balance is now $745.00')
  await page.getByLabel('Badge').fill('3')
  await page.getByLabel('Sound').fill('default')
  await page.getByLabel('Extras (JSON object)').fill('{"account": 1234')
  await page.getByRole('button', { name: 'Send message' }).click()
  await page.getByRole('alert').filter({ hasText: 'Extras are not valid JSON' }).waitFor()
  t.equal(pipeline.apns.log.length + pipeline.fcm.log.length, 0, 'nothing was sent with bad extras')

  // The result's first read of the devices' tokens fails, as a busy api's 503 would: the page
  // reads them again, and the table still names each device by its masked token.
  let tokenReads = 0
  await page.route('**/admin/console/device/search', async (route) => {
    if (tokenReads++ > 0) { await route.continue(); return }
    await route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ status: 'ERROR', responseObject: { code: 'ERROR_INTERNAL', message: 'busy' } }) })
  })
  // The result's first read of the message's detail is held until the api has completed the
  // message. Its outcomes must not be read meanwhile: read beside the detail, they could predate
  // the last results while the detail, read after them, ended the polling (CI saw a device left
  // PENDING on the page for good). Read after it, they are at least as new as the detail. That
  // first answer then says "not complete yet", so the page polls once more: a poll's outcomes,
  // read after its detail, say they are a poll as its detail does (they must not keep the session).
  let detailReads = 0
  let detailHeld = false
  let outcomesReadWhileHeld = 0
  const reads: Array<{ what: 'detail' | 'outcomes', poll: boolean }> = []
  page.on('request', (request) => {
    const what = request.url().endsWith('/admin/console/message/outcomes') ? 'outcomes' : /\/push\/message\/[^/]+\/detail$/.test(request.url()) ? 'detail' : undefined
    if (what === undefined) return
    reads.push({ what, poll: request.headers()['x-beacon-console-poll'] === '1' })
    if (detailHeld && what === 'outcomes') outcomesReadWhileHeld++
  })
  await page.route('**/push/message/*/detail', async (route) => {
    if (detailReads++ > 0) { await route.continue(); return }
    detailHeld = true
    const detailPath = new URL(route.request().url()).pathname
    await pipeline.until(async () => (await pipeline.call('GET', detailPath)).body.responseObject.completed === true, 'the message completed')
    detailHeld = false
    const answer = await route.fetch()
    const body = await answer.json()
    await route.fulfill({ response: answer, json: { ...body, responseObject: { ...body.responseObject, completed: false, timestampCompleted: null } } })
  })
  await page.getByLabel('Extras (JSON object)').fill('{"account": "1234"}')
  await page.getByRole('button', { name: 'Send message' }).click()
  const perDevice = page.getByRole('table', { name: 'Per device' })
  await perDevice.getByRole('row').filter({ hasText: 'BadDeviceToken' }).waitFor()
  await pipeline.until(async () => await perDevice.getByRole('row').filter({ hasText: 'SENT' }).count() === 2, 'both good devices shown SENT')
  t.match(await perDevice.getByRole('row').filter({ hasText: masked(pixel) }).innerText(), /Android \(FCM\)\s+SENT/, 'the Android phone\'s result')
  t.match(await perDevice.getByRole('row').filter({ hasText: masked(phone) }).innerText(), /iOS \(APNs\)\s+SENT/, 'the iPhone\'s result')
  t.ok(tokenReads >= 2, 'the tokens were read again after the refused read')
  t.ok(detailReads >= 2, 'the detail was read, held, and polled again')
  t.equal(outcomesReadWhileHeld, 0, 'no outcomes were read while the detail was held')
  t.same(reads.slice(0, 4), [
    { what: 'detail', poll: false }, { what: 'outcomes', poll: false },
    { what: 'detail', poll: true }, { what: 'outcomes', poll: true }
  ], 'each read of the outcomes follows its detail, a poll\'s marked a poll too')
  await page.unroute('**/admin/console/device/search')
  await page.unroute('**/push/message/*/detail')
  const sendStatus = page.getByRole('status').filter({ hasText: 'Sent to' })
  await pipeline.until(async () => !(await sendStatus.innerText()).includes('Waiting'), 'the message complete')
  t.match(await sendStatus.innerText(), /^Sent to 2 of 3 devices \(1 failed, 0 pending\)\.$/, 'the counts of the send')
  const messageId = await page.getByRole('region', { name: 'Result' }).getByRole('link', { name: /^[0-9a-f-]{36}$/ }).innerText()
  await screenshot('send')

  t.match(pipeline.apns.received(phone).map((entry) => entry.payload), [{ aps: { alert: { title: 'Balance update', body: 'Your balance is now $745.00' }, badge: 3, sound: 'default' }, account: '1234' }], 'APNs got exactly the message, once')
  t.equal(pipeline.apns.received(oldPhone).length, 1, 'the bad token was tried once')
  t.match(pipeline.fcm.received(pixel).map((entry) => entry.message), [{ android: { notification: { title: 'Balance update', body: 'Your balance is now $745.00' } }, data: { account: '1234' } }], 'FCM got exactly the message, once')
  t.equal(pipeline.apns.log.length + pipeline.fcm.log.length, 3, 'and nothing else was sent')

  // Messages: the message with its counts, then its outcomes.
  await open('Messages')
  const messageRow = page.getByRole('row').filter({ hasText: USER })
  await messageRow.filter({ hasText: 'Completed' }).waitFor()
  t.equal(await messageRow.count(), 1, 'one message listed')
  t.match(await messageRow.innerText(), /1 sent · 1 failed · 0 pending\s*of 2[\s\S]*1 sent · 0 failed · 0 pending\s*of 1/, 'with its iOS and Android counts')
  await messageRow.getByRole('link', { name: `Outcomes of message ${messageId}` }).click()
  await page.getByRole('heading', { name: `Message ${messageId}` }).waitFor()
  const outcomes = page.getByRole('table', { name: 'Device outcomes' })
  await outcomes.waitFor()
  t.equal(await outcomes.getByRole('row').count(), 4, 'a header and three device outcomes')
  t.match(await outcomes.getByRole('row').filter({ hasText: 'FAILED' }).innerText(), /iOS \(APNs\)\s+FAILED\s+BadDeviceToken\s+1/, 'the failure, its reason and attempts')
  await outcomes.getByRole('row').filter({ hasText: masked(pixel) }).waitFor()
  await screenshot('messages')

  // Remove the iPhone: the row asks first; Cancel keeps it.
  await open('Devices')
  await page.getByLabel('User id').fill(USER)
  await page.getByRole('button', { name: 'Find devices' }).click()
  await page.getByRole('button', { name: `Remove ${masked(phone)}`, exact: true }).click()
  const confirmation = page.getByRole('form', { name: `Remove device ${masked(phone)}` })
  await confirmation.getByRole('button', { name: 'Cancel' }).click()
  await confirmation.waitFor({ state: 'detached' })
  t.equal((await pipeline.call('POST', '/admin/console/device/search', { requestObject: { appId: APP_ID, userId: USER } })).body.responseObject.deviceList.length, 2, 'cancelled: nothing removed')
  await page.getByRole('button', { name: `Remove ${masked(phone)}`, exact: true }).click()
  await confirmation.getByRole('button', { name: 'Remove device' }).click()
  await page.getByRole('button', { name: `Remove ${masked(phone)}`, exact: true }).waitFor({ state: 'detached' })
  const left = await pipeline.call('POST', '/admin/console/device/search', { requestObject: { appId: APP_ID, userId: USER } })
  t.same(left.body.responseObject.deviceList.map((device: { activationId: string }) => device.activationId), ['act-pixel'], 'the iPhone is gone (and APNs had dropped the bad token)')

  // Remove the FCM credentials again.
  await open('Applications')
  await page.getByRole('link', { name: `Settings of ${APP_NAME}` }).click()
  await page.getByRole('button', { name: 'Remove FCM credentials' }).click()
  await page.getByRole('heading', { name: 'FCM: not configured' }).waitFor()
  const after = await pipeline.call('GET', '/admin/app/list')
  t.match(after.body.responseObject.applicationList, [{ appId: APP_ID, apns: true, fcm: false }], 'FCM removed, APNs kept')

  // Remove the application: its app id typed to confirm (a wrong one refused by the page).
  const removal = page.getByRole('form', { name: `Remove application ${APP_ID}` })
  await removal.getByLabel('Type the app id to confirm').fill('not-it')
  await removal.getByRole('button', { name: 'Remove application' }).click()
  await removal.getByRole('alert').filter({ hasText: `Type ${APP_ID} to confirm.` }).waitFor()
  t.equal((await pipeline.call('GET', '/admin/app/list')).body.responseObject.applicationList.length, 1, 'a wrong confirmation removes nothing')
  await removal.getByLabel('Type the app id to confirm').fill(APP_ID)
  await removal.getByRole('button', { name: 'Remove application' }).click()
  await page.getByText('No application yet').waitFor()
  t.same((await pipeline.call('GET', '/admin/app/list')).body.responseObject.applicationList, [], 'the application is gone')
  t.equal(await pipeline.db.device.count(), 0, 'with its devices')

  t.same(foreignRequests, [], 'the page requested nothing from another origin')
})
