// Case 4 of issue 12: PostgreSQL stopped for OUTAGE_MS and restarted mid-campaign, under the
// dispatchers and the api's result recorder.
import t from 'tap'
import { createCampaign, sendLive, sendMessages, startChaosStack } from './harness/chaos-stack.js'
import { inFlight, pause, whenReceived } from './harness/faults.js'
import { assertLedger, settle } from './harness/ledger.js'
import { seedDevices, usersOf } from './harness/seed.js'
import { OUTAGE_MS } from './harness/settings.js'

// guarantee: outage-holds-command
t.test('PostgreSQL down mid-campaign: an outage is not poison, everything completes once it is back', async (t) => {
  // Two commands at a time per dispatcher and chunks of 50: most of the campaign and the single
  // messages are still queued in JetStream when the database goes away.
  const stack = await startChaosStack(t, { privatePostgres: true, dispatchers: 2, apiEnv: { CAMPAIGN_CHUNK_USERS: '50' }, dispatcherEnv: { DISPATCHER_CONCURRENCY: '2' } })
  const campaignDevices = await seedDevices(stack, stack.appId, 800, { prefix: 'campaign' })
  const singles = await seedDevices(stack, stack.appId, 20, { prefix: 'single' })
  const campaignId = await createCampaign(stack, usersOf(campaignDevices))
  await sendLive(stack, campaignId)
  const singleIds = await sendMessages(stack, usersOf(singles), 'single')
  await whenReceived(stack, 150)
  const window = inFlight(stack)
  await stack.postgres!.stop()
  t.comment(`PostgreSQL stopped with ${window} requests in flight`)
  t.ok(window > 0, 'requests were in flight when PostgreSQL stopped')
  await pause(OUTAGE_MS)
  await stack.postgres!.start()
  const restartedAt = Date.now()

  const scope = { campaignIds: [campaignId], messageIds: singleIds }
  await settle(t, stack, scope, 'the campaign and every message completed', { at: restartedAt, event: 'PostgreSQL came back' })
  await assertLedger(t, stack, [...campaignDevices, ...singles], scope, { maxDuplicates: window, bound: 'requests in flight when PostgreSQL stopped' })
})
