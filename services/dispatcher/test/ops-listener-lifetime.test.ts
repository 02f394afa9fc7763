import { createServer } from 'node:net'
import { freePort, spawnService } from '@beacon/testkit'
import t from 'tap'
import { resultsOf, startHarness } from './harness.js'

const healthz = async (port: number) => (await fetch(`http://127.0.0.1:${port}/healthz`)).status

// The ops listener's lifetime frames the dispatcher's work: an orchestrator probing it never sees
// a dispatcher at work without it, nor loses it while commands are still being finished.
// guarantee: dispatcher-ops-listener-lifetime
t.test('the ops listener starts before the dispatcher takes commands and closes when it stops', async (t) => {
  const h = await startHarness(t)
  const [device] = await h.addDevices('ops-lifetime', 1, 'APNS')
  const command = await h.storeMessage('ops-lifetime')
  await h.transport.publishCommand(command)

  // Its port taken: the listener cannot start, so the dispatcher must never take the command
  // waiting for it. Checked once the process is gone, so nothing it could still do is missed.
  const port = await freePort()
  const squatter = createServer()
  await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve))
  const refused = spawnService('services/dispatcher/src/server.ts', h.dispatcherEnv({ METRICS_PORT: String(port), METRICS_HOST: '127.0.0.1', LOG_LEVEL: 'info' }))
  t.teardown(() => { refused.stop('SIGKILL').catch(() => {}) })
  t.equal(await refused.exited, 1, 'exit 1')
  t.match(refused.output(), /EADDRINUSE/)
  t.notMatch(refused.output(), /dispatcher started/, 'its consumer never started')
  t.equal(h.apns.log.length, 0, 'nothing sent')
  t.equal(await h.db.messageDelivery.count({ where: { messageId: command.messageId } }), 0, 'no device claimed')
  await new Promise<void>((resolve) => squatter.close(() => resolve()))

  // Its port free: while the command is in hand and the stop waits for it, the listener answers;
  // once the dispatcher has stopped, it is gone.
  h.apns.script(device!, 'hang')
  const dispatcher = spawnService('services/dispatcher/src/server.ts', h.dispatcherEnv({ METRICS_PORT: String(port), METRICS_HOST: '127.0.0.1', SHUTDOWN_TIMEOUT_MS: '10000', LOG_LEVEL: 'info' }))
  t.teardown(() => { dispatcher.stop('SIGKILL').catch(() => {}) })
  await h.until(() => h.apns.log.length === 1, 'the command taken (its request on the wire)')
  t.equal(await healthz(port), 200, 'answering while the command is in hand')
  dispatcher.child.kill('SIGTERM')
  await dispatcher.waitForOutput(/stopping: finishing commands in hand/)
  t.equal(await healthz(port), 200, 'still answering while the dispatcher finishes its commands')
  t.equal(await dispatcher.exited, 0)
  t.match(dispatcher.output(), /stopping: command given back/, 'the stop waited for the command')
  await t.rejects(healthz(port), 'closed once the dispatcher stopped')
  t.equal(resultsOf(h.events, command.messageId).summary, undefined, 'the command was given back, not finished')
})
