import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { buildApp } from '../helper.js'
import { untilMetric } from './scrape.js'

const later = new Date(Date.now() + 3_600_000)

/** A campaign whose live send started, with device deliveries in these states. */
async function campaign (app: FastifyInstance, applicationId: number, states: Array<'PENDING' | 'SENT' | 'FAILED' | 'EXPIRED'>, completedAt: Date | null = null) {
  const created = await app.db.campaign.create({ data: { applicationId, message: { title: 'x' }, sentAt: new Date(), completedAt } })
  await app.db.campaignDelivery.createMany({
    data: states.map((status, index) => ({ campaignId: created.id, deviceId: BigInt(index + 1), chunk: 0, platform: 'FCM' as const, status }))
  })
}

t.test('outbox depth: the rows not yet published, read at scrape', async (t) => {
  const { app } = await buildApp(t, { OUTBOX_SWEEP_INTERVAL_MS: '60000' })
  await untilMetric(app, 'beacon_outbox_depth', {}, (depth) => depth === 0)
  // Due in an hour: the sweeper leaves them where they are.
  await app.db.outbox.createMany({ data: [1, 2, 3].map((n) => ({ kind: 'callback', payload: { n }, publishAfter: later })) })
  t.equal(await untilMetric(app, 'beacon_outbox_depth', {}, (depth) => depth !== 0), 3)
})

t.test('campaigns running and their devices by state, summed over the running campaigns only', async (t) => {
  const { app } = await buildApp(t, { OUTBOX_SWEEP_INTERVAL_MS: '60000' })
  const application = await app.db.application.create({ data: { appId: '2', name: 'app' } })
  await campaign(app, application.id, ['PENDING', 'SENT', 'SENT', 'FAILED'])
  await campaign(app, application.id, ['SENT', 'EXPIRED'])
  await campaign(app, application.id, ['SENT', 'SENT', 'SENT'], new Date())
  await app.db.campaign.create({ data: { applicationId: application.id, message: { title: 'not sent' } } })

  t.equal(await untilMetric(app, 'beacon_campaigns_running', {}, (running) => running !== 0), 2, 'started, not complete')
  t.equal(await untilMetric(app, 'beacon_campaign_devices', { state: 'planned' }, (n) => n !== 0), 6)
  t.equal(await untilMetric(app, 'beacon_campaign_devices', { state: 'sent' }, (n) => n !== 0), 3)
  t.equal(await untilMetric(app, 'beacon_campaign_devices', { state: 'failed' }, (n) => n !== 0), 2, 'failed and expired')
})
