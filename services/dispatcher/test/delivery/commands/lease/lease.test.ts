import { pino } from 'pino'
import t, { type Test } from 'tap'
import { until } from '../../../harness.js'
import { startDbHarness, type DbHarness } from '../../db-harness.js'
import { gate, type ScriptedAnswer } from '../../scripted-provider.js'
import { messageClaimRows, recordPublished, summaries } from '../../rows.js'

const SENT = { kind: 'sent' } as const
// The first holder's lease is written after a second and not renewed within the test: only the
// test makes it lapse.
const LONG_LEASE = { durationMs: 60_000, renewEveryMs: 60_000 }

/** A logger whose lines the test reads (the waiting copy says so: the control for "it waits"). */
function capturedLog () {
  const lines: Array<{ msg: string }> = []
  const log = pino({ level: 'debug' }, { write: (line: string) => { lines.push(JSON.parse(line) as { msg: string }) } })
  return { lines, log, said: (text: string) => lines.some((line) => line.msg.includes(text)) }
}

const leaseOf = async (h: Awaited<ReturnType<typeof startDbHarness>>, key: string) =>
  (await h.db.pool.query<{ holder: string }>('SELECT holder::text FROM command_lease WHERE key = $1', [key])).rows

/** The first request is on the wire and its holder's lease written (after its first second). */
const firstRequestUnderLease = (h: Awaited<ReturnType<typeof startDbHarness>>, key: string) =>
  until(async () => h.provider.receipts.length === 1 && (await leaseOf(h, key)).length === 1, 'the first request on the wire and the lease written')

/**
 * A message to user u's devices `labels`, the first one's answer held at a gate (then `later`'s
 * answers), and its first holder (one stream, `holder`'s options besides) with that request on
 * the wire under its lease.
 */
async function firstHolderSending (t: Test, { labels = ['a'], later = [], holder = {} }: { labels?: string[], later?: ScriptedAnswer[], holder?: Parameters<DbHarness['startHolder']>[2] } = {}) {
  const h = await startDbHarness(t)
  for (const label of labels) await h.addDevice(label, { userId: 'u' })
  const held = gate()
  h.provider.script(labels[0]!, [held.answer, ...later])
  const command = await h.storeMessage('u')
  const first = h.startHolder('first', command, { streams: 1, ...holder })
  await firstRequestUnderLease(h, command.messageId)
  return { h, held, command, first }
}

// A copy handed back at a stop is numbered as the delivery it came from, 1 for a first one: it
// waits all the same (its holder's lease may still be live, were its release lost).
// guarantee: redelivery-waits-for-live-holder
t.test('a copy handed out again while its holder is alive and sending (its heartbeats lost with NATS) waits for it: every device sent once, by the first holder', async (t) => {
  for (const copy of [{ deliveryCount: 2 }, { deliveryCount: 1, handedBack: true }]) await t.test(JSON.stringify(copy), async (t) => { await liveHolderWaitedFor(t, copy) })
})

async function liveHolderWaitedFor (t: Test, copy: { deliveryCount: number, handedBack?: boolean }): Promise<void> {
  const { h, held, command, first } = await firstHolderSending(t, { labels: ['a', 'b', 'c', 'd'] })
  t.same((await leaseOf(h, command.messageId)).map((row) => row.holder), [first.run.claimant.holder], 'the lease is the first holder\'s')

  const watch = capturedLog()
  const second = h.startHolder('second', command, { ...copy, streams: 1, log: watch.log })
  await until(() => watch.said('another dispatcher holds this command; waiting'), 'the second copy waits for the live first holder')
  held.open(SENT)
  await first.done
  await second.done
  t.same(first.settled, ['ack'])
  t.same(second.settled, ['ack'], 'the second copy, once the first was done, acknowledged it')
  t.same(h.provider.receipts.map((r) => `${r.holder}:${r.token}`), ['first:a', 'first:b', 'first:c', 'first:d'], 'each device once, none by the second copy')
  await recordPublished(h)
  t.same(await messageClaimRows(h, command.messageId), ['a', 'b', 'c', 'd'].map((label) => [label, 'SENT', null, 1, false]))
  t.same(summaries(h).map((s) => s.ios), [{ sent: 4, pending: 0, failed: 0, total: 4 }], 'one summary, the first holder\'s')
  t.same((await h.db.pool.query('SELECT holder::text, done FROM command_lease WHERE key = $1', [command.messageId])).rows,
    [{ holder: first.run.claimant.holder, done: true }], 'the lease says the first holder finished the command (the answers were not recorded yet)')
}

