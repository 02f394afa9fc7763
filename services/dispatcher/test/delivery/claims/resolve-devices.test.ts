import t from 'tap'
import { resolveMessageDevices } from '../../../src/delivery/claims/message-devices.js'
import { resolveCampaignDevices, type DeviceTarget } from '../../../src/delivery/claims/resolve-devices.js'
import { startDbHarness, type DbHarness } from '../db-harness.js'
import { messageClaimRows, publishedRows } from '../rows.js'

const targets = (h: DbHarness, list: DeviceTarget[]) => list.map((d) => [h.label(d.id), d.token, d.platform, d.environment])
const earlier = (h: DbHarness, list: Array<{ deviceId: bigint, status: string, chunk: number | null }>) => list.map((e) => [h.label(e.deviceId), e.status, e.chunk]).sort()

/** A device of application 8 (same user ids, another application). */
async function foreignDevice (h: DbHarness, userId: string) {
  const other = await h.db.application.upsert({ where: { appId: '8' }, create: { appId: '8', name: 'eight' }, update: {} })
  const device = await h.db.device.create({ data: { applicationId: other.id, pushToken: `foreign-${userId}`, platform: 'APNS' } })
  await h.db.deviceActivation.create({ data: { applicationId: other.id, deviceId: device.id, activationId: `foreign-${userId}`, userId, activationStatus: 'ACTIVE' } })
}

t.test('a message\'s devices: the user\'s in the application, by platform and environment; personal keeps ACTIVE activations; activationId narrows; each device once', async (t) => {
  const h = await startDbHarness(t)
  await h.addDevice('plain', { userId: 'u' })
  await h.addDevice('android', { userId: 'u', platform: 'FCM' })
  await h.addDevice('sandbox', { userId: 'u', environment: 'SANDBOX' })
  await h.addDevice('production', { userId: 'u', environment: 'PRODUCTION' })
  await h.addDevice('blocked', { userId: 'u', activationStatus: 'BLOCKED', activationId: 'act-blocked' })
  await h.addDevice('removed', { userId: 'u', activationStatus: 'REMOVED' })
  await h.addDevice('created', { userId: 'u', platform: 'FCM', activationStatus: 'CREATED' })
  await h.addDevice('pending-commit', { userId: 'u', activationStatus: 'PENDING_COMMIT' })
  await h.addDevice('twice', { userId: 'u' })
  await h.addDevice('twice', { userId: 'u', activationStatus: 'BLOCKED' })
  await h.addDevice('other-user', { userId: 'v' })
  await foreignDevice(h, 'u')
  const resolve = async (extra: { personal?: boolean, activationId?: string }) =>
    targets(h, (await resolveMessageDevices(h.db, await h.storeMessage('u', extra))).unclaimed)

  t.same(await resolve({}), [['plain', 'plain', 'APNS', null], ['android', 'android', 'FCM', null], ['sandbox', 'sandbox', 'APNS', 'SANDBOX'],
    ['production', 'production', 'APNS', 'PRODUCTION'], ['blocked', 'blocked', 'APNS', null], ['removed', 'removed', 'APNS', null],
    ['created', 'created', 'FCM', null], ['pending-commit', 'pending-commit', 'APNS', null], ['twice', 'twice', 'APNS', null]], 'not personal: every activation status, in device order')
  t.same(await resolve({ personal: true }), [['plain', 'plain', 'APNS', null], ['android', 'android', 'FCM', null], ['sandbox', 'sandbox', 'APNS', 'SANDBOX'],
    ['production', 'production', 'APNS', 'PRODUCTION'], ['twice', 'twice', 'APNS', null]], 'personal: ACTIVE activations only')
  t.same(await resolve({ activationId: 'act-blocked' }), [['blocked', 'blocked', 'APNS', null]])
  t.same(await resolve({ activationId: 'act-blocked', personal: true }), [])
  t.equal((await resolveMessageDevices(h.db, { ...await h.storeMessage('u'), applicationId: 999 })).credentialsVersion, null, 'no application: no devices, and it says so')

  // The commands in hand resolve in one statement (message-devices.ts): each gets its own answer.
  const [all, personal, narrowed, none, gone] = await Promise.all([
    h.storeMessage('u'), h.storeMessage('u', { personal: true }), h.storeMessage('u', { activationId: 'act-blocked' }),
    h.storeMessage('nobody'), h.storeMessage('u')
  ])
  const together = await Promise.all([all!, personal!, narrowed!, none!, { ...gone!, applicationId: 999 }].map((command) => resolveMessageDevices(h.db, command)))
  t.same(together.map((found) => found.unclaimed.length), [9, 5, 1, 0, 0], 'resolved together, each message its own devices')
  t.same(together.map((found) => found.credentialsVersion === null), [false, false, false, false, true])
})

