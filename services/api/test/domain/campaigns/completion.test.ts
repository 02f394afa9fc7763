import t from 'tap'
import { completeCampaigns } from '../../../src/domain/campaigns/completion.js'
import { buildApp } from '../../helper.js'

const LONG_AGO = new Date('2020-01-02T03:04:05.678Z')

t.test('completion: a published campaign whose chunks are all done completes once; its timestampCompleted never moves after', async (t) => {
  const { app } = await buildApp(t)
  const application = await app.db.application.create({ data: { appId: '2', name: 'app2' } })
  const campaign = (data: { sentAt?: Date, publishedAt?: Date, completedAt?: Date }) =>
    app.db.campaign.create({ data: { applicationId: application.id, message: { title: 'Hi' }, ...data } })
  const now = new Date()
  const done = await campaign({ sentAt: now, publishedAt: now })
  const waiting = await campaign({ sentAt: now, publishedAt: now })
  const unpublished = await campaign({})
  const completed = await campaign({ sentAt: LONG_AGO, publishedAt: LONG_AGO, completedAt: LONG_AGO })
  await app.db.campaignChunk.createMany({
    data: [
      { campaignId: done.id, chunk: 0, lastUserId: 'u', doneAt: now },
      { campaignId: waiting.id, chunk: 0, lastUserId: 'u', doneAt: now },
      { campaignId: waiting.id, chunk: 1, lastUserId: 'v' },
      { campaignId: completed.id, chunk: 0, lastUserId: 'u', doneAt: LONG_AGO }
    ]
  })

  const completedAt = async (id: bigint) => (await app.db.campaign.findUniqueOrThrow({ where: { id } })).completedAt
  for (let call = 0; call < 2; call++) {
    await completeCampaigns(app.db.pool, [done.id, waiting.id, unpublished.id, completed.id])
    t.not(await completedAt(done.id), null, `call ${call}: every chunk done: complete`)
    t.equal(await completedAt(waiting.id), null, `call ${call}: a chunk not done: not complete`)
    t.equal(await completedAt(unpublished.id), null, `call ${call}: never published (no chunk either): not complete`)
    t.same(await completedAt(completed.id), LONG_AGO, `call ${call}: completed before: its completion time stays`)
  }
})
