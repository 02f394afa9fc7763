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
  // Forty devices reached: about twenty chunks were published (and the rest were not yet).
  await whenReceived(stack, 40)
  const faultAt = Date.now()
  t.equal(await stack.apis[0]!.stop('SIGKILL'), 'SIGKILL', 'the publishing api killed')
  const chunks = async () => Number((await stack.db.pool.query<{ n: string }>('SELECT count(*) AS n FROM campaign_chunk WHERE campaign_id = $1', [campaignId])).rows[0]!.n)
  t.comment(`chunks recorded when it died: ${await chunks()} of 300`)

  const scope = { campaignIds: [campaignId] }
  await settle(t, stack, scope, 'the campaign completed', { at: faultAt, event: 'the kill' })
  t.comment(`chunks recorded: ${await chunks()} of 300`)
  // No dispatcher died: a chunk published twice is JetStream's duplicate or a claimed device.
  await assertLedger(t, stack, devices, scope, { maxDuplicates: 0, bound: 'no dispatcher died' })
})
