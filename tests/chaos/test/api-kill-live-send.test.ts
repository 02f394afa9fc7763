// Case 5 of issue 12: the api publishing a live campaign SIGKILLed while a second api runs. The
// moment is made certain: NATS is down when the campaign is sent, so the first api has planned it
// and published none of it when it dies (a healthy api publishes hundreds of chunks before the
// first one reaches a provider: killed "mid-way" by timing, it would usually have finished).
import t from 'tap'
import { createCampaign, sendLive, startChaosStack } from './harness/chaos-stack.js'
import { eventually } from './harness/faults.js'
import { assertLedger, settle } from './harness/ledger.js'
import { seedDevices, usersOf } from './harness/seed.js'

t.test('the api publishing a campaign dies: the other api finishes the publishing, without a restart', async (t) => {
  const stack = await startChaosStack(t, { privateNats: true, apis: 2, dispatchers: 2, apiEnv: { CAMPAIGN_CHUNK_USERS: '20' } })
  const devices = await seedDevices(stack, stack.appId, 600, { prefix: 'live' })
  const campaignId = await createCampaign(stack, usersOf(devices))
  await stack.nats!.stop()
  await sendLive(stack, campaignId, 0)
  const count = (sql: string) => stack.db.pool.query<{ n: string }>(sql, [campaignId]).then((result) => Number(result.rows[0]!.n), () => Number.NaN)
  // Its first chunk recorded: the publishing is under way (and stuck on NATS).
  t.ok(await eventually(async () => await count('SELECT count(*) AS n FROM campaign_chunk WHERE campaign_id = $1') >= 1, 10_000), 'the first api started publishing')
  t.equal(await stack.apis[0]!.stop('SIGKILL'), 'SIGKILL', 'the publishing api killed')
  // With a transactional outbox, what the dead api left unpublished is still there (no such table: NaN).
  t.comment(`when it died: ${await count('SELECT count(*) AS n FROM campaign_chunk WHERE campaign_id = $1')} of 30 chunks recorded, ` +
    `${await count('SELECT count(*) AS n FROM outbox WHERE $1::bigint IS NOT NULL')} outbox rows unpublished`)
  await stack.nats!.start()
  const restartedAt = Date.now()

  const scope = { campaignIds: [campaignId] }
  await settle(t, stack, scope, 'the campaign completed', { at: restartedAt, event: 'NATS came back' })
  // No dispatcher died: a chunk published twice is JetStream's duplicate or a claimed device.
  await assertLedger(t, stack, devices, scope, { maxDuplicates: 0, bound: 'no dispatcher died' })
})
