import t, { type Test } from 'tap'
import { until } from '../../../harness.js'
import { startDbHarness, type DbHarness } from '../../db-harness.js'
import { messageClaimRows, publishedRows } from '../../rows.js'

const SENT = { kind: 'sent' } as const
const WAIT_LONG = { kind: 'retry', reason: 'TooManyRequests', retryAfterMs: 600_000 } as const

/**
 * A trap on the writes of answers onto a message's claims (UPDATE): set, each one fails as a
 * database shutting down would (SQLSTATE 57P03, an outage: the step is held), counted in a sequence
 * (not rolled back with the statement). Claims (INSERT) and releases (DELETE) go through.
 */
async function answerWriteTrap (h: DbHarness) {
  await h.db.pool.query('CREATE TABLE answer_trap (on_ boolean NOT NULL)')
  await h.db.pool.query('CREATE SEQUENCE answer_trap_hits')
  await h.db.pool.query(`CREATE FUNCTION answer_trap () RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF EXISTS (SELECT 1 FROM answer_trap) THEN
        PERFORM nextval('answer_trap_hits');
        RAISE EXCEPTION 'the database system is shutting down' USING ERRCODE = '57P03';
      END IF;
      RETURN NEW;
    END $$`)
  await h.db.pool.query('CREATE TRIGGER answer_trap BEFORE UPDATE ON message_delivery FOR EACH ROW EXECUTE FUNCTION answer_trap()')
  return {
    set: async () => { await h.db.pool.query('INSERT INTO answer_trap VALUES (true)') },
    clear: async () => { await h.db.pool.query('DELETE FROM answer_trap') },
    hits: async () => Number((await h.db.pool.query<{ n: string }>('SELECT last_value AS n FROM answer_trap_hits WHERE is_called')).rows[0]?.n ?? 0)
  }
}

/** 'a' answered and 'waiting' waiting for a retry ten minutes off (a hanging 'hung' too when asked). */
async function answeredAndWaiting (t: Test, options: { hung?: boolean, publishRefusals?: number } = {}) {
  const h = await startDbHarness(t)
  const labels = ['a', 'waiting', ...(options.hung === true ? ['hung'] : [])]
  for (const label of labels) await h.addDevice(label, { userId: 'u' })
  h.provider.script('a', SENT)
  h.provider.script('waiting', [WAIT_LONG, SENT])
  h.provider.script('hung', ['hang', SENT])
  const command = await h.storeMessage('u')
  const holder = h.startHolder('first', command, { publishRefusals: options.publishRefusals ?? 0 })
  await until(() => h.provider.receipts.length === labels.length && holder.run.results.size === 1, 'every device requested once, a answered')
  return { h, command, holder }
}

// The publish at a give-back failing for good (not an outage) fails the command, which publishes
// its answers once more and writes them before the lease goes. Were the failure passed over, the
// answer would be written on its claim (the next holder does not send it again) but published by
// no one: its result lost.
t.test('a give-back whose publish of the answers in hand is refused (not an outage) fails the command: the answer is published once more, and written on its claim', async (t) => {
  const { h, command, holder } = await answeredAndWaiting(t, { publishRefusals: 1 })
  holder.stop()
  await t.rejects(holder.done, { message: 'device results refused' }, 'the command failed (the dispatcher redelivers it later)')
  t.same(holder.settled, [], 'not given back as if nothing had happened')
  t.same(publishedRows(h), [['a', 'SENT', null, 1, false, false]], 'the answer published')
  t.same((await messageClaimRows(h, command.messageId)).filter(([label]) => label === 'a'), [['a', 'SENT', null, 1, false]], 'and written on its claim')
})

t.test('a give-back meeting a database outage with time left holds the write of its answers until the database is back, then gives the command back', async (t) => {
  const { h, command, holder } = await answeredAndWaiting(t)
  const trap = await answerWriteTrap(h)
  await trap.set()
  holder.stop({ deadline: false })
  await until(async () => await trap.hits() >= 2, 'the write of the answers tried again')
  await trap.clear()
  await holder.done
  t.same(holder.settled, ['retry 0'], 'given back once the answers were written')
  t.same(await messageClaimRows(h, command.messageId), [['a', 'SENT', null, 1, false]], 'the answer written, the waiting device\'s claim released')
})

t.test('a give-back meeting a database outage at the deadline skips the write of its answers but still releases what waits and gives the command back', async (t) => {
  const { h, command, holder } = await answeredAndWaiting(t, { hung: true })
  const trap = await answerWriteTrap(h)
  await trap.set()
  holder.stop()
  await holder.done
  t.ok(await trap.hits() >= 1, 'the write of the answers was tried')
  t.same(holder.settled, ['retry 0'], 'given back, not failed')
  t.same(publishedRows(h), [['a', 'SENT', null, 1, false, false]], 'the answer published')
  t.same(await messageClaimRows(h, command.messageId), [['a', 'PENDING', null, 0, false], ['hung', 'PENDING', null, 0, false]],
    'the answer not written (skipped at the deadline), the request on the wire keeps its claim, the waiting device\'s claim released')
})
