// Case 3 of issue 12: NATS stopped for OUTAGE_MS and restarted, mid-campaign and during single sends.
import t from 'tap'
import { createCampaign, sendLive, sendMessages, startChaosStack } from './harness/chaos-stack.js'
import { inFlight, pause, whenReceived, within } from './harness/faults.js'
import { assertLedger, settle } from './harness/ledger.js'
import { seedDevices, usersOf } from './harness/seed.js'
import { OUTAGE_MS } from './harness/settings.js'

// guarantee: send-while-nats-down, outage-holds-command
t.test('NATS down mid-campaign and mid-sends: nothing lost, failures still reported as failures, sends during the outage delivered after it', async (t) => {
  const stack = await startChaosStack(t, { privateNats: true, dispatchers: 2, apiEnv: { CAMPAIGN_CHUNK_USERS: '100' } })
  const campaignDevices = await seedDevices(stack, stack.appId, 600, { prefix: 'campaign' })
  const singles = await seedDevices(stack, stack.appId, 40, { prefix: 'single' })
  const duringOutage = await seedDevices(stack, stack.appId, 6, { prefix: 'outage' })
  // Every tenth device's token is dead: its failure (and the registration's deletion) must
  // survive the outage, not turn into an unconfirmed "sent".
  for (const device of [...campaignDevices, ...singles].filter((_, i) => i % 10 === 5)) {
    (device.platform === 'APNS' ? stack.apns : stack.fcm).script(device.token, 'unregistered')
  }
  const campaignId = await createCampaign(stack, usersOf(campaignDevices))
  await sendLive(stack, campaignId)
  const singleIds = await sendMessages(stack, usersOf(singles), 'single')
  await whenReceived(stack, 150)
  const window = inFlight(stack)
  await stack.nats!.stop()
  const stoppedAt = Date.now()
  t.comment(`NATS stopped with ${window} requests in flight`)
  t.ok(window > 0, 'requests were in flight when NATS stopped')
  // Sends while NATS is away: stored, and published once it is back.
  const outageSends = Promise.all(usersOf(duringOutage).map((userId) => within(sendMessages(stack, [userId], 'single'), OUTAGE_MS + 20_000, 'a send during the outage').then(
    (ids) => ids,
    (error: Error) => { t.fail(`a send during the outage was refused: ${error.message}`); return [] as string[] })))
  await pause(OUTAGE_MS - (Date.now() - stoppedAt))
  await stack.nats!.start()
  const restartedAt = Date.now()
  const outageIds = (await outageSends).flat()

  const scope = { campaignIds: [campaignId], messageIds: [...singleIds, ...outageIds] }
  await settle(t, stack, scope, 'the campaign and every message completed', { at: restartedAt, event: 'NATS came back' })
  await assertLedger(t, stack, [...campaignDevices, ...singles, ...duringOutage], scope, { maxDuplicates: window, bound: 'requests in flight when NATS stopped' })
})
