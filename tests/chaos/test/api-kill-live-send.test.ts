// Case 5 of issue 12: the api publishing a live campaign SIGKILLed while a second api runs.
import t from 'tap'
import { createCampaign, sendLive, startChaosStack } from './harness/chaos-stack.js'
import { whenReceived } from './harness/faults.js'
import { assertLedger, settle } from './harness/ledger.js'
import { seedDevices, usersOf } from './harness/seed.js'

t.test('the api publishing a campaign dies: the other api finishes the publishing, without a restart', async (t) => {
  // Chunks of two users: publishing 300 chunks takes long enough to die in the middle of it.
  const stack = await startChaosStack(t, { apis: 2, dispatchers: 2, apiEnv: { CAMPAIGN_CHUNK_USERS: '2' } })
  const devices = await seedDevices(stack, stack.appId, 600, { prefix: 'live' })
  const campaignId = await createCampaign(stack, usersOf(devices))
  await sendLive(stack, campaignId, 0)
  // The first chunks reached a provider: the api is still publishing the rest.
  await whenReceived(stack, 4)
  const faultAt = Date.now()
  t.equal(await stack.apis[0]!.stop('SIGKILL'), 'SIGKILL', 'the publishing api killed')
  const count = (sql: string) => stack.db.pool.query<{ n: string }>(sql, [campaignId]).then((result) => result.rows[0]!.n, () => 'n/a')
  const chunks = () => count('SELECT count(*) AS n FROM campaign_chunk WHERE campaign_id = $1')
  // With a transactional outbox, what the dead api left unpublished is still there (no such table: 'n/a').
  const unpublished = await count('SELECT count(*) AS n FROM outbox WHERE $1::bigint IS NOT NULL')
  t.comment(`when it died: ${await chunks()} of 300 chunks recorded, ${unpublished} outbox rows unpublished`)

  const scope = { campaignIds: [campaignId] }
  await settle(t, stack, scope, 'the campaign completed', { at: faultAt, event: 'the kill' })
  t.comment(`chunks recorded: ${await chunks()} of 300`)
  // No dispatcher died: a chunk published twice is JetStream's duplicate or a claimed device.
  await assertLedger(t, stack, devices, scope, { maxDuplicates: 0, bound: 'no dispatcher died' })
})
