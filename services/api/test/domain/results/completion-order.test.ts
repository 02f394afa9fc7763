import t from 'tap'
import { recordResults } from '../../../src/domain/results/delivery-records.js'
import { failChunks, failMessages } from '../../../src/domain/results/terminal-states.js'
import { campaignResult, chunkSummary, claimedCampaign, claimedMessage, counts, messageResult, setUp, summary } from './fixtures.js'

// A message completes once its summary and the answers of all its claims are in, whichever comes
// first, and stays as it completed.

t.test('results for every claim made so far do not complete a message whose summary has not come', async (t) => {
  const { app, applicationId } = await setUp(t)
  const messageId = await claimedMessage(app, applicationId)
  await recordResults(app.db, [messageResult(messageId, 1), messageResult(messageId, 2)])
  t.match(await app.db.message.findUniqueOrThrow({ where: { id: messageId } }), { completedAt: null }, 'more claims may come: the dispatcher has not summed up')
  await recordResults(app.db, [summary(messageId)])
  t.match(await app.db.message.findUniqueOrThrow({ where: { id: messageId } }), { completedAt: Date }, 'the summary completes it')
})

t.test('a summary arriving after the message ended changes nothing of it', async (t) => {
  const { app, applicationId } = await setUp(t)
  const failed = await claimedMessage(app, applicationId)
  await failMessages(app.db.pool, [failed], 'NotQueued')
  const before = await app.db.message.findUniqueOrThrow({ where: { id: failed } })
  await recordResults(app.db, [{ kind: 'summary', summary: { messageId: failed, ios: counts, android: counts, reason: 'Late' } }])
  const after = await app.db.message.findUniqueOrThrow({ where: { id: failed } })
  t.equal(after.failureReason, 'NotQueued', 'its reason stays')
  t.equal(after.completedAt?.getTime(), before.completedAt?.getTime(), 'its completion stays')

  const done = await claimedMessage(app, applicationId)
  await recordResults(app.db, [summary(done), messageResult(done, 1), messageResult(done, 2)])
  const first = await app.db.message.findUniqueOrThrow({ where: { id: done } })
  await recordResults(app.db, [summary(done)])
  t.equal((await app.db.message.findUniqueOrThrow({ where: { id: done } })).completedAt?.getTime(), first.completedAt?.getTime(), 'a summary redelivered leaves the completion as it was')
})

t.test('results for every claim of a chunk do not finish it, nor its campaign, before its summary comes', async (t) => {
  const { app, applicationId } = await setUp(t)
  const campaignId = await claimedCampaign(app, applicationId)
  await recordResults(app.db, [campaignResult(campaignId, 1, { chunk: 0 }), campaignResult(campaignId, 2, { chunk: 0 })])
  t.equal((await app.db.campaignChunk.findFirstOrThrow({ where: { campaignId } })).doneAt, null, 'the dispatcher may still claim devices of the chunk')
  t.equal((await app.db.campaign.findUniqueOrThrow({ where: { id: campaignId } })).completedAt, null, 'the campaign is not sent')
  await recordResults(app.db, [chunkSummary(campaignId, 0)])
  t.not((await app.db.campaign.findUniqueOrThrow({ where: { id: campaignId } })).completedAt, null, 'the summary finishes the chunk and the campaign')
})

t.test('a summary\'s whole-message reason is the message\'s failure reason', async (t) => {
  const { app, applicationId } = await setUp(t)
  const messageId = await claimedMessage(app, applicationId)
  await recordResults(app.db, [{ kind: 'summary', summary: { messageId, ios: counts, android: counts, reason: 'ApplicationGone' } }])
  t.match(await app.db.message.findUniqueOrThrow({ where: { id: messageId } }), { failureReason: 'ApplicationGone', summaryAt: Date })
})

t.test('a chunk summary arriving after the chunk ended changes nothing of it', async (t) => {
  const { app, applicationId } = await setUp(t)
  const campaignId = await claimedCampaign(app, applicationId)
  await failChunks(app.db.pool, [{ campaignId: campaignId.toString(), chunk: 0 }], 'NotQueued')
  const before = await app.db.campaignChunk.findFirstOrThrow({ where: { campaignId } })
  await recordResults(app.db, [chunkSummary(campaignId, 0, 'Late')])
  const after = await app.db.campaignChunk.findFirstOrThrow({ where: { campaignId } })
  t.equal(after.failureReason, 'NotQueued', 'its reason stays')
  t.equal(after.summaryAt?.getTime(), before.summaryAt?.getTime(), 'its summary time stays')
})
