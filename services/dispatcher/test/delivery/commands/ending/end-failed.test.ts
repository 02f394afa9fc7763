import type { ChunkSummary, Command, DeviceResult, MessageSummary } from '@beacon/contracts'
import { createDb } from '@beacon/db'
import { databaseUrl } from '@beacon/testkit'
import type { Transport } from '@beacon/transport'
import { pino } from 'pino'
import t, { type Test } from 'tap'
import type { CredentialStore } from '../../../../src/credentials.js'
import { createDeadline } from '../../../../src/delivery/commands/deadline.js'
import { CommandRun } from '../../../../src/delivery/commands/run.js'
import { endFailed } from '../../../../src/delivery/commands/terminal.js'
import { sendSlotsRegistry } from '../../../../src/delivery/sends/send-slots.js'
import { createHealth } from '../../../../src/health.js'
import { until } from '../../../harness.js'
import { metricValue } from '../../../metrics/metric-values.js'
import { QUICK_LEASE, QUICK_RETRY, startDbHarness, type DbHarness } from '../../db-harness.js'

const quiet = pino({ enabled: false })
const FAILED_APNS = ['beacon_sends_total', { provider: 'apns', outcome: 'failed' }] as const

/** A run of `command` on its last delivery, its publishes collected, ended failed by the test. */
function lastDelivery (t: Test, h: DbHarness, command: Command) {
  const published = { summaries: [] as Array<MessageSummary | ChunkSummary>, results: [] as DeviceResult[][] }
  const transport = {
    watchConnection: () => ({ stop: async () => {} }),
    publishSummary: async (summary: MessageSummary, results: DeviceResult[] = []) => { published.summaries.push(summary); published.results.push(results) },
    publishDeviceResults: async (results: DeviceResult[]) => { published.results.push(results) },
    publishChunkSummary: async (summary: ChunkSummary) => { published.summaries.push(summary) }
  } as Partial<Transport> as Transport
  const health = createHealth(h.db, transport, quiet)
  let acked = 0
  const delivery = { command, deliveryCount: 3, firstDelivery: false, lastDelivery: true, working: () => {}, ack: async () => { acked++ }, retry: () => {}, handBack: async () => {} }
  const run = new CommandRun(delivery, health, new AbortController().signal, createDeadline())
  t.teardown(async () => { run.end(); await health.close() })
  const deps = { db: h.db, transport, credentials: {} as CredentialStore, senders: h.provider.sendersOf('one').senders, slots: sendSlotsRegistry({ APNS: 8, FCM: 8 }), health, retry: QUICK_RETRY, lease: QUICK_LEASE, log: quiet }
  return { run, published, acked: () => acked, end: () => endFailed(deps, run) }
}

const at = () => new Date().toISOString()

// A message failing on its last delivery reports each device once: an answer in hand stays the
// device's result even where it could not be written onto its claim (still PENDING in the
// database), and only the claims with no answer anywhere are reported FAILED DispatchFailed.
t.test('a message ended failed: its results name the message, its summary counts every device reported (each DispatchFailed one counted as failed)', async (t) => {
  const h = await startDbHarness(t)
  const answered = await h.addDevice('answered', { userId: 'u1' })
  const unanswered = await h.addDevice('unanswered', { userId: 'u1' })
  const android = await h.addDevice('android', { userId: 'u1', platform: 'FCM' })
  const command = await h.storeMessage('u1')
  for (const [deviceId, platform] of [[answered, 'APNS'], [unanswered, 'APNS'], [android, 'FCM']] as const) await h.db.messageDelivery.create({ data: { messageId: command.messageId, deviceId, platform } })
  const failing = lastDelivery(t, h, command)
  failing.run.addResults([{ messageId: command.messageId, deviceId: String(answered), platform: 'APNS', status: 'SENT', unconfirmed: false, tokenInvalid: false, attempts: 1, at: at() }])
  const before = await metricValue(...FAILED_APNS)

  await failing.end()
  t.same(failing.published.results.flat().map((r) => [h.label(r.deviceId), r.platform, 'messageId' in r ? r.messageId : null, r.status, r.reason ?? null, r.unconfirmed]).sort(),
    [['android', 'FCM', command.messageId, 'FAILED', 'DispatchFailed', true], ['answered', 'APNS', command.messageId, 'SENT', null, false], ['unanswered', 'APNS', command.messageId, 'FAILED', 'DispatchFailed', true]],
    'each device once, on its own platform, naming the message: the answer in hand (its claim still PENDING), and the claims no one answered')
  t.same(failing.published.summaries, [{ messageId: command.messageId, ios: { sent: 1, pending: 0, failed: 1, total: 2 }, android: { sent: 0, pending: 0, failed: 1, total: 1 }, reason: 'DispatchFailed' }],
    'one summary counting every device reported')
  t.equal(await metricValue(...FAILED_APNS) - before, 1, 'the APNs claim ended failed is counted as a failed send')
  t.equal(failing.acked(), 1, 'acknowledged')
})

