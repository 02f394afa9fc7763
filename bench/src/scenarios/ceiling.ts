// The machine's ceiling: one Node process sending the campaign's notification straight over
// HTTP/2 to the APNs mock (in this process, as in the campaign benchmark), with no queue and no
// database, at the best of a few concurrency settings. What Beacon's pipeline costs on top of
// pure sending is the gap between this and the campaign figure.
import { cpus } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { BUNDLE, startApnsMock } from '@beacon/testkit'
import { byPid, measureCpu, measureMachineCpu, microsecondsEach } from '../cpu-usage.js'
import { sampleMemory } from '../sample-memory.js'
import { startChild } from './ceiling/child.js'
import type { SendReply, SendRequest } from './ceiling/sender.js'

export interface CeilingOptions {
  notifications: number
  /** Skip the search and send with these (both must be given). */
  sessions?: number
  streamsPerSession?: number
}

interface Setting { sessions: number, streamsPerSession: number }

// Beyond ~250 streams per session only latency grows (shared/PLATFORM.md); a few sessions let
// the sender spread its writes over several sockets.
const candidates: Setting[] = [1, 2, 4].flatMap((sessions) => [50, 100, 250].map((streamsPerSession) => ({ sessions, streamsPerSession })))

export async function runCeiling ({ notifications, sessions, streamsPerSession }: CeilingOptions) {
  const apns = await startApnsMock({ record: false })
  const key = apns.createKey({ bundles: [BUNDLE] })
  const sender = startChild<SendRequest, SendReply>(join(dirname(fileURLToPath(import.meta.url)), 'ceiling', 'sender.ts'), {
    APNS_PORT: String(apns.port),
    APNS_CA: apns.ca,
    APNS_KEY: key.privateKeyPem,
    APNS_KEY_ID: key.keyId,
    APNS_TEAM_ID: key.teamId,
    APNS_TOPIC: BUNDLE
  })
  try {
    // Trials run on a slice of the count: long enough to settle, short beside the run itself.
    const slice = Math.min(Math.max(Math.round(notifications / 20), 2000), 20_000)
    const perSecond = (count: number, reply: SendReply) => Math.round(count / reply.seconds)
    // The first pass only warms both sides up (JIT, TLS, the mock's token cache); it is not scored.
    await sender.ask({ count: slice, sessions: 1, streamsPerSession: 100 })
    const trials: Array<Setting & { notificationsPerSecond: number, lost: number }> = []
    const given = sessions !== undefined && streamsPerSession !== undefined ? { sessions, streamsPerSession } : undefined
    if (given === undefined) {
      for (const setting of candidates) {
        const reply = await sender.ask({ count: slice, ...setting })
        trials.push({ ...setting, notificationsPerSecond: perSecond(slice, reply), lost: slice - reply.accepted })
      }
    }
    // Speed that loses notifications does not count.
    const qualified = trials.filter((trial) => trial.lost === 0)
    if (given === undefined && qualified.length === 0) throw new Error(`every setting lost notifications: ${JSON.stringify(trials)}`)
    const best: Setting = given ?? qualified.reduce((a, b) => b.notificationsPerSecond > a.notificationsPerSecond ? b : a)

    apns.reset()
    const pid = sender.process.pid!
    const memory = sampleMemory({ sender: pid })
    const cpu = measureCpu({ sender: byPid(pid), 'bench (APNs mock)': byPid(process.pid) })
    const machine = measureMachineCpu()
    const run = await sender.ask({ count: notifications, sessions: best.sessions, streamsPerSession: best.streamsPerSession })
    const cpuSeconds = cpu.stop()
    const hostStealPercent = machine.stop().stealPercent
    const peaks = memory.stop()
    const accepted = apns.counters.byStatus[200] ?? 0
    if (accepted !== notifications || apns.counters.requests !== notifications || run.accepted !== notifications) {
      throw new Error(`sent ${notifications}: the mock accepted ${accepted} of ${apns.counters.requests} requests ${JSON.stringify(apns.counters.byStatus)}, the sender saw ${run.accepted} accepted, failures ${JSON.stringify(run.failures)}`)
    }
    return {
      scenario: 'ceiling: one process, HTTP/2 straight to the APNs mock',
      date: new Date().toISOString(),
      cores: cpus().length,
      notifications,
      seconds: Number(run.seconds.toFixed(2)),
      notificationsPerSecond: perSecond(notifications, run),
      sessions: best.sessions,
      streamsPerSession: best.streamsPerSession,
      accepted,
      trials: given === undefined ? { notificationsEach: slice, results: trials } : null,
      peakRssMb: { sender: Math.round(peaks.sender! / 1024 / 1024) },
      cpuSeconds,
      hostStealPercent,
      cpuMicrosecondsPerNotification: microsecondsEach(cpuSeconds, notifications)
    }
  } finally {
    await sender.close()
    await apns.close()
  }
}
