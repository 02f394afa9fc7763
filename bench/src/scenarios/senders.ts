// The dispatcher's senders alone: its own APNs and FCM senders (the code a dispatcher runs, on
// node-apn and firebase-admin) in one child process, sending the campaign's notification, half
// APNs, half FCM, to the same mocks (in this process), fed 1,000-device chunks 2 at a time as a
// dispatcher sends them by default; no queue, no database, no results recorded. Beside the peer
// it shows what the provider libraries cost as Beacon drives them; beside the campaign, what the
// pipeline around them costs.
import { cpus } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { byPid, measureCpu, measureMachineCpu, microsecondsEach } from '../cpu-usage.js'
import { sampleMemory } from '../sample-memory.js'
import { startChild } from './ceiling/child.js'
import { startProviderMocks } from './provider-mocks.js'
import type { SendersReply, SendersRequest } from './senders/child.js'
import { warmupCount } from './warm-up.js'

export interface SendersOptions { notifications: number }

// CAMPAIGN_CHUNK_USERS and DISPATCHER_CHUNKS_SENDING defaults: the chunks sending at once.
const chunk = 1000
const chunksInHand = 2

export async function runSenders ({ notifications }: SendersOptions) {
  const mocks = await startProviderMocks()
  const child = startChild<SendersRequest, SendersReply>(join(dirname(fileURLToPath(import.meta.url)), 'senders', 'child.ts'), mocks.childEnv)
  try {
    // Warms up both sides (JIT, connections, the OAuth token and APNs JWT); not scored.
    await child.ask({ count: warmupCount(notifications), chunk, chunksInHand })
    mocks.reset()
    const pid = child.process.pid!
    const memory = sampleMemory({ senders: pid })
    const cpu = measureCpu({ senders: byPid(pid), 'bench (provider mocks)': byPid(process.pid) })
    const machine = measureMachineCpu()
    const run = await child.ask({ count: notifications, chunk, chunksInHand })
    const cpuSeconds = cpu.stop()
    const hostStealPercent = machine.stop().stealPercent
    const peaks = memory.stop()

    const { split, accepted } = mocks.expectHalfAndHalf(notifications, `the senders reported ${JSON.stringify(run.outcomes)}`, 'HTTP/2')
    if (run.outcomes.sent !== notifications) throw new Error(`the mocks accepted every notification, but the senders reported ${JSON.stringify(run.outcomes)}`)
    return {
      scenario: "senders alone: the dispatcher's APNs and FCM senders to the provider mocks, no queue, no database",
      date: new Date().toISOString(),
      cores: cpus().length,
      notifications,
      seconds: Number(run.seconds.toFixed(2)),
      notificationsPerSecond: Math.round(notifications / run.seconds),
      split,
      accepted,
      chunk,
      chunksInHand,
      peakRssMb: { senders: Math.round(peaks.senders! / 1024 / 1024) },
      cpuSeconds,
      hostStealPercent,
      cpuMicrosecondsPerNotification: microsecondsEach(cpuSeconds, notifications)
    }
  } finally {
    await child.close()
    await mocks.close()
  }
}
