// `pnpm bench [--users N] [--dispatchers N] [--quick]`: a live campaign of N users (one device
// each, half APNs, half FCM) end to end — api -> NATS -> dispatcher(s) -> provider mocks ->
// results recorded — timed until the campaign reads sent with every device counted.
import { cpus } from 'node:os'
import { startPipeline } from '@beacon/testkit'
import { writeResults } from './results.js'
import { sampleMemory } from './sample-memory.js'
import { seedUsers, userIds } from './seed.js'

const args = process.argv.slice(2)
const option = (name: string, fallback: number) => {
  const index = args.indexOf(`--${name}`)
  return index === -1 ? fallback : Number(args[index + 1])
}
const users = option('users', args.includes('--quick') ? 10_000 : 100_000)
const dispatchers = option('dispatchers', 1)

// Info-level logs: the pipeline waits for the services' start-up lines; requests here are few.
const pipeline = await startPipeline({ dispatchers, record: false })
try {
  await pipeline.configureApplication(1)
  const application = await pipeline.db.application.findUniqueOrThrow({ where: { appId: 1n } })
  await seedUsers(pipeline.db, application.id, users)
  const created = await pipeline.call('POST', '/push/campaign/create', { requestObject: { appId: 1, message: { title: 'Benchmark', body: 'Hello from Beacon', badge: 1 } } })
  const campaignId: string = created.body.responseObject.id
  // Users are added through the API, 10,000 per call, as an operator would.
  const addUsers = async (list: string[]) => {
    const response = await pipeline.call('PUT', `/push/campaign/${campaignId}/user/add`, { requestObject: list })
    if (response.status !== 200) throw new Error(`user/add: ${JSON.stringify(response.body)}`)
  }
  const batch: string[] = []
  for (const userId of userIds(users)) {
    batch.push(userId)
    if (batch.length === 10_000) await addUsers(batch.splice(0))
  }
  if (batch.length > 0) await addUsers(batch.splice(0))

  const memory = sampleMemory({ api: pipeline.api.child.pid!, ...Object.fromEntries(pipeline.dispatchers.map((d, i) => [`dispatcher${i + 1}`, d.child.pid!])) })
  const started = performance.now()
  const live = await pipeline.call('POST', `/push/campaign/send/live/${campaignId}`)
  if (live.status !== 200) throw new Error(`send/live: ${JSON.stringify(live.body)}`)
  await pipeline.until(async () => (await pipeline.db.campaign.findUniqueOrThrow({ where: { id: BigInt(campaignId) } })).completedAt !== null, 'completion', 30 * 60_000)
  const seconds = (performance.now() - started) / 1000
  const peaks = memory.stop()

  const sent = await pipeline.db.campaignDelivery.count({ where: { campaignId: BigInt(campaignId), status: 'SENT' } })
  const retried = await pipeline.db.campaignDelivery.groupBy({ by: ['platform'], where: { campaignId: BigInt(campaignId), attempts: { gt: 1 } }, _count: true })
  const received = pipeline.apns.counters.requests + pipeline.fcm.counters.requests
  const providers = { apns: pipeline.apns.counters.byStatus, fcm: pipeline.fcm.counters.byStatus, retried: Object.fromEntries(retried.map((r) => [r.platform, r._count])) }
  if (sent !== users || received !== users) throw new Error(`expected ${users} sent once each, recorded ${sent}, providers received ${received}: ${JSON.stringify(providers)}`)
  const result = {
    scenario: 'campaign end to end',
    date: new Date().toISOString(),
    cores: cpus().length,
    users,
    dispatchers,
    seconds: Number(seconds.toFixed(2)),
    notificationsPerSecond: Math.round(users / seconds),
    peakRssMb: Object.fromEntries(Object.entries(peaks).map(([name, bytes]) => [name, Math.round(bytes / 1024 / 1024)]))
  }
  console.log(JSON.stringify(result, null, 2))
  console.log(`results: ${await writeResults(result)}`)
} finally {
  await pipeline.close()
}
