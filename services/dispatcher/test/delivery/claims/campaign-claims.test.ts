import { randomUUID } from 'node:crypto'
import t from 'tap'
import { claimTargets, recordUnattemptedOutcomes } from '../../../src/delivery/claims/claims.js'
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

// The campaign's foreign key is gone from campaign_delivery (it checked every row): the claim and
// the unattempted outcomes check the campaign once each, and a trigger removes its deliveries.
t.test('a removed campaign\'s deliveries go with it, also through its application\'s removal; a window of it claims nothing and an outcome of it writes nothing', async (t) => {
  const h = await startDbHarness(t)
  const [a, b] = await Promise.all(['u1', 'u2'].map((user) => h.addDevice(user, { userId: user })))
  const [removed] = await h.storeCampaign([['u1', 'u2']])
  const [kept] = await h.storeCampaign([['u1', 'u2']])
  const claimant = (chunk: typeof removed) => ({ key: `campaign:${chunk!.campaignId}:${chunk!.chunk}`, holder: randomUUID() })
  const scope = (chunk: typeof removed) => ({ kind: 'campaign' as const, campaignId: chunk!.campaignId, chunk: chunk!.chunk })
  for (const chunk of [removed, kept]) {
    t.same((await claimTargets(h.db, scope(chunk), claimant(chunk), [target(a!)], new Date())).mine, new Set([String(a)]))
  }
  t.equal(await h.db.campaignDelivery.count(), 2)

  await h.db.campaign.delete({ where: { id: BigInt(removed!.campaignId) } })
  t.same((await h.db.campaignDelivery.findMany()).map((row) => String(row.campaignId)), [kept!.campaignId], 'the removed campaign\'s claim went with it; the other\'s stays')
  t.same(await claimTargets(h.db, scope(removed), claimant(removed), [target(b!)], new Date()), { mine: new Set(), overtaken: false }, 'a window of the removed campaign claims nothing')
  t.same(await recordUnattemptedOutcomes(h.db, scope(removed), [{ target: target(b!), status: 'EXPIRED', reason: 'Expired' }]), new Set(), 'nor does an outcome decided without a request')
  t.same(await recordUnattemptedOutcomes(h.db, scope(kept), [{ target: target(b!), status: 'EXPIRED', reason: 'Expired' }]), new Set([String(b)]), 'control: the live campaign\'s is written')
  t.equal(await h.db.campaignDelivery.count({ where: { campaignId: BigInt(removed!.campaignId) } }), 0, 'no row of the removed campaign')

  await h.db.application.delete({ where: { id: h.applicationId } })
  t.equal(await h.db.campaignDelivery.count(), 0, 'removing the application removes its campaigns and their deliveries')
})

t.test('a window claimed while its campaign\'s removal is in progress waits for it and then claims nothing', async (t) => {
  const h = await startDbHarness(t)
  const device = await h.addDevice('u1', { userId: 'u1' })
  const [chunk] = await h.storeCampaign([['u1']])
  const remover = await h.db.pool.connect()
  t.teardown(() => remover.release())
  await remover.query('BEGIN')
  await remover.query('DELETE FROM campaign WHERE id = $1::bigint', [chunk!.campaignId])
  const claim = claimTargets(h.db, { kind: 'campaign', campaignId: chunk!.campaignId, chunk: chunk!.chunk },
    { key: `campaign:${chunk!.campaignId}:${chunk!.chunk}`, holder: randomUUID() }, [target(device!)], new Date())
  // The claim is blocked on the campaign's row lock (without its FOR KEY SHARE it would not wait:
  // its snapshot still sees the campaign, and it would insert a claim the removal never removes).
  // pg_stat_activity is read once per transaction unless its snapshot is cleared.
  const waiting = async () => Number((await remover.query('SELECT pg_stat_clear_snapshot()').then(() => remover.query(`SELECT count(*) FROM pg_stat_activity
    WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%INSERT INTO campaign_delivery%'`))).rows[0].count)
  for (let tries = 0; await waiting() === 0; tries++) {
    if (tries > 200) throw new Error('the claim never waited for the removal')
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  await remover.query('COMMIT')
  t.same(await claim, { mine: new Set(), overtaken: false }, 'nothing claimed')
  t.equal(await h.db.campaignDelivery.count(), 0, 'no claim left of the removed campaign')
})
