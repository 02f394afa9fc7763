import { commandId, type CampaignChunkCommand, type ProviderPlatform } from '@beacon/contracts'
import type { Transport } from '@beacon/transport'
import { pino } from 'pino'
import t, { type Test } from 'tap'
import type { ApplicationCredentials, CredentialStore } from '../../../src/credentials.js'
import { createDeadline } from '../../../src/delivery/commands/deadline.js'
import { CommandRun } from '../../../src/delivery/commands/run.js'
import { resolveCampaignDevices } from '../../../src/delivery/claims/resolve-devices.js'
import { deliver } from '../../../src/delivery/sends/deliver.js'
import { sendSlotsRegistry } from '../../../src/delivery/sends/send-slots.js'
import { createHealth } from '../../../src/health.js'
import type { PlatformSender } from '../../../src/senders/sender.js'
import { until } from '../../harness.js'
import { gate } from '../scripted-provider.js'
import { QUICK_LEASE, QUICK_RETRY, startDbHarness, type DbHarness } from '../db-harness.js'
import { campaignClaimRows } from '../rows.js'

const quiet = pino({ enabled: false })

type Targets = Awaited<ReturnType<typeof resolveCampaignDevices>>['unclaimed']

/**
 * A chunk's delivery, run directly (not through handleCommand), with the scripted provider's
 * senders unless given; `stopped`: the dispatcher stopped before it began. Resolves with its
 * results as [label, chunk, status, reason] and what deliver returned (or the error it threw).
 */
async function deliverChunk (t: Test, h: DbHarness, command: CampaignChunkCommand, targets: Targets, options: { stopped?: boolean, senders?: Record<ProviderPlatform, PlatformSender>, streams?: number, onOnlyAnswersLeft?: () => void } = {}) {
  const transport = { watchConnection: () => ({ stop: async () => {} }) } as Partial<Transport> as Transport
  const health = createHealth(h.db, transport, quiet)
  const stopping = new AbortController()
  if (options.stopped === true) stopping.abort()
  const delivery = { command, deliveryCount: 1, firstDelivery: true, lastDelivery: false, working: () => {}, ack: async () => {}, retry: () => {}, handBack: async () => {} }
  const run = new CommandRun(delivery, health, stopping.signal, createDeadline())
  t.teardown(async () => { run.end(); await health.close() })
  const apns = { bundle: 'com.beacon.scripted', keyId: 'KEY', teamId: 'TEAM', production: true, privateKeyPem: 'unused' }
  const fcm = { projectId: 'scripted', serviceAccount: { project_id: 'scripted', client_email: 'unused', private_key: 'unused', token_uri: 'unused' } }
  const credentials = { id: h.applicationId, appId: '7', version: 0, apns, fcm } as ApplicationCredentials
  const senders = options.senders ?? h.provider.sendersOf('two').senders
  const slots = sendSlotsRegistry({ APNS: options.streams ?? 8, FCM: options.streams ?? 8 })
  const deps = { db: h.db, transport, credentials: {} as CredentialStore, senders, slots, health, retry: QUICK_RETRY, lease: QUICK_LEASE, log: quiet }
  const source = { campaignId: command.campaignId, chunk: command.chunk }
  const scope = { kind: 'campaign' as const, ...source }
  const delivered = await deliver(deps, run, credentials, { silent: false, priority: 'HIGH', body: command.body }, targets, source, scope, options.onOnlyAnswersLeft)
    .catch((error: unknown) => error as Error)
  const results = [...run.results.values()].map((r) => [h.label(r.deviceId), 'chunk' in r ? r.chunk : null, r.status, r.reason ?? null, r.attempts])
  return { results: results.sort(), delivered, overtaken: run.overtaken }
}

/**
 * Chunk 1 (user c1: devices `shared` and `own`) resolved its devices; then chunk 0 (user c0,
 * sharing `shared`) claimed the shared one, before chunk 1 claims or records anything.
 */
