import { randomUUID } from 'node:crypto'
import type { Db } from '@beacon/db'
import type { AbandonedCommand } from '@beacon/transport'
import t from 'tap'
import { ATTEMPTS_EXHAUSTED, recordAbandoned } from '../../../src/domain/results/abandoned-commands.js'
import { statementsDatabase } from '../../helper.js'

// The command is removed from the stream only once its terminal state is recorded: removed
// before (or never), a failure in between would lose it (or JetStream would hand it out again).
function abandoned (command: AbandonedCommand['command'], onRemove: () => Promise<void>) {
  return { command, deliveries: 2, remove: onRemove } satisfies AbandonedCommand
}

async function pendingMessage (db: Db): Promise<string> {
  const application = await db.application.create({ data: { appId: '1', name: 'app' } })
  const id = randomUUID()
  await db.message.create({ data: { id, applicationId: application.id, userId: 'alice', personal: false, silent: false, priority: 'HIGH', body: {} } })
  await db.messageDelivery.create({ data: { messageId: id, deviceId: 1n, platform: 'APNS' } })
  return id
}

t.test('an abandoned message command is removed from the stream once, after the message is recorded as failed', async (t) => {
  const db = await statementsDatabase(t)
  const messageId = await pendingMessage(db)
  const seenAtRemoval: Array<{ completed: boolean, reason: string | null }> = []
  await recordAbandoned(db, abandoned({ kind: 'message', messageId } as AbandonedCommand['command'], async () => {
    const message = await db.message.findUniqueOrThrow({ where: { id: messageId } })
    seenAtRemoval.push({ completed: message.completedAt !== null, reason: message.failureReason })
  }))
  t.same(seenAtRemoval, [{ completed: true, reason: ATTEMPTS_EXHAUSTED }], 'removed once, the failure already recorded')
})

t.test('an abandoned chunk command is removed once, after the chunk is done failed', async (t) => {
  const db = await statementsDatabase(t)
  const application = await db.application.create({ data: { appId: '1', name: 'app' } })
  const campaign = await db.campaign.create({ data: { applicationId: application.id, message: { title: 'x' }, sentAt: new Date(), publishedAt: new Date() } })
  await db.campaignChunk.create({ data: { campaignId: campaign.id, chunk: 0, lastUserId: 'u' } })
  const seenAtRemoval: Array<string | null> = []
  await recordAbandoned(db, abandoned({ kind: 'campaign-chunk', campaignId: campaign.id.toString(), chunk: 0 } as AbandonedCommand['command'], async () => {
    seenAtRemoval.push((await db.campaignChunk.findFirstOrThrow({ where: { campaignId: campaign.id } })).failureReason)
  }))
  t.same(seenAtRemoval, [ATTEMPTS_EXHAUSTED], 'removed once, the chunk already failed')
  t.not((await db.campaign.findUniqueOrThrow({ where: { id: campaign.id } })).completedAt, null, 'its campaign completed with its only chunk')
})

t.test('a command whose failure could not be recorded stays in the stream, to be handed out again', async (t) => {
  const db = await statementsDatabase(t)
  const messageId = await pendingMessage(db)
  const broken = { pool: { query: async () => { throw new Error('Connection terminated unexpectedly') } } } as unknown as Db
  let removed = 0
  await t.rejects(recordAbandoned(broken, abandoned({ kind: 'message', messageId } as AbandonedCommand['command'], async () => { removed++ })), /Connection terminated/)
  t.equal(removed, 0, 'not removed')
})
