import t from 'tap'
import { startHarness } from '../../harness.js'
import { metricValue } from '../../metrics/metric-values.js'

// The dispatcher hands its limits to the consumer: many single messages at once, few chunks.
t.test('DISPATCHER_CONCURRENCY single messages are handled at once, but only DISPATCHER_CHUNK_CONCURRENCY campaign chunks', async (t) => {
  const h = await startHarness(t)
  await h.startDispatcher({ DISPATCHER_CONCURRENCY: '6', DISPATCHER_CHUNK_CONCURRENCY: '2' })
  // Answers held long enough that every request of a step is still on the wire when it is
  // counted, however slowly the commands are published on a busy machine.
  const slow = { kind: 'slow' as const, delayMs: 4000 }

  const messageUsers = ['m1', 'm2', 'm3', 'm4', 'm5']
  for (const user of messageUsers) for (const token of await h.addDevices(user, 1, 'APNS')) h.apns.script(token, slow)
  const messagesBefore = await metricValue('beacon_commands_in_hand', { kind: 'message' })
  for (const user of messageUsers) await h.transport.publishCommand(await h.storeMessage(user))
  await h.until(() => h.apns.log.length === 5, 'five requests on the wire')
  t.equal(await metricValue('beacon_commands_in_hand', { kind: 'message' }), messagesBefore + 5, 'five messages in hand at once, more than the chunks\' limit')
  await h.until(() => h.events.filter((e) => e.kind === 'summary').length === 5, 'the five summaries')

  const chunkUsers = ['c1', 'c2', 'c3', 'c4']
  const chunkTokens: string[] = []
  for (const user of chunkUsers) for (const token of await h.addDevices(user, 1, 'APNS')) { h.apns.script(token, slow); chunkTokens.push(token) }
  const campaign = await h.db.campaign.create({ data: { applicationId: h.applicationId, message: { title: 'campaign' } } })
  await h.db.campaignUser.createMany({ data: chunkUsers.map((userId) => ({ campaignId: campaign.id, userId })) })
  const chunksBefore = await metricValue('beacon_commands_in_hand', { kind: 'campaign_chunk' })
  for (const [chunk, userId] of chunkUsers.entries()) {
    const afterUserId = chunk === 0 ? null : chunkUsers[chunk - 1]!
    await h.db.campaignChunk.create({ data: { campaignId: campaign.id, chunk, afterUserId, lastUserId: userId } })
    await h.transport.publishCommand({ kind: 'campaign-chunk', campaignId: String(campaign.id), chunk, applicationId: h.applicationId, afterUserId, lastUserId: userId, body: { title: 'campaign' } })
  }
  await h.until(() => h.apns.log.length === 7, 'two chunks\' requests on the wire')
  await new Promise((resolve) => setTimeout(resolve, 500))
  t.equal(h.apns.log.length, 7, 'no third chunk started while two are on the wire')
  t.equal(await metricValue('beacon_commands_in_hand', { kind: 'campaign_chunk' }), chunksBefore + 2, 'two chunks in hand')
  await h.until(() => h.apns.log.length === 9, 'the other two chunks, after the first two', 20_000)
  t.same(chunkTokens.map((token) => h.apns.received(token).length), [1, 1, 1, 1], 'every chunk\'s device once')
})
