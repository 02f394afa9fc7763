import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { sendMessages } from '../../../src/domain/messages/messages.js'
import { buildApp } from '../../helper.js'

// The api starts to close while a SYNCHRONOUS send is still publishing its command: once
// published, it must answer at once with what it knows (as at its timeout), not wait out
// SYNC_TIMEOUT_MS, which would hold the close until its connections are cut and the answer lost.
// The wait cut by a close that starts during it: test/server/lifecycle/shutdown.test.ts.
t.test('a SYNCHRONOUS send whose api began closing before its wait answers at once, counting nothing as sent', async (t) => {
  const { app } = await buildApp(t)
  await app.db.application.create({ data: { appId: '2', name: 'app2' } })
  const publish = app.transport.publishCommand.bind(app.transport)
  let release = () => {}
  const released = new Promise<void>((resolve) => { release = resolve })
  let publishing = () => {}
  const started = new Promise<void>((resolve) => { publishing = resolve })
  app.transport.publishCommand = async (...args) => {
    publishing()
    await released
    return await publish(...args)
  }
  // The api's own closing signal is aborted only by its close: this send's stands in for it.
  const closing = new AbortController()
  const closingApp = Object.create(app, { closing: { value: closing.signal } }) as FastifyInstance

  const syncTimeoutMs = 30_000
  const sending = sendMessages(closingApp, '2', [{ userId: 'alice', body: { title: 'Hi' } }], 'SYNCHRONOUS', syncTimeoutMs)
  await started
  closing.abort()
  const before = Date.now()
  release()
  const outcome = await Promise.race([sending, new Promise((resolve) => setTimeout(resolve, 10_000, 'still waiting'))])
  t.not(outcome, 'still waiting', 'answered, not held until SYNC_TIMEOUT_MS')
  t.ok(Date.now() - before < 10_000)
  const none = { sent: 0, pending: 0, failed: 0, total: 0 }
  t.match(outcome, { messageIds: [String], result: { ios: none, android: none } })
})
