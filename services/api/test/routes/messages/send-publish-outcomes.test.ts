import { createDb } from '@beacon/db'
import { until } from '@beacon/testkit'
import { TransportError, TransportErrorCode } from '@beacon/transport'
import t from 'tap'
import { buildApp, call } from '../../helper.js'

// A send's own publish (the fast path) and what becomes of its outbox row: a publish that failed
// leaves it to the sweeper, a refusal ends the message. Long sweep interval and grace: only the
// request's own handling touches the row here.
const message = { userId: 'alice', body: { title: 'Hi', body: 'there' } }
const quietOutbox = { OUTBOX_SWEEP_INTERVAL_MS: '60000', OUTBOX_PUBLISH_GRACE_MS: '60000' }

t.test('a send whose own publish fails is answered 200 and its command waits in the outbox for the sweeper, past the api\'s close', async (t) => {
  const { app, config } = await buildApp(t, quietOutbox)
  await app.db.application.create({ data: { appId: '2', name: 'app' } })
  app.transport.publishCommand = async () => { throw new TransportError(TransportErrorCode.PUBLISH_FAILED, 'no connection') }
  const sentAt = Date.now()
  const response = await call(app, 'POST', '/push/message/send', { requestObject: { appId: 2, mode: 'ASYNCHRONOUS', message } })
  t.equal(response.statusCode, 200)
  // Left to the request for OUTBOX_PUBLISH_GRACE_MS: a sweeper's round meanwhile would publish it a second time.
  const [row] = await app.db.outbox.findMany({ where: { kind: 'command' } })
  t.ok(row !== undefined && row.publishAfter.getTime() >= sentAt + 59_000, 'the sweeper leaves the row alone for the grace')
  // Closing flushes the rows handed over for deletion: a failed one must not be among them.
  await app.close()
  const db = createDb({ url: config.databaseUrl })
  t.teardown(() => db.$disconnect())
  const [stored] = await db.message.findMany()
  const rows = await db.outbox.findMany({ where: { kind: 'command' } })
  t.equal(rows.length, 1, 'the command is still in the outbox')
  t.match(rows[0]?.payload, { kind: 'message', messageId: stored?.id })
  t.match(stored, { failureReason: null, completedAt: null }, 'the message still to be sent')
})

/** How many summary watches the api opened, and how many it ended (waited out or cancelled): one left open is kept forever. */
function countWatches (app: Awaited<ReturnType<typeof buildApp>>['app']) {
  const counts = { opened: 0, ended: 0 }
  const watchSummary = app.transport.watchSummary.bind(app.transport)
  app.transport.watchSummary = (messageId) => {
    const watch = watchSummary(messageId)
    counts.opened++
    let ended = false
    const end = () => { if (!ended) counts.ended++; ended = true }
    return { wait: async (ms) => { try { return await watch.wait(ms) } finally { end() } }, cancel: () => { end(); watch.cancel() } }
  }
  return counts
}

t.test('a send whose publish is refused answers 503, and its message is ended NotQueued', async (t) => {
  const { app } = await buildApp(t, quietOutbox)
  await app.db.application.create({ data: { appId: '2', name: 'app' } })
  app.transport.publishCommand = async () => { throw new TransportError(TransportErrorCode.PUBLISH_REFUSED, 'too large') }
  const watches = countWatches(app)
  const response = await call(app, 'POST', '/push/message/send', { requestObject: { appId: 2, mode: 'ASYNCHRONOUS', message } })
  t.equal(response.statusCode, 503)
  t.match(response.json(), { status: 'ERROR' })
  const [stored] = await app.db.message.findMany()
  t.match(stored, { failureReason: 'NotQueued', completedAt: Date })
  t.same(watches, { opened: 0, ended: 0 }, 'an ASYNCHRONOUS send watches for no summary')
  const sync = await call(app, 'POST', '/push/message/batch/send', { requestObject: { appId: 2, mode: 'SYNCHRONOUS', batch: [message, message] } })
  t.equal(sync.statusCode, 503, 'SYNCHRONOUS too')
  t.same(watches, { opened: 2, ended: 2 }, 'its summary watches closed with the refusal')
  t.equal(await app.db.message.count({ where: { failureReason: 'NotQueued' } }), 3)
  // Refused for good: its row goes (with the window's other published rows), never to be published again.
  await until(async () => await app.db.outbox.count() === 0, 'the refused command\'s outbox row deleted')
})

// Recording the refusal fails too (the database at that moment): the message is stored and its row
// stays, so the sweeper's next round publishes it again and records the refusal: not a 500.
t.test('a refusal whose recording fails: the send is answered as stored and the row left to the sweeper', async (t) => {
  const { app } = await buildApp(t, quietOutbox)
  await app.db.application.create({ data: { appId: '2', name: 'app' } })
  app.transport.publishCommand = async () => { throw new TransportError(TransportErrorCode.PUBLISH_REFUSED, 'too large') }
  const query = app.db.pool.query.bind(app.db.pool)
  app.db.pool.query = (async (...args: Parameters<typeof query>) => {
    const text = (args[0] as { text?: string }).text ?? ''
    if (text.includes('failure_reason = $2')) throw new Error('Connection terminated unexpectedly')
    return await query(...args)
  }) as typeof query
  t.teardown(() => { app.db.pool.query = query })
  const response = await call(app, 'POST', '/push/message/send', { requestObject: { appId: 2, mode: 'ASYNCHRONOUS', message } })
  t.equal(response.statusCode, 200, response.body)
  t.equal(await app.db.outbox.count({ where: { kind: 'command' } }), 1, 'the row is kept for the sweeper')
  t.match(await app.db.message.findFirst(), { completedAt: null })
})