async function sharedDeviceClaimedMeanwhile (h: DbHarness) {
  await h.addDevice('shared', { userId: 'c0' })
  await h.addDevice('shared', { userId: 'c1' })
  await h.addDevice('own', { userId: 'c1' })
  const [first, second] = await h.storeCampaign([['c0'], ['c1']])
  const found = await resolveCampaignDevices(h.db, second!)
  const shared = found.unclaimed.find((d) => h.label(d.id) === 'shared')!
  await h.db.campaignDelivery.create({ data: { campaignId: BigInt(first!.campaignId), deviceId: shared.id, chunk: 0, platform: 'APNS' } })
  return { first: first!, second: second!, found }
}

// A chunk resolves a device shared with another chunk's user as unclaimed; the other chunk claims
// it before this one writes the outcome it decided without a request. That outcome is not written
// over the other chunk's claim, and this chunk reports nothing for the device: the other chunk
// sends it and reports it.
for (const decided of ['validUntil passed', 'payload not preparable'] as const) {
  t.test(`${decided}: a chunk reports no outcome for a device another chunk claimed after it was resolved`, async (t) => {
    const h = await startDbHarness(t)
    const { first, second, found } = await sharedDeviceClaimedMeanwhile(h)
    t.same(found.unclaimed.map((d) => h.label(d.id)).sort(), ['own', 'shared'], 'resolved before chunk 0 claimed the shared device')

    let command = second
    let reason = 'PayloadTooLarge: 5000 bytes, APNs takes at most 4096'
    if (decided === 'validUntil passed') {
      command = { ...second, body: { ...second.body, validUntil: new Date(Date.now() - 1000).toISOString() } }
      reason = 'Expired: validUntil passed before sending'
    } else h.provider.refused.APNS = reason
    const status = decided === 'validUntil passed' ? 'EXPIRED' : 'FAILED'

    t.same((await deliverChunk(t, h, command, found.unclaimed)).results, [['own', 1, status, reason, 0]], 'only the device this chunk wrote')
    t.same(await campaignClaimRows(h, first.campaignId), [['own', 1, status, reason, 0, false], ['shared', 0, 'PENDING', null, 0, false]],
      'the other chunk\'s claim is left as it was')
    t.same(h.provider.receipts, [], 'nothing sent')
  })
}

// guarantee: overtaken-holder-stops
// A holder that stalled past its lease (the database away, say) while another handling took the
// chunk over and claimed its device: the outcome it decides without a request (validUntil passed
// meanwhile) is not written over that handling's claim, and it stops as overtaken.
t.test('a holder overtaken before it writes an expired outcome writes and reports nothing, and stops as overtaken', async (t) => {
  const h = await startDbHarness(t)
  await h.addDevice('d', { userId: 'c0' })
  const [chunk] = await h.storeCampaign([['c0']])
  const found = await resolveCampaignDevices(h.db, chunk!)
  await h.db.pool.query('INSERT INTO command_lease (key, holder, expires_at) VALUES ($1, gen_random_uuid(), now() + interval \'1 minute\')', [commandId(chunk!)])
  await h.db.campaignDelivery.create({ data: { campaignId: BigInt(chunk!.campaignId), deviceId: found.unclaimed[0]!.id, chunk: 0, platform: 'APNS' } })
  const expired = { ...chunk!, body: { ...chunk!.body, validUntil: new Date(Date.now() - 1000).toISOString() } }

  const { results, overtaken } = await deliverChunk(t, h, expired, found.unclaimed)
  t.ok(overtaken, 'the holder knows it was overtaken')
  t.same(results, [], 'no result reported')
  t.same(await campaignClaimRows(h, chunk!.campaignId), [['d', 0, 'PENDING', null, 0, false]], 'the new holder\'s claim stands, for its own answer')
})