// guarantee: overtaken-holder-stops
t.test('a holder whose lease lapsed (it could not renew it) is overtaken: it claims nothing more and neither acknowledges nor gives the command back; the new holder sends the rest', async (t) => {
  const watch = capturedLog()
  const { h, held, command, first } = await firstHolderSending(t, { labels: ['a', 'b', 'c', 'd', 'e'], later: [SENT], holder: { lease: LONG_LEASE, log: watch.log } })
  // What a database away from the first holder for longer than the lease would leave.
  await h.db.pool.query('UPDATE command_lease SET expires_at = now() - interval \'1 second\' WHERE key = $1', [command.messageId])

  const second = h.startHolder('second', command, { deliveryCount: 2, streams: 1 })
  await second.done
  t.same(second.settled, ['ack'])
  held.open(SENT)
  await first.done
  t.same(first.settled, [], 'the overtaken copy is neither acknowledged nor handed back: the new holder\'s ack ends the command')
  t.ok(watch.said('another dispatcher took the command over; stopped'), 'the first holder says why it stopped')
  t.same(h.provider.receipts.map((r) => `${r.holder}:${r.token}`).sort(),
    ['first:a', 'first:b', 'second:a', 'second:b', 'second:c', 'second:d', 'second:e'],
    'only the request on the wire (a) and the window claimed ahead (b) at the take-over went twice; the first holder claimed nothing after it')
  await recordPublished(h)
  t.same(await messageClaimRows(h, command.messageId), ['a', 'b', 'c', 'd', 'e'].map((label) => [label, 'SENT', null, 1, false]))
})

// guarantee: redelivery-waits-for-live-holder
t.test('the dispatcher stops while a copy waits for a live holder: the copy sends nothing and leaves the command to that holder (neither acknowledged nor handed back)', async (t) => {
  const { h, held, command, first } = await firstHolderSending(t)
  const watch = capturedLog()
  const second = h.startHolder('second', command, { deliveryCount: 2, streams: 1, log: watch.log })
  await until(() => watch.said('another dispatcher holds this command; waiting'), 'the second copy waits')
  second.stop()
  await second.done
  t.same(second.settled, [], 'handing it back would spend a delivery and wake a third copy that waits too')
  held.open(SENT)
  await first.done
  t.same(first.settled, ['ack'])
  t.same(h.provider.receipts.map((r) => `${r.holder}:${r.token}`), ['first:a'])
})

// guarantee: redelivery-waits-for-live-holder
t.test('the holder renews its lease while it sends: a copy handed out after the first lease would have lapsed still waits', async (t) => {
  const { h, held, command, first } = await firstHolderSending(t)
  const { rows: [written] } = await h.db.pool.query<{ expires_at: Date }>('SELECT expires_at FROM command_lease WHERE key = $1', [command.messageId])
  // By the database's clock, as the lease itself.
  await until(async () => (await h.db.pool.query('SELECT 1 FROM command_lease WHERE key = $1 AND now() > $2::timestamptz AND expires_at > now()', [command.messageId, written!.expires_at])).rowCount === 1,
    'the first lease\'s expiry passed, the lease still live (renewed)')
  const watch = capturedLog()
  const second = h.startHolder('second', command, { deliveryCount: 2, streams: 1, log: watch.log })
  await until(() => watch.said('another dispatcher holds this command; waiting'), 'the second copy waits for the renewed lease')
  held.open(SENT)
  await first.done
  await second.done
  t.same([first.settled, second.settled], [['ack'], ['ack']])
  t.same(h.provider.receipts.map((r) => `${r.holder}:${r.token}`), ['first:a'])
})

