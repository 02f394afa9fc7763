import { randomUUID } from 'node:crypto'
import type { Db } from '@beacon/db'
import t, { type Test } from 'tap'
import { claimTargets, recordUnattemptedOutcomes } from '../../../src/delivery/claims/claims.js'
import type { DeviceTarget } from '../../../src/delivery/claims/resolve-devices.js'
import { startDbHarness } from '../db-harness.js'

// campaign_delivery has no foreign key to campaign (it checked every claimed row). The dispatcher's
// inserting statements lock the campaign once each, a statement-level trigger checks every other
// insert the same way, and a trigger removes a campaign's deliveries with it (migrations
// 20261205000000_campaign_delivery_statement_check and 20261205100000_campaign_delivery_insert_check;
// what else the key did, for any writer: packages/db/test/campaign-delivery-key.test.ts).

const target = (id: bigint): DeviceTarget => ({ id, platform: 'APNS', token: String(id), environment: 'PRODUCTION' })
type Chunk = { campaignId: string, chunk: number }
const scopeOf = (chunk: Chunk) => ({ kind: 'campaign' as const, campaignId: chunk.campaignId, chunk: chunk.chunk })
const claimantOf = (chunk: Chunk) => ({ key: `campaign:${chunk.campaignId}:${chunk.chunk}`, holder: randomUUID() })

// A dispatcher of the release before 20261205000000 claimed a window without any check of the
// campaign (the foreign key did it); during a rolling upgrade it still runs.
const PREVIOUS_RELEASE_CLAIM = `
  WITH t AS (SELECT * FROM unnest($2::bigint[], $3::text[]) AS t(device_id, platform)),
  claimed AS (
    INSERT INTO campaign_delivery AS d (campaign_id, device_id, platform, claimed_at, chunk)
    SELECT $1::bigint, t.device_id, t.platform::"Platform", now(), $4::int FROM t
    ON CONFLICT (campaign_id, device_id) DO UPDATE SET claimed_at = EXCLUDED.claimed_at
     WHERE d.status = 'PENDING' AND d.chunk = EXCLUDED.chunk
    RETURNING device_id)
  SELECT device_id FROM claimed`
/** A connection of the pool (its connect() overloads hide the type). */
type Connection = Awaited<ReturnType<typeof connectOf>>
const connectOf = (db: Db) => db.pool.connect()
type Queryable = Pick<Connection, 'query'>

const previousReleaseClaim = (client: Queryable, chunk: Chunk, devices: bigint[]) =>
  client.query<{ device_id: string }>(PREVIOUS_RELEASE_CLAIM, [chunk.campaignId, devices.map(String), devices.map(() => 'APNS'), chunk.chunk])

/** A connection of the test's own with a transaction open; rolled back and released at the end whatever happens. */
async function openTransaction (t: Test, db: Db): Promise<Connection> {
  const client = await connectOf(db)
  t.teardown(async () => {
    await client.query('ROLLBACK').catch(() => {})
    client.release()
  })
  await client.query('BEGIN')
  return client
}

