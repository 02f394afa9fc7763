import type { DeviceResult, MessageSummary } from '@beacon/contracts'
import type { Transport } from '@beacon/transport'
import { pino } from 'pino'
import t from 'tap'
import type { CredentialStore } from '../../../src/credentials.js'
import { createDeadline } from '../../../src/delivery/commands/deadline.js'
import { CommandRun } from '../../../src/delivery/commands/run.js'
import { endFailed } from '../../../src/delivery/commands/terminal.js'
import { sendSlotsRegistry } from '../../../src/delivery/sends/send-slots.js'
import { createHealth } from '../../../src/health.js'
import { QUICK_LEASE, QUICK_RETRY, startDbHarness } from '../db-harness.js'

const quiet = pino({ enabled: false })

// A message failing on its last delivery reports each device once: an answer in hand stays the
// device's result even where it could not be written onto its claim (still PENDING in the
// database), and only the claims with no answer anywhere are reported FAILED DispatchFailed.
t.test('a command ended failed reports an answer in hand once, though its claim is still PENDING; unanswered claims as DispatchFailed', async (t) => {
  const h = await startDbHarness(t)
  const answered = await h.addDevice('answered', { userId: 'u1' })
  const unanswered = await h.addDevice('unanswered', { userId: 'u1' })
  const command = await h.storeMessage('u1')
  for (const deviceId of [answered, unanswered]) await h.db.messageDelivery.create({ data: { messageId: command.messageId, deviceId, platform: 'APNS' } })

  const published: Array<{ summary: MessageSummary, results: DeviceResult[] }> = []
  const transport = {
    watchConnection: () => ({ stop: async () => {} }),
    publishSummary: async (summary: MessageSummary, results: DeviceResult[]) => { published.push({ summary, results }) }
  } as Partial<Transport> as Transport
  const health = createHealth(h.db, transport, quiet)
  let acked = 0
  const delivery = { command, deliveryCount: 3, firstDelivery: false, lastDelivery: true, working: () => {}, ack: async () => { acked++ }, retry: () => {}, handBack: async () => {} }
  const run = new CommandRun(delivery, health, new AbortController().signal, createDeadline())
  t.teardown(async () => { run.end(); await health.close() })
  run.addResults([{ messageId: command.messageId, deviceId: String(answered), platform: 'APNS', status: 'SENT', unconfirmed: false, tokenInvalid: false, attempts: 1, at: new Date().toISOString() }])
  const deps = { db: h.db, transport, credentials: {} as CredentialStore, senders: h.provider.sendersOf('one').senders, slots: sendSlotsRegistry({ APNS: 8, FCM: 8 }), health, retry: QUICK_RETRY, lease: QUICK_LEASE, log: quiet }

  await endFailed(deps, run)
  t.equal(published.length, 1, 'one summary')
  t.same(published[0]!.results.map((r) => [h.label(r.deviceId), r.status, r.reason ?? null, r.unconfirmed]).sort(),
    [['answered', 'SENT', null, false], ['unanswered', 'FAILED', 'DispatchFailed', true]], 'each device once: the answer in hand, and the claim no one answered')
  t.match(published[0]!.summary, { reason: 'DispatchFailed' })
  t.equal(acked, 1, 'acknowledged')
})
