// Single SYNCHRONOUS `POST /push/message/send` calls, one user (one device) each, at a steady
// offered rate: api -> NATS -> dispatcher -> provider mock -> outcome -> HTTP answer. Measures
// how long a notification takes to reach the provider and how long the caller waits.
import { mkdtemp, rm } from 'node:fs/promises'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { pipelineAuthorization, startPipeline } from '@beacon/testkit'
import { byName, byPid, measureCpu, measureMachineCpu, microsecondsEach } from '../cpu-usage.js'
import { seedMessageHistory, seedUsers } from '../seed.js'
import { PROFILE_START_SIGNAL, profilerEnv, summariseProfiles } from './registration/cpu-profile.js'
import { matchDeliveries, type Sample, type Target } from './single-messages/deliveries.js'
import { jsonClient, openLoop, percentiles } from './single-messages/open-loop.js'

export interface SingleMessagesOptions {
  ratePerSecond?: number
  seconds: number
  /** Devices registered (half APNs, half FCM); default: one per request, warm-up included. */
  users?: number
  /**
   * Unscored requests at the same rate first (default 10 s). V8's function events of both services
   * show TurboFan compiling 50-370 ms a second through the first ~10 s of this load, 10-60 after:
   * with the 2 s used before, ~15% of the CPU measured per message was that warm-up, which a
   * server in service has long done (README, "Benchmarks").
   */
  warmupSeconds?: number
  /**
   * Earlier messages stored (each complete, with one delivery) and the tables analyzed before the first
   * send: a server in service has history. On a new database's
   * empty tables the send path's prepared statements keep sequential-scan plans while the tables
   * grow under the run (seed.ts).
   */
  history?: number
  /** Kept-alive connections to the api; enough that the client never queues at these rates. */
  sockets?: number
  /** Runs the api and the dispatcher with --cpu-prof and adds their top self-time functions. */
  profile?: boolean
  /** Run the services from their build (as production does) rather than from sources through tsx. */
  fromBuild?: boolean
  /** Extra node options of the api and of the dispatcher (e.g. a heap limit). */
  apiNodeArgs?: string[]
  dispatcherNodeArgs?: string[]
  /** Extra environment of the api and of the dispatcher (e.g. DISPATCHER_CONCURRENCY). */
  apiEnv?: Record<string, string>
  dispatcherEnv?: Record<string, string>
}

