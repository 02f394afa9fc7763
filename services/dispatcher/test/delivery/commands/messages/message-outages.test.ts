import t from 'tap'
import { until } from '../../../harness.js'
import { startDbHarness, type DbHarness } from '../../db-harness.js'
import { publishedRows, summaries } from '../../rows.js'

const SENT = { kind: 'sent' } as const

// A single message's steps are held through an outage (CommandRun.hold): failed instead, the
// command would spend a delivery on it, and on its last one end FAILED with its devices unsent.

t.test('a message whose summary meets NATS away is held and publishes it once NATS is back: acknowledged, every device once', async (t) => {
  const h = await startDbHarness(t)
  await h.addDevice('a', { userId: 'u' })
  h.provider.script('a', SENT)
  const command = await h.storeMessage('u')
  const holder = h.startHolder('one', command, { summaryOutages: 2 })
  await holder.done
  t.same(holder.settled, ['ack'], 'finished on this delivery, not failed')
  t.same(summaries(h), [{ messageId: command.messageId, ios: { sent: 1, pending: 0, failed: 0, total: 1 }, android: { sent: 0, pending: 0, failed: 0, total: 0 } }], 'one summary')
  t.same(publishedRows(h), [['a', 'SENT', null, 1, false, false]])
  t.same(h.provider.receipts.map((r) => r.token), ['a'], 'sent once')
})

// guarantee: outage-holds-command
t.test('a message whose credentials cannot be read (the database shutting down) is held and reads them again: acknowledged, every device once', async (t) => {
  const h = await startDbHarness(t)
  await h.addDevice('a', { userId: 'u' })
  h.provider.script('a', SENT)
  const holder = h.startHolder('one', await h.storeMessage('u'), { credentialOutages: 2 })
  await holder.done
  t.same(holder.settled, ['ack'], 'finished on this delivery, not failed')
  t.same(h.provider.receipts.map((r) => r.token), ['a'], 'sent once')
  t.same(publishedRows(h), [['a', 'SENT', null, 1, false, false]])
})

/** The backends of this database waiting for a lock (not the test's own). */
const lockWaiters = async (h: DbHarness) =>
  (await h.db.pool.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = \'Lock\' AND pid <> pg_backend_pid()')).rows.map((row) => row.pid)

t.test('a message whose devices cannot be read (its connection ended by the server) is held, read again and sent: acknowledged, every device once', async (t) => {
  const h = await startDbHarness(t)
  await h.addDevice('a', { userId: 'u' })
  h.provider.script('a', SENT)
  const command = await h.storeMessage('u')
  // The devices' statement waits behind the test's lock, and its connection is then ended as a
  // restarting server ends it (57P01, an outage).
  const lock = await h.db.pool.connect()
  t.teardown(() => { lock.release() })
  await lock.query('BEGIN')
  await lock.query('LOCK TABLE device_activation IN ACCESS EXCLUSIVE MODE')
  const holder = h.startHolder('one', command)
  let first: number[] = []
  await until(async () => (first = await lockWaiters(h)).length === 1, 'the devices read, waiting for the lock')
  await h.db.pool.query('SELECT pg_terminate_backend($1)', [first[0]])
  await until(async () => { const now = await lockWaiters(h); return now.length === 1 && now[0] !== first[0] }, 'the read tried again on a new connection')
  await lock.query('COMMIT')
  await holder.done
  t.same(holder.settled, ['ack'], 'finished on this delivery, not failed')
  t.same(h.provider.receipts.map((r) => r.token), ['a'], 'sent once')
  t.equal(summaries(h).length, 1, 'one summary')
})