/** Resolves once a statement matching `like` waits for a lock (pg_stat_activity is read once per transaction unless its snapshot is cleared). */
async function lockWaitOf (observer: Queryable, like: string): Promise<void> {
  for (let tries = 0; ; tries++) {
    await observer.query('SELECT pg_stat_clear_snapshot()')
    const { rows } = await observer.query<{ count: string }>(`SELECT count(*) FROM pg_stat_activity
      WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE $1`, [like])
    if (Number(rows[0]!.count) > 0) return
    if (tries > 200) throw new Error(`no statement like ${like} ever waited for a lock`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

// guarantee: campaign-deliveries-removed
t.test('a removed campaign\'s deliveries go with it, also through its application\'s removal; a window of it claims nothing and an outcome of it writes nothing', async (t) => {
  const h = await startDbHarness(t)
  const [a, b] = await Promise.all(['u1', 'u2'].map((user) => h.addDevice(user, { userId: user })))
  const [removed] = await h.storeCampaign([['u1', 'u2']])
  const [kept] = await h.storeCampaign([['u1', 'u2']])
  for (const chunk of [removed!, kept!]) {
    t.same((await claimTargets(h.db, scopeOf(chunk), claimantOf(chunk), [target(a!)], new Date())).mine, new Set([String(a)]))
  }
  t.equal(await h.db.campaignDelivery.count(), 2)

  await h.db.campaign.delete({ where: { id: BigInt(removed!.campaignId) } })
  t.same((await h.db.campaignDelivery.findMany()).map((row) => String(row.campaignId)), [kept!.campaignId], 'the removed campaign\'s claim went with it; the other\'s stays')
  t.same(await claimTargets(h.db, scopeOf(removed!), claimantOf(removed!), [target(b!)], new Date()), { mine: new Set(), overtaken: false }, 'a window of the removed campaign claims nothing')
  t.same(await recordUnattemptedOutcomes(h.db, scopeOf(removed!), claimantOf(removed!), [{ target: target(b!), status: 'EXPIRED', reason: 'Expired' }]), { written: new Set(), overtaken: false }, 'nor does an outcome decided without a request')
  t.same(await recordUnattemptedOutcomes(h.db, scopeOf(kept!), claimantOf(kept!), [{ target: target(b!), status: 'EXPIRED', reason: 'Expired' }]), { written: new Set([String(b)]), overtaken: false }, 'control: the live campaign\'s is written')
  t.equal(await h.db.campaignDelivery.count({ where: { campaignId: BigInt(removed!.campaignId) } }), 0, 'no row of the removed campaign')

  await h.db.application.delete({ where: { id: h.applicationId } })
  t.equal(await h.db.campaignDelivery.count(), 0, 'removing the application removes its campaigns and their deliveries')
})

t.test('a window claimed while its campaign\'s removal is in progress waits for it and then claims nothing', async (t) => {
  const h = await startDbHarness(t)
  const device = await h.addDevice('u1', { userId: 'u1' })
  const [chunk] = await h.storeCampaign([['u1']])
  const remover = await openTransaction(t, h.db)
  await remover.query('DELETE FROM campaign WHERE id = $1::bigint', [chunk!.campaignId])
  const claim = claimTargets(h.db, scopeOf(chunk!), claimantOf(chunk!), [target(device!)], new Date())
  // Without its FOR KEY SHARE the claim would not wait: its snapshot still sees the campaign, and
  // it would insert a claim the removal never removes.
  await lockWaitOf(remover, '%INSERT INTO campaign_delivery%')
  await remover.query('COMMIT')
  t.same(await claim, { mine: new Set(), overtaken: false }, 'nothing claimed')
  t.equal(await h.db.campaignDelivery.count(), 0, 'no claim left of the removed campaign')
})

t.test('a campaign removed while a window\'s claim is uncommitted waits for it and then removes the claimed rows', async (t) => {
  const h = await startDbHarness(t)
  const device = await h.addDevice('u1', { userId: 'u1' })
  const [chunk] = await h.storeCampaign([['u1']])
  // The insert check (20261205100000) locks the campaign too: without it here, this tests the
  // claim's own lock, which keeps the rows of a removal to come once the check is gone or disabled.
  await h.db.pool.query('ALTER TABLE campaign_delivery DISABLE TRIGGER campaign_delivery_check_campaign')
  const claimer = await openTransaction(t, h.db)
  const inTransaction = { pool: claimer } as unknown as Db
  t.same((await claimTargets(inTransaction, scopeOf(chunk!), claimantOf(chunk!), [target(device!)], new Date())).mine, new Set([String(device)]))
  const removal = h.db.pool.query('DELETE FROM campaign WHERE id = $1::bigint', [chunk!.campaignId])
  // Without the claim's lock the removal would not wait: its snapshot does not see the uncommitted
  // claim, which would stay behind once committed.
  await lockWaitOf(claimer, 'DELETE FROM campaign WHERE%')
  await claimer.query('COMMIT')
  t.equal((await removal).rowCount, 1, 'the campaign is removed')
  t.equal(await h.db.campaignDelivery.count(), 0, 'and the claim committed before it with it')
})

// guarantee: campaign-delivery-insert-checked
t.test('an insert without the claim\'s check (a dispatcher of the previous release) is refused for a removed campaign, also one whose removal is in progress', async (t) => {
  const h = await startDbHarness(t)
  const [a, b] = await Promise.all(['u1', 'u2'].map((user) => h.addDevice(user, { userId: user })))
  const [removed] = await h.storeCampaign([['u1', 'u2']])
  const [removing] = await h.storeCampaign([['u1', 'u2']])
  const [live] = await h.storeCampaign([['u1', 'u2']])
  await h.db.campaign.delete({ where: { id: BigInt(removed!.campaignId) } })

  const refused = await previousReleaseClaim(h.db.pool, removed!, [a!, b!]).catch((error: unknown) => error)
  t.match(refused, { code: '23503', constraint: 'campaign_delivery_campaign_id_check' }, 'the foreign key\'s error, as before the key was dropped')

  const remover = await openTransaction(t, h.db)
  await remover.query('DELETE FROM campaign WHERE id = $1::bigint', [removing!.campaignId])
  const waiting = previousReleaseClaim(h.db.pool, removing!, [a!]).catch((error: unknown) => error)
  await lockWaitOf(remover, '%INSERT INTO campaign_delivery%')
  await remover.query('COMMIT')
  t.match(await waiting, { code: '23503' }, 'an insert during the removal waits for it, then is refused')

  t.same((await previousReleaseClaim(h.db.pool, live!, [a!, b!])).rows.map((row) => BigInt(row.device_id)).sort(), [a, b].sort(), 'control: a live campaign\'s claims are written')
  t.same((await h.db.campaignDelivery.findMany()).map((row) => String(row.campaignId)), [live!.campaignId, live!.campaignId], 'no row of a removed campaign')
})

t.test('a campaign inserted into while its removal waits for that insert: the removal takes the rows with it', async (t) => {
  const h = await startDbHarness(t)
  const device = await h.addDevice('u1', { userId: 'u1' })
  const [chunk] = await h.storeCampaign([['u1']])
  const inserter = await openTransaction(t, h.db)
  await previousReleaseClaim(inserter, chunk!, [device!])
  const removal = h.db.pool.query('DELETE FROM campaign WHERE id = $1::bigint', [chunk!.campaignId])
  await lockWaitOf(inserter, 'DELETE FROM campaign WHERE%')
  await inserter.query('COMMIT')
  await removal
  t.equal(await h.db.campaignDelivery.count(), 0, 'the insert\'s check locked the campaign, so the removal saw its rows')
})

t.test('deliveries go with their campaign from a session of another search_path, and with TRUNCATE … CASCADE', async (t) => {
  const h = await startDbHarness(t)
  const device = await h.addDevice('u1', { userId: 'u1' })
  const [first] = await h.storeCampaign([['u1']])
  const [second] = await h.storeCampaign([['u1']])
  for (const chunk of [first!, second!]) await claimTargets(h.db, scopeOf(chunk), claimantOf(chunk), [target(device!)], new Date())
  const { rows: [current] } = await h.db.pool.query<{ schema: string }>('SELECT current_schema() AS schema')
  const session = await openTransaction(t, h.db)
  await session.query('SET LOCAL search_path = pg_catalog')
  await session.query(`DELETE FROM "${current!.schema}".campaign WHERE id = $1::bigint`, [first!.campaignId])
  await session.query('COMMIT')
  t.same((await h.db.campaignDelivery.findMany()).map((row) => String(row.campaignId)), [second!.campaignId], 'the trigger found campaign_delivery by its own search_path')
  await h.db.pool.query('TRUNCATE application CASCADE')
  t.equal(await h.db.campaignDelivery.count(), 0, 'TRUNCATE reaches campaign_delivery as the key\'s cascade did')
})
