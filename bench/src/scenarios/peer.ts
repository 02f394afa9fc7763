// The peer: Parse Server's push adapter (@parse/push-adapter from npm, node-apn for APNs and
// firebase-admin for FCM) sending the campaign's notification — half to APNs, half to FCM, as in
// the campaign benchmark — to the same mocks (in this process) from one child process, fed as
// Parse Server feeds it: batches of 100 installations per `adapter.send(body, installations)`.
import { cpus } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { byPid, measureCpu, measureMachineCpu, microsecondsEach } from '../cpu-usage.js'
import { warmupCount } from './warm-up.js'
import { sampleMemory } from '../sample-memory.js'
import { startChild } from './ceiling/child.js'
import { startProviderMocks } from './provider-mocks.js'
import type { PeerReply, PeerRequest } from './peer/adapter.js'

export interface PeerOptions {
  notifications: number
  /** Skip the search and keep this many batches in flight. */
  batchesInFlight?: number
}

// Parse Server's PushQueue pages installations 100 at a time (DEFAULT_BATCH_SIZE).
const batchSize = 100
// Parse Server's in-process queue starts every batch at once, each after its own database query;
// without a database that would be thousands of sockets at once. Instead the peer gets its best
// of a few bounded settings, as the ceiling does.
const candidates = [1, 4, 16, 64]
const transmitted = (reply: PeerReply) => Object.values(reply.transmitted).reduce((sum, n) => sum + n, 0)

export async function runPeer ({ notifications, batchesInFlight }: PeerOptions) {
  const mocks = await startProviderMocks()
  const peer = startChild<PeerRequest, PeerReply>(join(dirname(fileURLToPath(import.meta.url)), 'peer', 'adapter.ts'), mocks.childEnv)
  try {
    const slice = warmupCount(notifications)
    const perSecond = (count: number, reply: PeerReply) => Math.round(count / reply.seconds)
    // Warms up both sides (JIT, connections, the OAuth token); not scored.
    await peer.ask({ count: slice, batchSize, batchesInFlight: 4 })
    const trials: Array<{ batchesInFlight: number, notificationsPerSecond: number, lost: number }> = []
    if (batchesInFlight === undefined) {
      for (const setting of candidates) {
        const reply = await peer.ask({ count: slice, batchSize, batchesInFlight: setting })
        trials.push({ batchesInFlight: setting, notificationsPerSecond: perSecond(slice, reply), lost: slice - transmitted(reply) })
      }
    }
    // A setting that loses notifications does not qualify, however fast (too many in flight and
    // node-apn's 5 s request timeout gives up on streams still waiting in its one session).
    const qualified = trials.filter((trial) => trial.lost === 0)
    if (batchesInFlight === undefined && qualified.length === 0) throw new Error(`every setting lost notifications: ${JSON.stringify(trials)}`)
    const chosen = batchesInFlight ?? qualified.reduce((a, b) => b.notificationsPerSecond > a.notificationsPerSecond ? b : a).batchesInFlight

    mocks.reset()
    const pid = peer.process.pid!
    const memory = sampleMemory({ peer: pid })
    const cpu = measureCpu({ peer: byPid(pid), 'bench (provider mocks)': byPid(process.pid) })
    const machine = measureMachineCpu()
    const run = await peer.ask({ count: notifications, batchSize, batchesInFlight: chosen })
    const cpuSeconds = cpu.stop()
    const hostStealPercent = machine.stop().stealPercent
    const peaks = memory.stop()

    const report = `the adapter reported transmitted ${JSON.stringify(run.transmitted)}, failed ${JSON.stringify(run.failed)}, first error ${run.firstError}`
    const { split, accepted } = mocks.expectHalfAndHalf(notifications, report, 'HTTP/2')
    if (transmitted(run) !== notifications) throw new Error(`the mocks accepted every notification, but ${report}`)
    return {
      scenario: 'peer: Parse Server push adapter to the provider mocks',
      date: new Date().toISOString(),
      cores: cpus().length,
      adapter: `@parse/push-adapter ${run.adapterVersion}`,
      fcmIncluded: true,
      notifications,
      seconds: Number(run.seconds.toFixed(2)),
      notificationsPerSecond: perSecond(notifications, run),
      split,
      accepted,
      batchSize,
      batchesInFlight: chosen,
      trials: batchesInFlight === undefined ? { notificationsEach: slice, results: trials } : null,
      peakRssMb: { peer: Math.round(peaks.peer! / 1024 / 1024) },
      cpuSeconds,
      hostStealPercent,
      cpuMicrosecondsPerNotification: microsecondsEach(cpuSeconds, notifications)
    }
  } finally {
    await peer.close()
    await mocks.close()
  }
}
