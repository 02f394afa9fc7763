import { randomUUID } from 'node:crypto'
import { createDb } from '@beacon/db'
import t from 'tap'
import { claimTargets } from '../../../src/delivery/claims/claims.js'
import type { DeviceTarget } from '../../../src/delivery/claims/resolve-devices.js'
import { startDbHarness } from '../db-harness.js'

const target = (id: bigint): DeviceTarget => ({ id, platform: 'APNS', token: String(id), environment: 'PRODUCTION' })

// Two devices shared by users of chunks 0 and 1; chunk 1 claimed both. Chunk 0's window reaches
// them (its look-up leaves other chunks' claims to the claim), locking the first as it refuses it,
// while a writer of chunk 1's answers (as the recorder) holds the second and then wants the first.
// guarantee: claim-deadlock-retried
t.test('a window\'s claim that PostgreSQL aborts in a deadlock is run again: it refuses the other chunk\'s devices and fails nothing', async (t) => {
  const h = await startDbHarness(t)
  const first = await h.addDevice('first', { userId: 'a' })
  const second = await h.addDevice('second', { userId: 'a' })
  await h.addDevice('first', { userId: 'b' })
  await h.addDevice('second', { userId: 'b' })
  const [chunk0, chunk1] = await h.storeCampaign([['a'], ['b']])
  const campaignId = BigInt(chunk1!.campaignId)
  await h.db.$executeRaw`INSERT INTO campaign_delivery (campaign_id, device_id, chunk, platform) VALUES (${campaignId}, ${first}, 1, 'APNS'), (${campaignId}, ${second}, 1, 'APNS')`

  // Sessions of their own: the harness's pool (2 connections) is the claim's.
  const own = createDb({ url: (h.db.pool as unknown as { options: { connectionString: string } }).options.connectionString, poolSize: 2 })
  t.teardown(() => own.$disconnect())
  const recorder = await own.pool.connect()
  t.teardown(() => { recorder.release() })
  const watcher = own.pool
  // This session waits longer than the claim's before looking for a deadlock: the claim finds it.
  await recorder.query('BEGIN; SET LOCAL deadlock_timeout = \'30s\'')
  const answer = (deviceId: bigint) => recorder.query('UPDATE campaign_delivery SET status = \'SENT\', attempts = 1, completed_at = now() WHERE campaign_id = $1 AND device_id = $2', [String(campaignId), String(deviceId)])
  await answer(second)

  const scope = { kind: 'campaign' as const, campaignId: chunk0!.campaignId, chunk: chunk0!.chunk }
  const claiming = claimTargets(h.db, scope, { key: `campaign-${chunk0!.campaignId}-0`, holder: randomUUID() }, [target(first), target(second)], new Date())
  claiming.catch(() => {})
  const waiting = async () => (await watcher.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = \'Lock\'')).rows[0]!.n
  while (await waiting() === 0) await new Promise((resolve) => setTimeout(resolve, 20))
  // The claim holds `first` (refused, locked) and waits for `second`; this now waits for `first`.
  await answer(first)
  await recorder.query('COMMIT')

  t.same(await claiming, { mine: new Set(), overtaken: false }, 'claimed again after the deadlock: both are chunk 1\'s')
  const rows = await h.db.campaignDelivery.findMany({ where: { campaignId }, orderBy: { deviceId: 'asc' } })
  t.same(rows.map((row) => [row.deviceId, row.chunk, row.status]), [[first, 1, 'SENT'], [second, 1, 'SENT']], 'chunk 1\'s answers written')
})