t.test('a campaign chunk ended failed publishes its results (its own unanswered claims as DispatchFailed, naming the chunk), then its chunk summary with the reason, and is acknowledged', async (t) => {
  const h = await startDbHarness(t)
  const [, chunk] = await h.storeCampaign([['c0'], ['c1']])
  const campaignId = BigInt(chunk!.campaignId)
  const answered = await h.addDevice('answered', { userId: 'c1' })
  const unanswered = await h.addDevice('unanswered', { userId: 'c1' })
  const otherChunk = await h.addDevice('other-chunk', { userId: 'c0' })
  for (const [deviceId, n] of [[answered, 1], [unanswered, 1], [otherChunk, 0]] as const) await h.db.campaignDelivery.create({ data: { campaignId, deviceId, chunk: n, platform: 'APNS' } })
  const failing = lastDelivery(t, h, chunk!)
  failing.run.addResults([{ campaignId: chunk!.campaignId, chunk: 1, deviceId: String(answered), platform: 'APNS', status: 'SENT', unconfirmed: false, tokenInvalid: false, attempts: 1, at: at() }])
  const before = await metricValue(...FAILED_APNS)

  await failing.end()
  t.same(failing.published.results.flat().map((r) => [h.label(r.deviceId), 'campaignId' in r ? [r.campaignId, r.chunk] : null, r.status, r.reason ?? null, r.unconfirmed]).sort(),
    [['answered', [chunk!.campaignId, 1], 'SENT', null, false], ['unanswered', [chunk!.campaignId, 1], 'FAILED', 'DispatchFailed', true]],
    'the answer in hand and the chunk\'s own unanswered claim, each once; another chunk\'s claim is not this chunk\'s')
  t.same(failing.published.summaries, [{ campaignId: chunk!.campaignId, chunk: 1, ios: { sent: 1, pending: 0, failed: 1, total: 2 }, android: { sent: 0, pending: 0, failed: 0, total: 0 }, reason: 'DispatchFailed' }],
    'the chunk summary with the reason')
  t.equal(await metricValue(...FAILED_APNS) - before, 1, 'the claim ended failed is counted')
  t.equal(failing.acked(), 1, 'acknowledged')
})

// Ending a command failed is its last chance to be reported: a read of its claims that meets an
// outage is held (tried again once the database answers), not failed with the command left unreported.
t.test('a command ended failed whose claims cannot be read a moment (its connection ended by the server) reads them again and reports them', async (t) => {
  const h = await startDbHarness(t)
  const unanswered = await h.addDevice('unanswered', { userId: 'u1' })
  const command = await h.storeMessage('u1')
  await h.db.messageDelivery.create({ data: { messageId: command.messageId, deviceId: unanswered, platform: 'APNS' } })
  const failing = lastDelivery(t, h, command)
  // The read waits behind the test's lock, and its connection is then ended as a restarting server ends it (57P01, an outage).
  // Its own connections: the command's statements have the harness's pool.
  const side = createDb({ url: databaseUrl((await h.db.pool.query<{ name: string }>('SELECT current_database() AS name')).rows[0]!.name), poolSize: 2 })
  const lock = await side.pool.connect()
  t.teardown(async () => { lock.release(); await side.$disconnect() })
  await lock.query('BEGIN')
  await lock.query('LOCK TABLE message_delivery IN ACCESS EXCLUSIVE MODE')
  const waiters = async () => (await side.pool.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = \'Lock\' AND pid <> pg_backend_pid()')).rows.map((row) => row.pid)
  const ending = failing.end()
  ending.catch(() => {})
  let first: number[] = []
  await until(async () => (first = await waiters()).length === 1, 'the claims read, waiting for the lock')
  await side.pool.query('SELECT pg_terminate_backend($1)', [first[0]])
  await until(async () => { const now = await waiters(); return now.length === 1 && now[0] !== first[0] }, 'the read tried again on a new connection')
  await lock.query('COMMIT')
  await ending
  t.same(failing.published.results.flat().map((r) => [h.label(r.deviceId), r.status, r.reason ?? null]), [['unanswered', 'FAILED', 'DispatchFailed']])
  t.equal(failing.acked(), 1, 'reported and acknowledged')
})