t.test('a message\'s earlier claims: answered ones (sent or failed) are not sent again, unanswered ones are, those of removed devices are released', async (t) => {
  const h = await startDbHarness(t)
  const ids = {
    pending: await h.addDevice('pending', { userId: 'u' }),
    answered: await h.addDevice('answered', { userId: 'u', platform: 'FCM' }),
    failed: await h.addDevice('failed', { userId: 'u' }),
    fresh: await h.addDevice('fresh', { userId: 'u' }),
    gone: await h.addDevice('gone', { userId: 'u' }),
    goneAnswered: await h.addDevice('gone-answered', { userId: 'u' })
  }
  const command = await h.storeMessage('u')
  const claim = (deviceId: bigint, status: 'PENDING' | 'SENT' | 'FAILED', platform: 'APNS' | 'FCM' = 'APNS') =>
    h.db.messageDelivery.create({ data: { messageId: command.messageId, deviceId, platform, status, attempts: status === 'PENDING' ? 0 : 1 } })
  await claim(ids.pending, 'PENDING')
  await claim(ids.answered, 'SENT', 'FCM')
  await claim(ids.failed, 'FAILED')
  await claim(ids.gone, 'PENDING')
  await claim(ids.goneAnswered, 'FAILED')
  await h.db.device.deleteMany({ where: { id: { in: [ids.gone, ids.goneAnswered] } } })

  const found = await resolveMessageDevices(h.db, command)
  t.same(targets(h, found.unclaimed).map(([label]) => label), ['pending', 'fresh'])
  t.same(earlier(h, found.earlier), [['answered', 'SENT', null], ['failed', 'FAILED', null], ['gone', 'PENDING', null], ['gone-answered', 'FAILED', null], ['pending', 'PENDING', null]])
  t.same(found.orphaned.map((id) => h.label(id)), ['gone'])

  await h.startHolder('next', command, { deliveryCount: 2 }).done
  t.same(h.provider.receipts.map((r) => r.token).sort(), ['fresh', 'pending'])
  t.same(await messageClaimRows(h, command.messageId), [['answered', 'SENT', null, 1, false], ['failed', 'FAILED', null, 1, false], ['fresh', 'PENDING', null, 0, false],
    ['gone-answered', 'FAILED', null, 1, false], ['pending', 'PENDING', null, 0, false]], 'the removed device\'s unanswered claim is gone; its recorded answer stays')
})