// guarantee: overtaken-holder-stops
t.test('a holder that finds at a renewal that its lease was taken stops: its answer published and written, but no summary and no ack', async (t) => {
  const watch = capturedLog()
  const { h, held, command, first } = await firstHolderSending(t, { holder: { log: watch.log } })
  // Another dispatcher's lease, as one that took over a lapsed lease would have written.
  await h.db.pool.query('UPDATE command_lease SET holder = gen_random_uuid(), expires_at = now() + interval \'1 minute\' WHERE key = $1', [command.messageId])
  await until(() => watch.said('lease was taken over by another dispatcher'), 'the first holder\'s renewal finds the lease taken')
  held.open(SENT)
  await first.done
  t.same(first.settled, [], 'left to the new holder (nothing else would have stopped it: it had no device left to claim or retry)')
  t.same(summaries(h), [], 'no summary from the overtaken holder')
  t.same(await messageClaimRows(h, command.messageId), [['a', 'SENT', null, 1, false]], 'its answer is written onto the claim')
})

// guarantee: overtaken-holder-stops
t.test('a device waiting for a retry when the lease is taken over is not retried by the overtaken holder (retries ask before they start)', async (t) => {
  const h = await startDbHarness(t)
  await h.addDevice('a', { userId: 'u' })
  h.provider.script('a', [{ kind: 'retry', reason: 'TooManyRequests', retryAfterMs: 2500 }, SENT])
  const command = await h.storeMessage('u')
  const first = h.startHolder('first', command, { streams: 1, lease: LONG_LEASE, retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 10, retryAfterMaxMs: 10_000 } })
  await firstRequestUnderLease(h, command.messageId)
  await h.db.pool.query('UPDATE command_lease SET expires_at = now() - interval \'1 second\' WHERE key = $1', [command.messageId])
  const second = h.startHolder('second', command, { deliveryCount: 2, streams: 1 })
  await second.done
  await first.done
  t.same(second.settled, ['ack'])
  t.same(first.settled, [], 'the overtaken holder neither acknowledged nor handed it back')
  t.same(h.provider.receipts.map((r) => `${r.holder}:${r.token}`), ['first:a', 'second:a'], 'a went out once more, by the new holder only')
  t.equal(summaries(h).length, 1, 'one summary, the new holder\'s')
})

t.test('a holder that gives the command back (SIGTERM) releases its lease first: the next copy starts without waiting', async (t) => {
  const h = await startDbHarness(t)
  await h.addDevice('a', { userId: 'u' })
  h.provider.script('a', ['hang', SENT])
  const command = await h.storeMessage('u')
  const first = h.startHolder('first', command, { streams: 1, lease: LONG_LEASE })
  await firstRequestUnderLease(h, command.messageId)
  first.stop()
  await first.done
  t.same(first.settled, ['retry 0'])
  t.same(await leaseOf(h, command.messageId), [], 'the lease went with the give-back')
  const watch = capturedLog()
  const second = h.startHolder('second', command, { deliveryCount: 2, streams: 1, log: watch.log })
  await second.done
  t.same(second.settled, ['ack'])
  t.notOk(watch.said('another dispatcher holds this command'), 'it did not wait (it would have said so before waiting)')
})

// guarantee: overtaken-holder-stops
t.test('a holder without NATS for ten lease durations lets its lease lapse: a copy that can reach NATS takes the command over at once', async (t) => {
  const watch = capturedLog()
  // Renewed every 50 ms while NATS is there: only the rule can let a 200 ms lease lapse.
  const { h, held, command, first } = await firstHolderSending(t, { later: [SENT], holder: { lease: { durationMs: 200, renewEveryMs: 50 }, log: watch.log } })
  first.health.down('nats')
  await until(() => watch.said('NATS unreachable for long: this command\'s lease is left to lapse'), 'the first holder gives its lease up')
  await until(async () => (await h.db.pool.query('SELECT 1 FROM command_lease WHERE key = $1 AND expires_at < now()', [command.messageId])).rowCount === 1,
    'the lease lapsed')
  const second = h.startHolder('second', command, { deliveryCount: 2, streams: 1 })
  await second.done
  t.same(second.settled, ['ack'], 'taken over and finished by the copy that can publish')
  held.open(SENT)
  await first.done
  t.same(first.settled, [], 'the first holder, overtaken, leaves the command to it')
  t.same(h.provider.receipts.map((r) => `${r.holder}:${r.token}`), ['first:a', 'second:a'])
})
