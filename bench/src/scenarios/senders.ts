// The dispatcher's senders alone: its own APNs and FCM senders (the code a dispatcher runs, on
// node-apn and firebase-admin) in one child process, sending the campaign's notification, half
// APNs, half FCM, to the same mocks (in this process), fed 1,000-device chunks 16 at a time as a
// dispatcher takes them by default; no queue, no database, no results recorded. Beside the peer
// it shows what the provider libraries cost as Beacon drives them; beside the campaign, what the
// pipeline around them costs.
import { cpus } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { BUNDLE, startApnsMock, startFcmMock } from '@beacon/testkit'
import { byPid, measureCpu } from '../cpu-usage.js'
import { sampleMemory } from '../sample-memory.js'
import { startChild } from './ceiling/child.js'
import type { SendersReply, SendersRequest } from './senders/child.js'

export interface SendersOptions { notifications: number }

// CAMPAIGN_CHUNK_USERS and DISPATCHER_CONCURRENCY defaults.
const chunk = 1000
const chunksInHand = 16

export async function runSenders ({ notifications }: SendersOptions) {
  const [apns, fcm] = await Promise.all([startApnsMock({ record: false }), startFcmMock({ record: false })])
  const key = apns.createKey({ bundles: [BUNDLE] })
  const account = fcm.createServiceAccount({ projectId: 'beacon-bench' })
  const child = startChild<SendersRequest, SendersReply>(join(dirname(fileURLToPath(import.meta.url)), 'senders', 'child.ts'), {
    APNS_PORT: String(apns.port),
    APNS_CA: apns.ca,
    APNS_KEY: key.privateKeyPem,
    APNS_KEY_ID: key.keyId,
    APNS_TEAM_ID: key.teamId,
    APNS_TOPIC: BUNDLE,
    FCM_URL: fcm.url,
    FCM_PROJECT_ID: account.project_id,
    FCM_SERVICE_ACCOUNT: JSON.stringify(account)
  })
  try {
    // Warms up both sides (JIT, connections, the OAuth token and APNs JWT); not scored.
    await child.ask({ count: Math.min(Math.max(Math.round(notifications / 20), 2000), 20_000), chunk, chunksInHand })
    apns.reset()
    fcm.reset()
    const pid = child.process.pid!
    const memory = sampleMemory({ senders: pid })
    const cpu = measureCpu({ senders: byPid(pid), 'bench (provider mocks)': byPid(process.pid) })
    const run = await child.ask({ count: notifications, chunk, chunksInHand })
    const cpuSeconds = cpu.stop()
    const peaks = memory.stop()

    const split = { apns: Math.ceil(notifications / 2), fcm: Math.floor(notifications / 2) }
    const accepted = { apns: apns.counters.byStatus[200] ?? 0, fcm: fcm.counters.byStatus[200] ?? 0 }
    if (accepted.apns !== split.apns || accepted.fcm !== split.fcm || run.outcomes.sent !== notifications || apns.counters.requests + fcm.counters.requests !== notifications) {
      throw new Error(`sent ${JSON.stringify(split)}: the mocks accepted ${JSON.stringify(accepted)} (APNs ${JSON.stringify(apns.counters.byStatus)}, FCM ${JSON.stringify(fcm.counters.byStatus)}); the senders reported ${JSON.stringify(run.outcomes)}`)
    }
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
      cpuMicrosecondsPerNotification: Object.fromEntries(Object.entries(cpuSeconds).map(([name, s]) => [name, Math.round(s * 1e6 / notifications)]))
    }
  } finally {
    await child.close()
    await Promise.all([apns.close(), fcm.close()])
  }
}
