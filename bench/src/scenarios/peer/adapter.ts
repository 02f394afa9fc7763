// The peer's process: Parse Server's push adapter (@parse/push-adapter, unchanged) configured as a
// Parse Server would configure it, fed installations in Parse Server's batches.
import { randomBytes } from 'node:crypto'
import { createRequire } from 'node:module'
import ParsePushAdapter, { type Installation } from '@parse/push-adapter'
import { serveParent } from '../ceiling/child.js'
import { mockCredential, pointFcmSessionsAt, type ServiceAccount } from './mock-hooks.js'

export interface PeerRequest { count: number, batchSize: number, batchesInFlight: number }
export interface PeerReply {
  seconds: number
  /** Installations the adapter reported transmitted, and not, by device type. */
  transmitted: Record<string, number>
  failed: Record<string, number>
  firstError: string | undefined
  adapterVersion: string
}

const setting = (name: string): string => {
  const value = process.env[name]
  if (value === undefined || value === '') throw new Error(`${name} is not set`)
  return value
}
const topic = setting('APNS_TOPIC')
const account = JSON.parse(setting('FCM_SERVICE_ACCOUNT')) as ServiceAccount

// The adapter's own firebase-admin (its pinned copy, not another in the workspace): the one whose
// default app the adapter picks up.
const adapterRequire = createRequire(createRequire(import.meta.url).resolve('@parse/push-adapter'))
const adapterVersion: string = adapterRequire('../package.json').version
const { initializeApp } = adapterRequire('firebase-admin/app') as { initializeApp (options: object): unknown }

// The hooks on the FCM side. The adapter's FCM sender calls initializeApp({ credential:
// cert(firebaseServiceAccount) }) only when no app exists yet, and otherwise uses the default
// app; so the default app is created first with a credential that asks the mock's OAuth
// endpoint, and HTTP/2 sessions to FCM connect to the mock's TLS endpoint. The adapter's sending
// is untouched.
pointFcmSessionsAt({ host: '127.0.0.1', port: Number(setting('FCM_H2_PORT')), ca: setting('FCM_CA') })
initializeApp({ credential: mockCredential(account), projectId: account.project_id })

const adapter = new ParsePushAdapter({
  // node-apn's Provider takes `address`, `port` and `ca` besides the token: configuration alone
  // reaches the APNs mock (the adapter hands these options to node-apn as they are).
  ios: {
    token: { key: setting('APNS_KEY'), keyId: setting('APNS_KEY_ID'), teamId: setting('APNS_TEAM_ID') },
    topic,
    production: false,
    address: 'localhost',
    port: Number(setting('APNS_PORT')),
    ca: [setting('APNS_CA')]
  },
  // firebase-admin's default transport (sendEach over HTTP/2), as the adapter runs in production
  // and as Beacon's dispatcher sends.
  android: { firebaseServiceAccount: account }
})

// A REST push body as Parse Server receives it ({ data }) for the campaign's notification.
const body = { data: { alert: 'Hello from Beacon', title: 'Benchmark', badge: 1 } }

async function run ({ count, batchSize, batchesInFlight }: PeerRequest): Promise<PeerReply> {
  // Installations alternate iOS and Android (Parse Server pages them by objectId, so each batch
  // mixes both), with the providers' token shapes; made before the clock starts.
  const installations: Installation[] = Array.from({ length: count }, (_, i) => i % 2 === 0
    ? { deviceType: 'ios', deviceToken: randomBytes(32).toString('hex'), appIdentifier: topic }
    : { deviceType: 'android', deviceToken: `bench:${randomBytes(16).toString('hex')}` })
  const transmitted: Record<string, number> = {}
  const failed: Record<string, number> = {}
  let firstError: string | undefined
  let next = 0
  const started = performance.now()
  const worker = async () => {
    for (let start = next; start < count; start = next) {
      next += batchSize
      // Each of Parse Server's work items is parsed from JSON: every batch gets its own copy of
      // the body (the FCM sender deletes keys from it).
      const results = await adapter.send(structuredClone(body), installations.slice(start, start + batchSize))
      for (const result of results) {
        const tally = result.transmitted ? transmitted : failed
        tally[result.device.deviceType] = (tally[result.device.deviceType] ?? 0) + 1
        if (!result.transmitted) firstError ??= JSON.stringify(result.response)
      }
    }
  }
  await Promise.all(Array.from({ length: batchesInFlight }, worker))
  return { seconds: (performance.now() - started) / 1000, transmitted, failed, firstError, adapterVersion }
}

serveParent(run)
