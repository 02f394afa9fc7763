import { createDb } from '@beacon/db'
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
  const response = await call(app, 'POST', '/push/message/send', { requestObject: { appId: 2, mode: 'ASYNCHRONOUS', message } })
  t.equal(response.statusCode, 200)
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

t.test('a send whose publish is refused answers 503, and its message is ended NotQueued', async (t) => {
  const { app } = await buildApp(t, quietOutbox)
  await app.db.application.create({ data: { appId: '2', name: 'app' } })
  app.transport.publishCommand = async () => { throw new TransportError(TransportErrorCode.PUBLISH_REFUSED, 'too large') }
  const response = await call(app, 'POST', '/push/message/send', { requestObject: { appId: 2, mode: 'ASYNCHRONOUS', message } })
  t.equal(response.statusCode, 503)
  t.match(response.json(), { status: 'ERROR' })
  const [stored] = await app.db.message.findMany()
  t.match(stored, { failureReason: 'NotQueued', completedAt: Date })
})
