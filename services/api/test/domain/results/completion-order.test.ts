import t from 'tap'
import { recordResults } from '../../../src/domain/results/delivery-records.js'
import { failMessages } from '../../../src/domain/results/terminal-states.js'
import { claimedMessage, counts, messageResult, setUp, summary } from './fixtures.js'

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
