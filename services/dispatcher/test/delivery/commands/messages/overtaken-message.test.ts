import { pino } from 'pino'
import t from 'tap'
import { until } from '../../../harness.js'
import { startDbHarness } from '../../db-harness.js'
import { gate } from '../../scripted-provider.js'
import { messageClaimRows, publishedRows, recordPublished, summaries } from '../../rows.js'

const SENT = { kind: 'sent' } as const
// Written after a second and not renewed within the test: only the test takes the lease over.
const LONG_LEASE = { durationMs: 60_000, renewEveryMs: 60_000 }

// A holder learns it was overtaken from a refused claim. Refused for its last window after its
// every request was answered, nothing of its delivery is left over (not interrupted), yet the
// command is the new holder's: a summary from it would end the message with the devices it never
// reached left out, before (or beside) the new holder's.
t.test('a holder whose last window is refused (overtaken) after every request of its was answered publishes its answers but no summary, and neither acknowledges nor gives back', async (t) => {
  const h = await startDbHarness(t)
  for (const label of ['a', 'b', 'c']) await h.addDevice(label, { userId: 'u' })
  const gateA = gate()
  const gateB = gate()
  h.provider.script('a', gateA.answer)
  h.provider.script('b', gateB.answer)
  const command = await h.storeMessage('u')
  const lines: Array<{ msg: string }> = []
  const log = pino({ level: 'debug' }, { write: (line: string) => { lines.push(JSON.parse(line) as { msg: string }) } })
  // One slot, windows of one: a on the wire, b claimed ahead, c claimed once a is answered.
  const first = h.startHolder('first', command, { streams: 1, lease: LONG_LEASE, log })
  await until(async () => h.provider.receipts.length === 1 && (await h.db.messageDelivery.count({ where: { messageId: command.messageId } })) === 2 &&
    (await h.db.pool.query('SELECT 1 FROM command_lease WHERE key = $1', [command.messageId])).rowCount === 1, 'a on the wire, b claimed ahead, the lease written')

  // c's claim waits behind the test's lock on the claims until b too is answered and the lease is another holder's.
  const lock = await h.db.pool.connect()
  t.teardown(() => { lock.release() })
  await lock.query('BEGIN')
  await lock.query('LOCK TABLE message_delivery IN EXCLUSIVE MODE')
  gateA.open(SENT)
  await until(async () => h.provider.receipts.length === 2 &&
    ((await h.db.pool.query('SELECT 1 FROM pg_stat_activity WHERE wait_event_type = \'Lock\' AND datname = current_database()')).rowCount ?? 0) > 0,
  'b on the wire and c\'s claim waiting for the lock')
  await h.db.pool.query('UPDATE command_lease SET holder = gen_random_uuid(), expires_at = now() + interval \'1 minute\' WHERE key = $1', [command.messageId])
  gateB.open(SENT)
  await until(() => first.run.results.size === 2, 'b answered')
  await lock.query('COMMIT')
  await first.done

  t.ok(first.run.overtaken, 'overtaken by the refused claim')
  t.same(h.provider.receipts.map((r) => r.token), ['a', 'b'], 'c was not sent by the overtaken holder')
  t.same(summaries(h), [], 'no summary: the command is the new holder\'s to finish')
  t.same(publishedRows(h), [['a', 'SENT', null, 1, false, false], ['b', 'SENT', null, 1, false, false]], 'the answers it had are published')
  t.same(first.settled, [], 'neither acknowledged nor handed back')
  t.ok(lines.some((line) => line.msg === 'another dispatcher took the command over; stopped'), 'it says why it stopped')
})

// The claims an overtaken holder leaves unanswered are the new holder's: a device waiting for its
// retry there was claimed again (the same row) and sent by the new holder. Released by the
// overtaken one, that row would be gone, and the new holder's answer recorded onto nothing.
t.test('an overtaken holder with a device waiting for its retry leaves that claim to the new holder: the new holder\'s answer is recorded on it', async (t) => {
  const h = await startDbHarness(t)
  await h.addDevice('a', { userId: 'u' })
  h.provider.script('a', [{ kind: 'retry', reason: 'TooManyRequests', retryAfterMs: 2500 }, SENT])
  const command = await h.storeMessage('u')
  const first = h.startHolder('first', command, { streams: 1, lease: LONG_LEASE, retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 10, retryAfterMaxMs: 10_000 } })
  await until(async () => h.provider.receipts.length === 1 && (await h.db.pool.query('SELECT 1 FROM command_lease WHERE key = $1', [command.messageId])).rowCount === 1, 'a answered "retry", the lease written')
  await h.db.pool.query('UPDATE command_lease SET expires_at = now() - interval \'1 second\' WHERE key = $1', [command.messageId])
  const second = h.startHolder('second', command, { deliveryCount: 2, streams: 1 })
  await second.done
  await first.done
  t.same([first.settled, second.settled], [[], ['ack']])
  t.ok(first.run.overtaken, 'the first holder found itself overtaken before its retry')
  t.same(h.provider.receipts.map((r) => `${r.holder}:${r.token}`), ['first:a', 'second:a'])
  await recordPublished(h)
  t.same(await messageClaimRows(h, command.messageId), [['a', 'SENT', null, 1, false]], 'the claim kept, with the new holder\'s answer')
})
