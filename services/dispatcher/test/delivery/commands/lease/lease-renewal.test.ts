import { pino } from 'pino'
import t, { type Test } from 'tap'
import { until } from '../../../harness.js'
import { startDbHarness, type DbHarness } from '../../db-harness.js'
import { gate } from '../../scripted-provider.js'

const SENT = { kind: 'sent' } as const

/** A logger whose lines the test reads. */
function capturedLog () {
  const lines: Array<{ msg: string }> = []
  const log = pino({ level: 'debug' }, { write: (line: string) => { lines.push(JSON.parse(line) as { msg: string }) } })
  return { log, said: (text: string) => lines.some((line) => line.msg.includes(text)) }
}

/**
 * A trap on the lease's writes, set by the test: 'fail' makes every take, renewal or finish fail
 * (as a database away would), 'slow' holds each one for two seconds (a renewal still on its way).
 */
async function leaseTrap (h: DbHarness) {
  await h.db.pool.query('CREATE TABLE lease_trap (mode text NOT NULL)')
  await h.db.pool.query(`CREATE FUNCTION lease_trap () RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF EXISTS (SELECT 1 FROM lease_trap WHERE mode = 'fail') THEN RAISE EXCEPTION 'lease trap'; END IF;
      IF EXISTS (SELECT 1 FROM lease_trap WHERE mode = 'slow') THEN PERFORM pg_sleep(2); END IF;
      RETURN NEW;
    END $$`)
  await h.db.pool.query('CREATE TRIGGER lease_trap BEFORE INSERT OR UPDATE ON command_lease FOR EACH ROW EXECUTE FUNCTION lease_trap()')
  return {
    set: async (mode: 'fail' | 'slow') => { await h.db.pool.query('INSERT INTO lease_trap VALUES ($1)', [mode]) },
    clear: async () => { await h.db.pool.query('DELETE FROM lease_trap') }
  }
}

/** A message to one device ('a' of user 'u') whose provider holds the answer until the test opens it. */
async function heldMessage (t: Test) {
  const h = await startDbHarness(t)
  await h.addDevice('a', { userId: 'u' })
  const held = gate()
  h.provider.script('a', held.answer)
  return { h, held, command: await h.storeMessage('u') }
}

const leaseOf = async (h: DbHarness, key: string) => (await h.db.pool.query('SELECT holder::text FROM command_lease WHERE key = $1', [key])).rows
const renewalsOnTheirWay = async (h: DbHarness) =>
  (await h.db.pool.query('SELECT 1 FROM pg_stat_activity WHERE query LIKE \'%INSERT INTO command_lease AS l%\' AND state = \'active\' AND datname = current_database() AND pid <> pg_backend_pid()')).rowCount ?? 0

// guarantee: redelivery-waits-for-live-holder
// A holder that stopped renewing after one failed renewal would let its lease lapse while it
// sends: a copy handed out then (NATS restarting) would take the command over and send its
// devices a second time.
t.test('a renewal that fails (the database away a moment) is tried again at the next period: the lease stays live', async (t) => {
  const { h, held, command } = await heldMessage(t)
  const trap = await leaseTrap(h)
  const watch = capturedLog()
  const first = h.startHolder('first', command, { streams: 1, log: watch.log })
  await until(async () => h.provider.receipts.length === 1 && (await leaseOf(h, command.messageId)).length === 1, 'the request on the wire and the lease written')
  await trap.set('fail')
  await until(() => watch.said('lease not renewed'), 'a renewal failed')
  await trap.clear()
  const { rows: [failed] } = await h.db.pool.query<{ at: Date }>('SELECT now() AS at')
  // A lease renewed after the failure (1.5 s from then) outlives any written before it.
  await until(async () => (await h.db.pool.query('SELECT 1 FROM command_lease WHERE key = $1 AND expires_at > $2::timestamptz + interval \'1200 milliseconds\'', [command.messageId, failed!.at])).rowCount === 1,
    'the lease renewed after the failed renewal')
  held.open(SENT)
  await first.done
  t.same(first.settled, ['ack'])
  t.same(h.provider.receipts.map((r) => r.token), ['a'])
})

// The next copy would otherwise wait for a lease no one holds to lapse (the ack wait) before it
// sends anything.
t.test('a holder that gives the command back while a renewal is on its way waits for it: the lease is gone afterwards', async (t) => {
  const h = await startDbHarness(t)
  await h.addDevice('a', { userId: 'u' })
  h.provider.script('a', ['hang', SENT])
  const command = await h.storeMessage('u')
  const trap = await leaseTrap(h)
  const first = h.startHolder('first', command, { streams: 1 })
  await until(async () => h.provider.receipts.length === 1 && (await leaseOf(h, command.messageId)).length === 1, 'the request on the wire and the lease written')
  await trap.set('slow')
  await until(async () => await renewalsOnTheirWay(h) > 0, 'a renewal on its way')
  await trap.clear() // the one on its way still sleeps; the delete after it must not
  first.stop()
  await first.done
  t.same(first.settled, ['retry 0'])
  await until(async () => await renewalsOnTheirWay(h) === 0, 'the renewal done')
  t.same(await leaseOf(h, command.messageId), [], 'the lease went with the give-back, after the renewal')
})

// Marking the lease done is best effort: the results are out, and a command left unacknowledged
// would be handled again (every device whose answer the api has not recorded yet sent twice).
t.test('a holder whose lease cannot be marked done (the database away at the end) still acknowledges the command it finished', async (t) => {
  const { h, held, command } = await heldMessage(t)
  const trap = await leaseTrap(h)
  const first = h.startHolder('first', command, { streams: 1 })
  await until(async () => h.provider.receipts.length === 1 && (await leaseOf(h, command.messageId)).length === 1, 'the request on the wire and the lease written')
  await trap.set('fail')
  held.open(SENT)
  await first.done
  t.same(first.settled, ['ack'])
  t.same((await h.db.pool.query('SELECT done FROM command_lease WHERE key = $1', [command.messageId])).rows, [{ done: false }], 'the lease was not marked done (the control)')
})

// guarantee: overtaken-holder-stops
// Its ack would end the command under the new holder, which may still have devices to send.
t.test('a holder taken over without noticing (nothing left to claim, retry or renew) does not acknowledge the command at its end', async (t) => {
  const { h, held, command } = await heldMessage(t)
  // Written after its first second, then not renewed within the test.
  const first = h.startHolder('first', command, { streams: 1, lease: { durationMs: 60_000, renewEveryMs: 60_000 } })
  await until(async () => h.provider.receipts.length === 1 && (await leaseOf(h, command.messageId)).length === 1, 'the request on the wire and the lease written')
  await h.db.pool.query('UPDATE command_lease SET holder = gen_random_uuid(), expires_at = now() + interval \'1 minute\' WHERE key = $1', [command.messageId])
  held.open(SENT)
  await first.done
  t.same(first.settled, [], 'neither acknowledged nor given back')
  t.ok(first.run.overtaken, 'and known as overtaken')
})
