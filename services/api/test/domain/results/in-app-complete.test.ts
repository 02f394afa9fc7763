import { randomUUID } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { allocateDeveloperId, sealDeveloperSecret } from '../../../src/domain/developers/developers.js'
import { recordResults } from '../../../src/domain/results/delivery-records.js'
import { claimedMessage, messageResult, setUp, summary } from './fixtures.js'

// inAppComplete names the push fallbacks whose developer is told the outcome. The recorder tells
// them after recording: if that fails, JetStream redelivers the batch, and the redelivery must
// name the message again (the callbacks' eventIds de-duplicate), or the developer is never told.

/** Makes `messageId` the push fallback of an in-app message of a developer (or of none). */
async function fallbackOf (app: FastifyInstance, applicationId: number, messageId: string, withDeveloper: boolean) {
  let developerId: number | null = null
  if (withDeveloper) {
    developerId = await allocateDeveloperId(app.db)
    await app.db.developer.create({ data: { id: developerId, key: `key-${developerId}`, name: 'Dev', secret: sealDeveloperSecret(app.secrets, developerId, 'dev-secret-0123456789'), callbackUrl: 'http://127.0.0.1:9/cb' } })
  }
  await app.db.inboxMessage.create({
    data: { id: randomUUID(), userId: 'u', type: 'TEXT', subject: '', summary: 'hi', body: 'hi', developerId, pushMessageId: messageId, applications: { create: [{ applicationId }] } }
  })
}

t.test('a push fallback is named when it completes, and again whenever a batch naming it is redelivered', async (t) => {
  const { app, applicationId } = await setUp(t)
  const messageId = await claimedMessage(app, applicationId)
  await fallbackOf(app, applicationId, messageId, true)
  const summaryBatch = [summary(messageId)]
  const resultsBatch = [messageResult(messageId, 1), messageResult(messageId, 2)]

  t.same((await recordResults(app.db, summaryBatch)).inAppComplete, [], 'not complete: its claims are PENDING')
  t.same((await recordResults(app.db, resultsBatch)).inAppComplete, [messageId], 'complete with its last results')
  t.same((await recordResults(app.db, resultsBatch)).inAppComplete, [messageId], 'the results redelivered')
  t.same((await recordResults(app.db, summaryBatch)).inAppComplete, [messageId], 'the summary redelivered')
})

t.test('a message completing in the statement that records its summary is named once, whatever else the batch holds; one without a developer, or not a fallback, is not', async (t) => {
  const { app, applicationId } = await setUp(t)
  const [told, orphan, plain] = [await claimedMessage(app, applicationId), await claimedMessage(app, applicationId), await claimedMessage(app, applicationId)]
  await fallbackOf(app, applicationId, told, true)
  await fallbackOf(app, applicationId, orphan, false)
  // And a message still open, so that the completion step runs after the first statement.
  const open = await claimedMessage(app, applicationId)
  const batch = [...[told, orphan, plain].flatMap((id) => [messageResult(id, 1), messageResult(id, 2), summary(id)]), messageResult(open, 1)]
  t.same((await recordResults(app.db, batch)).inAppComplete, [told])
})