t.test('a chunk\'s devices: its users\' range in the campaign\'s application, each device once; other chunks\' and other campaigns\' claims are theirs, its own answers are not sent again; its own removed devices are released', async (t) => {
  const h = await startDbHarness(t)
  const [, chunk] = await h.storeCampaign([['c1'], ['c2', 'c3'], ['c4']])
  const campaignId = BigInt(chunk!.campaignId)
  await h.addDevice('before', { userId: 'c1' })
  const sent = await h.addDevice('sent', { userId: 'c2' })
  const unanswered = await h.addDevice('unanswered', { userId: 'c2', platform: 'FCM' })
  const blocked = await h.addDevice('blocked', { userId: 'c3', activationStatus: 'BLOCKED', environment: 'SANDBOX' })
  const bothUsers = await h.addDevice('both-users', { userId: 'c2' })
  await h.addDevice('both-users', { userId: 'c3' })
  const elsewhere = await h.addDevice('other-chunk', { userId: 'c3' })
  await h.addDevice('after', { userId: 'c4' })
  const gone = await h.addDevice('gone', { userId: 'c3' })
  const goneElsewhere = await h.addDevice('gone-elsewhere', { userId: 'c3' })
  const failed = await h.addDevice('failed', { userId: 'c2' })
  await foreignDevice(h, 'c2')
  const claim = (deviceId: bigint, chunk: number, status: 'PENDING' | 'SENT' | 'FAILED') => h.db.campaignDelivery.create({ data: { campaignId, deviceId, chunk, platform: 'APNS', status } })
  await claim(sent, 1, 'SENT')
  await claim(unanswered, 1, 'PENDING')
  await claim(elsewhere, 2, 'PENDING')
  await claim(gone, 1, 'PENDING')
  await claim(goneElsewhere, 0, 'PENDING')
  await claim(failed, 1, 'FAILED')
  // Another campaign's claims on the same devices are that campaign's: they hold nothing back here.
  const other = await h.db.campaign.create({ data: { applicationId: h.applicationId, message: { title: 'other' } } })
  await h.db.campaignDelivery.create({ data: { campaignId: other.id, deviceId: blocked, chunk: 0, platform: 'APNS', status: 'SENT' } })
  await h.db.campaignDelivery.create({ data: { campaignId: other.id, deviceId: bothUsers, chunk: 1, platform: 'APNS', status: 'FAILED' } })
  await h.db.device.deleteMany({ where: { id: { in: [gone, goneElsewhere] } } })

  const found = await resolveCampaignDevices(h.db, chunk!)
  // Another chunk's claim is not looked up (resolve-devices.ts): its device is refused when claimed, below.
  t.same(targets(h, found.unclaimed), [['unanswered', 'unanswered', 'FCM', null], ['blocked', 'blocked', 'APNS', 'SANDBOX'], ['both-users', 'both-users', 'APNS', null], ['other-chunk', 'other-chunk', 'APNS', null]])
  t.same(earlier(h, found.earlier), [['failed', 'FAILED', 1], ['gone', 'PENDING', 1], ['sent', 'SENT', 1], ['unanswered', 'PENDING', 1]])
  t.same(found.orphaned.map((id) => h.label(id)), ['gone'])

  const holder = h.startHolder('next', chunk!, { deliveryCount: 2 })
  await holder.done
  t.same(holder.settled, ['ack'])
  t.same(h.provider.receipts.map((r) => r.token).sort(), ['blocked', 'both-users', 'unanswered'], 'the other chunk\'s device is not sent by this one')
  t.match(await h.db.campaignDelivery.findUniqueOrThrow({ where: { campaignId_deviceId: { campaignId, deviceId: elsewhere } } }), { chunk: 2, status: 'PENDING' }, 'its claim stays the other chunk\'s')
  t.notOk(publishedRows(h).some(([label]) => label === 'other-chunk'), 'nor reported by this one')
})

// Earlier claims are the message's own: a device answered for another message to the same user
// (sent or failed) is still this message's to send, and another message's claims are not this one's earlier holder's.
t.test('a message\'s earlier claims are its own: a device answered or claimed for another message is still sent', async (t) => {
  const h = await startDbHarness(t)
  const [sent, pending] = [await h.addDevice('sent', { userId: 'u' }), await h.addDevice('pending', { userId: 'u' })]
  const before = await h.storeMessage('u')
  await h.db.messageDelivery.create({ data: { messageId: before.messageId, deviceId: sent, platform: 'APNS', status: 'SENT', attempts: 1 } })
  await h.db.messageDelivery.create({ data: { messageId: before.messageId, deviceId: pending, platform: 'APNS' } })
  const command = await h.storeMessage('u')
  const found = await resolveMessageDevices(h.db, command)
  t.same(targets(h, found.unclaimed).map(([label]) => label), ['sent', 'pending'])
  t.same(found.earlier, [], 'no claim of this message yet')
  t.same(found.orphaned, [])
})

// A chunk's orphaned claims (released by it) are its own campaign's: another campaign's claim on
// a chunk of the same number, for a device this chunk does not reach, is that campaign's to send.
t.test('a chunk\'s look-up takes no claim of another campaign for its own, even on a chunk of the same number', async (t) => {
  const h = await startDbHarness(t)
  const [elsewhere] = await h.storeCampaign([['v']])
  const [mine] = await h.storeCampaign([['u']])
  const theirs = await h.addDevice('theirs', { userId: 'v' })
  await h.addDevice('own', { userId: 'u' })
  await h.db.campaignDelivery.create({ data: { campaignId: BigInt(elsewhere!.campaignId), deviceId: theirs, chunk: mine!.chunk, platform: 'APNS' } })
  const found = await resolveCampaignDevices(h.db, mine!)
  t.same(targets(h, found.unclaimed).map(([label]) => label), ['own'])
  t.same(found.earlier, [], 'no claim of this campaign')
  t.same(found.orphaned, [], 'the other campaign\'s claim is not released by this chunk')
})