// The same race with the device to be sent: the other chunk's claim, made between this chunk's
// look-up and its window's claim, keeps the device that chunk's. This one neither sends it (it
// would go twice) nor reports it; its own device goes as usual.
t.test('a device another chunk claimed after this chunk resolved it is neither sent nor reported by this chunk', async (t) => {
  const h = await startDbHarness(t)
  const { first, second, found } = await sharedDeviceClaimedMeanwhile(h)

  t.same((await deliverChunk(t, h, second, found.unclaimed)).results, [['own', 1, 'SENT', null, 1]], 'only its own device')
  t.same(h.provider.receipts.map((r) => r.token), ['own'], 'the shared device is not sent by this chunk')
  t.same(await campaignClaimRows(h, first.campaignId), [['own', 1, 'PENDING', null, 0, false], ['shared', 0, 'PENDING', null, 0, false]],
    'the other chunk\'s claim is left as it was')
})

// A window's claim that fails for a reason other than an outage (held through those) fails the
// delivery: taken for "claimed by someone else", its devices would be neither sent nor reported,
// and the chunk would end as if done.
t.test('a window\'s claim refused by the database with an error fails the chunk\'s delivery; nothing is sent or reported as done', async (t) => {
  const h = await startDbHarness(t)
  await h.addDevice('d', { userId: 'c0' })
  const [first] = await h.storeCampaign([['c0']])
  const found = await resolveCampaignDevices(h.db, first!)
  await h.db.pool.query(`CREATE FUNCTION refuse_claim() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'claim refused'; END $$;
    CREATE TRIGGER refuse_claim BEFORE INSERT ON campaign_delivery FOR EACH ROW EXECUTE FUNCTION refuse_claim()`)

  const { results, delivered } = await deliverChunk(t, h, first!, found.unclaimed)
  t.match(delivered, { message: /claim refused/ }, 'the delivery fails with the claim\'s error')
  t.same(results, [], 'no result')
  t.same(h.provider.receipts, [], 'nothing sent')
})

// A dispatcher that stopped while the chunk's devices were being resolved starts nothing.
t.test('a chunk whose dispatcher stopped before its sends began claims and sends nothing, and is reported interrupted', async (t) => {
  const h = await startDbHarness(t)
  for (const [label, platform] of [['ios', 'APNS'], ['android', 'FCM']] as const) await h.addDevice(label, { userId: 'c0', platform })
  const [chunk] = await h.storeCampaign([['c0']])
  const { unclaimed } = await resolveCampaignDevices(h.db, chunk!)
  const { results, delivered } = await deliverChunk(t, h, chunk!, unclaimed, { stopped: true })
  t.same(delivered, { interrupted: true, waiting: [], inFlight: [] })
  t.same(results, [])
  t.same(h.provider.receipts, [], 'nothing sent')
  t.same(await campaignClaimRows(h, chunk!.campaignId), [], 'nothing claimed')
})

// A platform whose send fails (here the sender throws preparing it) stops the other platform:
// nothing goes on sending for a command that fails, and the claims it made ahead are given back
// for the next delivery to send.
t.test('a platform that fails stops the other: it sends nothing more, and its claims not on the wire are released', async (t) => {
  const h = await startDbHarness(t)
  await h.addDevice('ios', { userId: 'c0', platform: 'APNS' })
  for (const label of ['android-1', 'android-2']) await h.addDevice(label, { userId: 'c0', platform: 'FCM' })
  const [chunk] = await h.storeCampaign([['c0']])
  const { unclaimed } = await resolveCampaignDevices(h.db, chunk!)
  const scripted = h.provider.sendersOf('two').senders
  const broken: PlatformSender = { prepare: () => { throw new Error('a client bug') }, close: async () => {} }
  const { results, delivered } = await deliverChunk(t, h, chunk!, unclaimed, { senders: { APNS: broken, FCM: scripted.FCM } })
  t.match(delivered, { message: 'a client bug' }, 'the failure is the command\'s')
  t.same(results, [])
  t.same(h.provider.receipts, [], 'no FCM device sent')
  t.same(await campaignClaimRows(h, chunk!.campaignId), [], 'the FCM window claimed ahead is released')
})

