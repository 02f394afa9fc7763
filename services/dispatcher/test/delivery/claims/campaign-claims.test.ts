import { randomUUID } from 'node:crypto'
import t from 'tap'
import { claimCampaignWindow } from '../../../src/delivery/claims/campaign-claims.js'
import type { DeviceTarget } from '../../../src/delivery/claims/resolve-devices.js'
import { startDbHarness } from '../db-harness.js'

const target = (id: bigint, platform: 'APNS' | 'FCM' = 'APNS'): DeviceTarget => ({ id, platform, token: String(id), environment: 'PRODUCTION' })
const holder = (key: string) => ({ key, holder: randomUUID() })
const keyOf = (campaignId: string, chunk: number) => `campaign-${campaignId}-${chunk}`

// The chunks in hand claim in one statement: each gets its own devices, a device two chunks reach
// goes to one of them only, a chunk whose lease another handling holds claims nothing and is told so.
t.test('windows of several campaign chunks claimed together: each its own, a shared device once, an overtaken chunk none', async (t) => {
  const h = await startDbHarness(t)
  const [c0, c1, c2] = await h.storeCampaign([['u0'], ['u1'], ['u2']])
  const campaignId = c0!.campaignId
  const [own0, own1, shared, own2] = await Promise.all([['own0', 'u0'], ['own1', 'u1'], ['shared', 'u0'], ['own2', 'u2']].map(([label, userId]) => h.addDevice(label!, { userId: userId! })))
  await h.db.pool.query("INSERT INTO command_lease (key, holder, expires_at) VALUES ($1, $2, now() + interval '1 minute')", [keyOf(campaignId, c2!.chunk), randomUUID()])
  const at = new Date()
  // Counted: the three windows go in one statement (a device two of them reach must not fail it).
  let statements = 0
  const query = h.db.pool.query.bind(h.db.pool)
  h.db.pool.query = ((...args: Parameters<typeof query>) => {
    if (String(args[0]).includes('INSERT INTO campaign_delivery')) statements++
    return query(...args)
  }) as typeof query
  const [a, b, c] = await Promise.all([
    claimCampaignWindow(h.db, { campaignId, chunk: c0!.chunk, claimant: holder(keyOf(campaignId, c0!.chunk)), targets: [target(own0!), target(shared!, 'FCM')], at }),
    claimCampaignWindow(h.db, { campaignId, chunk: c1!.chunk, claimant: holder(keyOf(campaignId, c1!.chunk)), targets: [target(own1!), target(shared!, 'FCM')], at }),
    claimCampaignWindow(h.db, { campaignId, chunk: c2!.chunk, claimant: holder(keyOf(campaignId, c2!.chunk)), targets: [target(own2!)], at })
  ])
  t.same(a, { mine: new Set([String(own0), String(shared)]), overtaken: false }, 'chunk 0: its own device and the shared one')
  t.same(b, { mine: new Set([String(own1)]), overtaken: false }, 'chunk 1: its own device; the shared one is chunk 0\'s')
  t.same(c, { mine: new Set(), overtaken: true })
  t.equal(statements, 1, 'one statement for the three windows')
  h.db.pool.query = query
  const rows = await h.db.campaignDelivery.findMany({ where: { campaignId: BigInt(campaignId) }, orderBy: { deviceId: 'asc' } })
  t.same(rows.map((row) => [row.deviceId, row.chunk, row.status]).sort((x, y) => Number(x[0]) - Number(y[0])),
    [[own0, 0, 'PENDING'], [own1, 1, 'PENDING'], [shared, 0, 'PENDING']].sort((x, y) => Number(x[0]) - Number(y[0])), 'one claim per device, none for the overtaken chunk')
})

t.test('a campaign window run again with its time (its answer was lost) finds its rows; two copies of one chunk in a group each get an answer', async (t) => {
  const h = await startDbHarness(t)
  const [command] = await h.storeCampaign([['u']])
  const device = await h.addDevice('d', { userId: 'u' })
  const window = { campaignId: command!.campaignId, chunk: command!.chunk, claimant: holder(keyOf(command!.campaignId, command!.chunk)), targets: [target(device)], at: new Date() }
  t.same((await claimCampaignWindow(h.db, window)).mine, new Set([String(device)]))
  t.same((await claimCampaignWindow(h.db, window)).mine, new Set([String(device)]), 'the same window again: still its own')
  const [again, copy] = await Promise.all([
    claimCampaignWindow(h.db, window),
    claimCampaignWindow(h.db, { ...window, claimant: holder(window.claimant.key), at: new Date(window.at.getTime() - 1000) })
  ])
  t.same(again.mine, new Set([String(device)]))
  t.same(copy.mine, new Set([String(device)]), 'a PENDING claim made at another time is taken over')
})

t.test('one handling\'s APNs and FCM windows of a chunk in one group: one statement, each window answered with its own devices', async (t) => {
  const h = await startDbHarness(t)
  const [command] = await h.storeCampaign([['u']])
  const [ios, android] = await Promise.all([h.addDevice('ios', { userId: 'u' }), h.addDevice('android', { userId: 'u', platform: 'FCM' })])
  const claimant = holder(keyOf(command!.campaignId, command!.chunk))
  let statements = 0
  const query = h.db.pool.query.bind(h.db.pool)
  h.db.pool.query = ((...args: Parameters<typeof query>) => {
    if (String(args[0]).includes('INSERT INTO campaign_delivery')) statements++
    return query(...args)
  }) as typeof query
  const [apns, fcm] = await Promise.all([
    claimCampaignWindow(h.db, { campaignId: command!.campaignId, chunk: command!.chunk, claimant, targets: [target(ios!)], at: new Date() }),
    claimCampaignWindow(h.db, { campaignId: command!.campaignId, chunk: command!.chunk, claimant, targets: [target(android!, 'FCM')], at: new Date(Date.now() + 1) })
  ])
  h.db.pool.query = query
  t.same(apns, { mine: new Set([String(ios)]), overtaken: false })
  t.same(fcm, { mine: new Set([String(android)]), overtaken: false })
  t.equal(statements, 1, 'one statement, no run again window by window')
})
