// A live campaign of N users (one device each, half APNs, half FCM) end to end — api -> NATS ->
// dispatcher(s) -> provider mocks -> results recorded — timed from send/live until the campaign
// reads sent with every device counted once.
import { cpus } from 'node:os'
import { startPipeline } from '@beacon/testkit'
import { byName, byPid, measureCpu, measureMachineCpu, microsecondsEach } from '../cpu-usage.js'
import { sampleMemory } from '../sample-memory.js'
import { seedUsers, userIds } from '../seed.js'
import { campaignWarmupUsers } from './warm-up.js'

export interface CampaignOptions {
  users: number
  dispatchers: number
  /** Extra environment of the dispatchers. */
  dispatcherEnv?: Record<string, string>
  /** Extra environment of the api. */
  apiEnv?: Record<string, string>
  /** Run the services from their build (as production does) rather than from sources through tsx. */
  fromBuild?: boolean
  /** Write CPU profiles of the api and the dispatchers into this folder. */
  profileDir?: string
  /** Extra node options of the api and of the dispatchers (e.g. a heap limit). */
  apiNodeArgs?: string[]
  dispatcherNodeArgs?: string[]
  /** How long the provider mocks wait before each answer (a real provider's round trip; default 0). */
  providerAnswerDelayMs?: number
  /**
   * Users of an unscored campaign sent first (warm-up.ts); 0: none, the services measured cold.
   * Default: campaignWarmupUsers (a twentieth of the run per dispatcher).
   */
  warmupUsers?: number
}

type Pipeline = Awaited<ReturnType<typeof startPipeline>>

/** A campaign to the first `users` users, added through the API 10,000 per call, as an operator would. */
async function createCampaign (pipeline: Pipeline, users: number): Promise<string> {
  const created = await pipeline.call('POST', '/push/campaign/create', { requestObject: { appId: 1, message: { title: 'Benchmark', body: 'Hello from Beacon', badge: 1 } } })
  const campaignId: string = created.body.responseObject.id
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
  return campaignId
}

/** Sends the campaign live and waits until it completes. */
async function sendCampaign (pipeline: Pipeline, campaignId: string): Promise<void> {
  const live = await pipeline.call('POST', `/push/campaign/send/live/${campaignId}`)
  if (live.status !== 200) throw new Error(`send/live: ${JSON.stringify(live.body)}`)
  await pipeline.until(async () => (await pipeline.db.campaign.findUniqueOrThrow({ where: { id: BigInt(campaignId) } })).completedAt !== null, 'completion', 60 * 60_000)
}

export async function runCampaign ({ users, dispatchers, dispatcherEnv = {}, apiEnv = {}, fromBuild = false, profileDir, apiNodeArgs = [], dispatcherNodeArgs = [], providerAnswerDelayMs = 0, warmupUsers = campaignWarmupUsers(users, dispatchers) }: CampaignOptions) {
  if (!Number.isInteger(warmupUsers) || warmupUsers < 0) throw new Error(`warm-up users: a whole number from 0, got ${warmupUsers}`)
  const warmupSize = Math.min(warmupUsers, users)
  const profile = profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`]
  // Info-level logs: the pipeline waits for the services' start-up lines; requests here are few.
  const pipeline = await startPipeline({ dispatchers, record: false, dispatcherEnv, apiEnv, fromBuild, apiNodeArgs: [...profile, ...apiNodeArgs], dispatcherNodeArgs: [...profile, ...dispatcherNodeArgs], providerAnswerDelayMs })
  try {
    await pipeline.configureApplication(1)
    const application = await pipeline.db.application.findUniqueOrThrow({ where: { appId: '1' } })
    await seedUsers(pipeline.db, application.id, users)
    // Unscored, as the peer and the senders alone are warmed up (warm-up.ts): the first users get a campaign of their own.
    const warming = performance.now()
    let warmupSent = 0
    if (warmupSize > 0) {
      const warmupId = await createCampaign(pipeline, warmupSize)
      await sendCampaign(pipeline, warmupId)
      warmupSent = await pipeline.db.campaignDelivery.count({ where: { campaignId: BigInt(warmupId), status: 'SENT' } })
      pipeline.apns.reset()
      pipeline.fcm.reset()
    }
    const warmupSeconds = (performance.now() - warming) / 1000
    const campaignId = await createCampaign(pipeline, users)

    const services = { api: pipeline.api.child.pid!, ...Object.fromEntries(pipeline.dispatchers.map((d, i) => [`dispatcher${i + 1}`, d.child.pid!])) }
    const memory = sampleMemory(services)
    const cpu = measureCpu({
      ...Object.fromEntries(Object.entries(services).map(([name, pid]) => [name, byPid(pid)])),
      'bench (provider mocks)': byPid(process.pid),
      postgres: byName('postgres'),
      nats: byName('nats-server')
    })
    const machine = measureMachineCpu()
    const started = performance.now()
    await sendCampaign(pipeline, campaignId)
    const seconds = (performance.now() - started) / 1000
    const peaks = memory.stop()
    const cpuSeconds = cpu.stop()
    const { busySeconds: machineCpuSeconds, stealPercent: hostStealPercent } = machine.stop()

    const sent = await pipeline.db.campaignDelivery.count({ where: { campaignId: BigInt(campaignId), status: 'SENT' } })
    const received = pipeline.apns.counters.requests + pipeline.fcm.counters.requests
    // Every device is recorded once. A provider may have received a device twice: a request it
    // answered only after APNS_TIMEOUT_MS/FCM_TIMEOUT_MS is sent again (README), as happens when
    // the machine is overloaded. Each request must then be a recorded attempt: more requests than
    // attempts would be a send nobody recorded (two holders of one chunk).
    const { _sum: { attempts } } = await pipeline.db.campaignDelivery.aggregate({ where: { campaignId: BigInt(campaignId) }, _sum: { attempts: true } })
    if (pipeline.fcm.requestsByProtocol['HTTP/2'] !== pipeline.fcm.counters.requests) throw new Error(`FCM sends not all over HTTP/2 and TLS: ${JSON.stringify(pipeline.fcm.requestsByProtocol)}`)
    if (sent !== users || received < users || received > (attempts ?? 0)) {
      const providers = { apns: pipeline.apns.counters.byStatus, fcm: pipeline.fcm.counters.byStatus }
      throw new Error(`expected ${users} sent once each, recorded ${sent} with ${attempts} attempts, providers received ${received}: ${JSON.stringify(providers)}`)
    }
    return {
      scenario: 'campaign end to end',
      date: new Date().toISOString(),
      cores: cpus().length,
      users,
      warmup: { users: warmupSize, sent: warmupSent, seconds: Number(warmupSeconds.toFixed(2)) },
      dispatchers,
      ...(providerAnswerDelayMs === 0 ? {} : { providerAnswerDelayMs }),
      servicesFrom: fromBuild ? 'build' : 'sources (tsx)',
      seconds: Number(seconds.toFixed(2)),
      notificationsPerSecond: Math.round(users / seconds),
      // Requests sent again after a timeout (a provider got those devices twice).
      sentAgainAfterTimeout: received - users,
      peakRssMb: Object.fromEntries(Object.entries(peaks).map(([name, bytes]) => [name, Math.round(bytes / 1024 / 1024)])),
      cpuSeconds,
      // Every process of the machine: more than the measured ones' sum means others took CPU too.
      machineCpuSeconds,
      hostStealPercent,
      cpuMicrosecondsPerNotification: microsecondsEach(cpuSeconds, users)
    }
  } finally {
    await pipeline.close()
  }
}