export async function runSingleMessages ({ ratePerSecond = 500, seconds, users, history = 100_000, warmupSeconds = 10, sockets = 256, profile = false, fromBuild = false, apiNodeArgs = [], dispatcherNodeArgs = [], apiEnv = {}, dispatcherEnv = {} }: SingleMessagesOptions) {
  if (!(warmupSeconds >= 0 && Number.isFinite(warmupSeconds))) throw new Error(`warm-up seconds: a number from 0, got ${warmupSeconds}`)
  const warmups = Math.round(ratePerSecond * warmupSeconds)
  const count = Math.round(ratePerSecond * seconds)
  const devices = users ?? warmups + count
  // The per-request logs stay on: each notification's arrival time is read from them.
  const profiles = profile ? await mkdtemp(join(tmpdir(), 'beacon-bench-prof-')) : undefined
  const env = profiles === undefined ? {} : profilerEnv(profiles)
  const pipeline = await startPipeline({ dispatchers: 1, record: true, apiEnv: { ...apiEnv, ...env }, dispatcherEnv: { ...dispatcherEnv, ...env }, fromBuild, apiNodeArgs, dispatcherNodeArgs }).catch(async (error: unknown) => {
    if (profiles !== undefined) await rm(profiles, { recursive: true, force: true })
    throw error
  })
  const client = jsonClient(pipeline.url, pipelineAuthorization, sockets)
  try {
    await pipeline.configureApplication(1)
    const application = await pipeline.db.application.findUniqueOrThrow({ where: { appId: '1' } })
    await seedUsers(pipeline.db, application.id, devices)
    await seedMessageHistory(pipeline.db, application.id, history)
    const targets = await pipeline.db.$queryRaw<Target[]>`
      SELECT a.user_id AS "userId", d.push_token AS token, d.platform::text AS platform
        FROM device_activation a JOIN device d ON d.id = a.device_id
       WHERE a.application_id = ${application.id} ORDER BY a.user_id`
    const send = (target: Target) => client.post('/push/message/send', {
      requestObject: { appId: 1, message: { userId: target.userId, body: { title: 'Benchmark', body: 'Hello from Beacon' } } }
    })

    // Warm-up on the first users: connections, JIT, provider sessions and tokens. A SYNCHRONOUS
    // answer comes after the outcome, so once all are answered the mocks have seen them all.
    await openLoop(warmups, ratePerSecond, async (i) => { await send(targets[i % targets.length]!).catch(() => undefined) })
    pipeline.apns.reset()
    pipeline.fcm.reset()
    if (profiles !== undefined) for (const service of [pipeline.api, pipeline.dispatchers[0]!]) service.child.kill(PROFILE_START_SIGNAL)

    // The mocks stamp arrivals with Date.now(): slots are translated to that clock once.
    const epochOffset = Date.now() - performance.now()
    const samples: Sample[] = []
    const cpu = measureCpu({
      api: byPid(pipeline.api.child.pid!),
      dispatcher: byPid(pipeline.dispatchers[0]!.child.pid!),
      'bench (client, provider mocks)': byPid(process.pid),
      postgres: byName('postgres'),
      nats: byName('nats-server')
    })
    const machine = measureMachineCpu()
    const run = await openLoop(count, ratePerSecond, async (i, scheduledAt) => {
      const target = targets[(warmups + i) % targets.length]!
      const answer = await send(target).catch(() => ({ status: 0, body: undefined }))
      const result = answer.body?.responseObject?.result
      const sent = answer.status === 200 && result !== undefined && result.ios.sent + result.android.sent === 1
      samples.push({ target, scheduledEpochMs: scheduledAt + epochOffset, roundTripMs: performance.now() - scheduledAt, status: answer.status, sent })
    })
    const cpuSeconds = cpu.stop()
    const hostStealPercent = machine.stop().stealPercent

    const delivery = matchDeliveries(samples, (target) => (target.platform === 'APNS' ? pipeline.apns.received(target.token) : pipeline.fcm.received(target.token)))
    const ok = samples.filter((sample) => sample.status === 200)
    const errors: Record<string, number> = {}
    for (const { status } of samples) {
      const key = status === 0 ? 'connection' : String(status)
      if (status !== 200) errors[key] = (errors[key] ?? 0) + 1
    }
    // A profile is written at a clean exit only: SIGTERM lets both services shut down.
    const profiled = profiles === undefined
      ? undefined
      : await Promise.all([pipeline.api.stop('SIGTERM'), pipeline.dispatchers[0]!.stop('SIGTERM')]).then(() => summariseProfiles(profiles))
        .then((summaries) => ({
          api: summaries.find((summary) => summary.file.endsWith(`.${pipeline.api.child.pid}.cpuprofile`)),
          dispatcher: summaries.find((summary) => summary.file.endsWith(`.${pipeline.dispatchers[0]!.child.pid}.cpuprofile`))
        }))
    return {
      scenario: 'single messages',
      cores: cpus().length,
      devices,
      earlierMessages: history,
      platforms: 'half APNs, half FCM',
      dispatchers: 1,
      requests: count,
      warmupRequests: warmups,
      ratePerSecond,
      // The n-th call's slot is (n - 1) / rate after the first: n - 1 intervals were issued.
      offeredPerSecond: Math.round((count - 1) / run.issueSeconds),
      // Answered 200, over the time from the first slot until the last answer.
      achievedPerSecond: Math.round(ok.length / run.totalSeconds),
      schedulerMaxLagMs: Math.round(run.maxLagMs * 10) / 10,
      // From the request's scheduled start; the mocks' clock has 1 ms steps.
      deliveryLatencyMs: percentiles(delivery.latencies),
      roundTripMs: percentiles(ok.map((sample) => sample.roundTripMs)),
      errors,
      notReportedSent: ok.filter((sample) => !sample.sent).length,
      deliveredOnceEach: delivery.missing === 0 && delivery.extra === 0,
      missingAtMock: delivery.missing,
      extraAtMock: delivery.extra,
      // Per request, in µs; only meaningful when nothing else runs on the machine.
      cpuSeconds,
      hostStealPercent,
      cpuMicrosecondsPerRequest: microsecondsEach(cpuSeconds, count),
      ...(profiled === undefined ? {} : { profiled: true, profiles: profiled })
    }
  } finally {
    client.close()
    await pipeline.close()
    if (profiles !== undefined) await rm(profiles, { recursive: true, force: true })
  }
}