// Each result names the chunk it belongs to (the api counts a chunk's outcomes by it), sent or not.
t.test('a chunk\'s results name its chunk, sent and failed alike', async (t) => {
  const h = await startDbHarness(t)
  for (const label of ['good', 'bad']) await h.addDevice(label, { userId: 'c1' })
  h.provider.script('bad', { kind: 'invalid-token', reason: 'Unregistered' })
  const [, chunk] = await h.storeCampaign([['c0'], ['c1']])
  const { unclaimed } = await resolveCampaignDevices(h.db, chunk!)
  t.same((await deliverChunk(t, h, chunk!, unclaimed)).results, [['bad', 1, 'FAILED', 'Unregistered', 1], ['good', 1, 'SENT', null, 1]])
})

// validUntil passes while the chunk's first device is on the wire (one slot): a device never
// claimed by then is not sent, and its EXPIRED outcome is written and reported all the same.
t.test('a device still unclaimed when validUntil passes mid-send is not sent, and is reported EXPIRED', async (t) => {
  const h = await startDbHarness(t)
  for (const label of ['a', 'b', 'c']) await h.addDevice(label, { userId: 'c0' })
  const held = gate()
  h.provider.script('a', held.answer)
  const [stored] = await h.storeCampaign([['c0']])
  const validUntil = Date.now() + 2000
  const chunk = { ...stored!, body: { ...stored!.body, validUntil: new Date(validUntil).toISOString() } }
  const { unclaimed } = await resolveCampaignDevices(h.db, chunk)
  const delivering = deliverChunk(t, h, chunk, unclaimed, { streams: 1 })
  // (On a machine too slow to send a before validUntil, every device expires unsent: the same outcome for c.)
  await until(() => h.provider.count('a') === 1 || Date.now() > validUntil, 'a on the wire')
  await until(() => Date.now() > validUntil, 'validUntil passed')
  held.open({ kind: 'sent' })
  const { results } = await delivering
  t.equal(h.provider.count('c'), 0, 'c not sent')
  t.same(results.filter(([label]) => label === 'c'), [['c', 0, 'EXPIRED', 'Expired: validUntil passed before sending', 0]])
  t.same((await campaignClaimRows(h, chunk.campaignId)).filter(([label]) => label === 'c'), [['c', 0, 'EXPIRED', 'Expired: validUntil passed before sending', 0, false]])
})

// A chunk leaves its sending place on this signal (handle-command.ts): it must wait for both platforms.
t.test('only answers left is told once both platforms have started every device, not when the first has', async (t) => {
  const h = await startDbHarness(t)
  await h.addDevice('a', { userId: 'c0' })
  for (const label of ['f1', 'f2']) await h.addDevice(label, { userId: 'c0', platform: 'FCM' })
  const [apnsHeld, fcmHeld] = [gate(), gate()]
  h.provider.script('a', apnsHeld.answer)
  h.provider.script('f1', fcmHeld.answer)
  const [chunk] = await h.storeCampaign([['c0']])
  const { unclaimed } = await resolveCampaignDevices(h.db, chunk!)
  let told = 0
  // One slot per platform: f2 waits for f1's answer.
  const delivering = deliverChunk(t, h, chunk!, unclaimed, { streams: 1, onOnlyAnswersLeft: () => { told++ } })
  await until(() => h.provider.count('a') === 1 && h.provider.count('f1') === 1, 'a and f1 on the wire')
  await new Promise((resolve) => setTimeout(resolve, 200))
  t.equal(told, 0, 'APNs has only its answer left, FCM still has f2 to start')
  fcmHeld.open({ kind: 'sent' })
  await until(() => h.provider.count('f2') === 1, 'f2 on the wire')
  await until(() => told > 0, 'told once f2 started, a still unanswered')
  apnsHeld.open({ kind: 'sent' })
  const { results } = await delivering
  t.equal(told, 1, 'told once')
  t.same(results.map(([label, , status]) => [label, status]), [['a', 'SENT'], ['f1', 'SENT'], ['f2', 'SENT']])
})
