// The process of "senders alone": the dispatcher's own APNs and FCM senders (node-apn and
// firebase-admin, as the dispatcher configures them), handed campaign chunks as a dispatcher
// hands them, with no queue, no database and no results recorded.
import { createApnsSender, createFcmSender, type ApplicationCredentials, type DeviceTarget, type Notification, type SendOutcome } from '@beacon/dispatcher/senders'
import { serveParent } from '../ceiling/child.js'

export interface SendersRequest {
  count: number
  /** Devices per chunk (half APNs, half FCM), as CAMPAIGN_CHUNK_USERS users of one device each. */
  chunk: number
  /** Chunks sending at once, as DISPATCHER_CHUNKS_SENDING. */
  chunksInHand: number
}
export interface SendersReply { seconds: number, outcomes: Record<string, number> }

const setting = (name: string): string => {
  const value = process.env[name]
  if (value === undefined || value === '') throw new Error(`${name} is not set`)
  return value
}

// The dispatcher's defaults: APNS_MAX_STREAMS 250, FCM_CONCURRENCY 256, 10 s timeouts.
const apns = createApnsSender({ url: new URL(`https://localhost:${setting('APNS_PORT')}`), ca: Buffer.from(setting('APNS_CA')), requestTimeoutMs: 10_000, maxStreams: 250 })
const serviceAccount = JSON.parse(setting('FCM_SERVICE_ACCOUNT'))
// FCM over TLS, as Google serves it (the mock's certificate trusted as FCM_CA_FILE would be). The
// FCM mock is its own token endpoint, on 127.0.0.1: allowed by name, and as a private address.
const fcm = createFcmSender({
  url: new URL(setting('FCM_ENDPOINT')),
  ca: Buffer.from(setting('FCM_CA')),
  requestTimeoutMs: 10_000,
  concurrency: 256,
  tokenEndpoints: { allowedUris: [serviceAccount.token_uri], allowPrivateNetworks: true }
})
const credentials: ApplicationCredentials = {
  id: 1,
  appId: '1',
  version: 1,
  apns: { bundle: setting('APNS_TOPIC'), keyId: setting('APNS_KEY_ID'), teamId: setting('APNS_TEAM_ID'), production: false, privateKeyPem: setting('APNS_KEY') },
  fcm: { projectId: setting('FCM_PROJECT_ID'), serviceAccount }
}
// The campaign benchmark's message; campaigns are alerts at HIGH priority.
const notification: Notification = { silent: false, priority: 'HIGH', body: { title: 'Benchmark', body: 'Hello from the campaign' } }
const apnsToken = (n: number) => n.toString(16).padStart(64, '0')
const fcmToken = (n: number) => `bench${n.toString(36).padStart(6, '0')}:APA91b${'x'.repeat(80)}`

async function sendChunk (first: number, size: number): Promise<SendOutcome[]> {
  const targets: DeviceTarget[] = Array.from({ length: size }, (_, i) => {
    const n = first + i
    return n % 2 === 0
      ? { id: BigInt(n), token: apnsToken(n), platform: 'APNS', environment: null }
      : { id: BigInt(n), token: fcmToken(n), platform: 'FCM', environment: null }
  })
  // APNs and FCM side by side, as the dispatcher's deliver() does.
  const groups = await Promise.all([[apns, 'APNS'], [fcm, 'FCM']].map(async ([sender, platform]) => {
    const preparation = (sender as typeof apns).prepare(credentials, notification)
    if (!preparation.ok) throw new Error(preparation.reason)
    return preparation.prepared.send(targets.filter((target) => target.platform === platform))
  }))
  return groups.flat()
}

serveParent<SendersRequest, SendersReply>(async ({ count, chunk, chunksInHand }) => {
  const outcomes: Record<string, number> = {}
  const started = process.hrtime.bigint()
  let next = 0
  const lane = async () => {
    while (next < count) {
      const first = next
      next += chunk
      for (const outcome of await sendChunk(first, Math.min(chunk, count - first))) outcomes[outcome.kind] = (outcomes[outcome.kind] ?? 0) + 1
    }
  }
  await Promise.all(Array.from({ length: chunksInHand }, lane))
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, outcomes }
})
