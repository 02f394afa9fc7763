import { randomUUID } from 'node:crypto'
import t from 'tap'
import { claimTargets } from '../../../src/delivery/claims/claims.js'
import type { DeviceTarget } from '../../../src/delivery/claims/resolve-devices.js'
import { startDbHarness } from '../db-harness.js'

const target = (id: bigint): DeviceTarget => ({ id, platform: 'APNS', token: String(id), environment: 'PRODUCTION' })

// A campaign window's claim is one statement (claims.ts): the same window run again (its answer
// lost) finds its own rows, a PENDING claim of an earlier holder of the chunk is taken over, and
// neither another chunk's claim nor a recorded outcome is taken.
t.test('a campaign window claimed again with its time keeps its rows; an earlier holder\'s PENDING claim is taken over; another chunk\'s claim and an answer are not', async (t) => {
  const h = await startDbHarness(t)
  const [mine, earlier, answered, otherChunk] = await Promise.all(['u1', 'u2', 'u3', 'u4'].map((user) => h.addDevice(user, { userId: user })))
  const [first] = await h.storeCampaign([['u1', 'u2', 'u3'], ['u4']])
  const campaignId = BigInt(first!.campaignId)
  const scope = { kind: 'campaign' as const, campaignId: first!.campaignId, chunk: first!.chunk }
  const claimant = { key: `campaign:${first!.campaignId}:${first!.chunk}`, holder: randomUUID() }
  // An earlier holder of chunk 0 claimed `earlier` and `answered` (the latter answered since); chunk 1 claimed `otherChunk`.
  const before = new Date(Date.now() - 60_000)
  await h.db.$executeRaw`
    INSERT INTO campaign_delivery (campaign_id, device_id, chunk, platform, claimed_at)
    VALUES (${campaignId}, ${earlier}, 0, 'APNS', ${before}), (${campaignId}, ${answered}, 0, 'APNS', ${before}), (${campaignId}, ${otherChunk}, 1, 'APNS', ${before})`
  await h.db.$executeRaw`UPDATE campaign_delivery SET status = 'SENT', attempts = 1, completed_at = now() WHERE device_id = ${answered}`

  const at = new Date()
  const window = [target(mine!), target(earlier!), target(otherChunk!), target(answered!)]
  const claimed = await claimTargets(h.db, scope, claimant, window, at)
  t.same(claimed, { mine: new Set([String(mine), String(earlier)]), overtaken: false }, 'a new device and the earlier holder\'s PENDING claim')
  const again = await claimTargets(h.db, scope, claimant, window, at)
  t.same(again, { mine: new Set([String(mine), String(earlier)]), overtaken: false }, 'the same window again (its answer lost): still its own')

  const rows = await h.db.campaignDelivery.findMany({ where: { campaignId }, orderBy: { deviceId: 'asc' } })
  t.same(rows.map((row) => [row.deviceId, row.chunk, row.status, row.claimedAt.getTime() === at.getTime()]),
    [[mine, 0, 'PENDING', true], [earlier, 0, 'PENDING', true], [otherChunk, 1, 'PENDING', false], [answered, 0, 'SENT', false]]
      .sort((x, y) => Number(x[0]) - Number(y[0])),
    'the window\'s claims carry its time; chunk 1\'s claim and the answer are untouched')
})
