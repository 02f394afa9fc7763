import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { faultPreloadPath, spawnService } from '@beacon/testkit'
import t from 'tap'
import { startHarness } from './harness.js'

// guarantee: api-uncaught-error-closes
t.test('an uncaught exception in a dispatcher with a command in hand: logged at fatal, the command given back, exit code 1 before the deadline', async (t) => {
  const h = await startHarness(t)
  const [hung] = await h.addDevices('uncaught', 1, 'APNS')
  h.apns.script(hung!, [{ kind: 'slow', delayMs: 120_000 }, 'success'])
  const dir = await mkdtemp(join(tmpdir(), 'beacon-dispatcher-fault-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const trigger = join(dir, 'fail-now')
  // The fault comes from a preload of the test's, not from a hook in the dispatcher's code.
  const dispatcher = spawnService('services/dispatcher/src/server.ts',
    h.dispatcherEnv({ SHUTDOWN_TIMEOUT_MS: '3000', LOG_LEVEL: 'info', BEACON_TEST_FAULT_TRIGGER: trigger, BEACON_TEST_FAULT: 'exception' }),
    { nodeArgs: [`--import=${faultPreloadPath}`] })
  t.teardown(() => { dispatcher.stop('SIGKILL').catch(() => {}) })
  await dispatcher.waitForOutput(/dispatcher started/)
  const command = await h.storeMessage('uncaught')
  await h.transport.publishCommand(command)
  await h.until(() => h.apns.log.length === 1, 'the request on the wire, unanswered')

  await writeFile(trigger, '')
  t.equal(await dispatcher.exited, 1, 'exit code 1: it ended because of an error')
  const output = dispatcher.output()
  t.match(output, /"level":60[^\n]*fault from the test preload: an uncaught exception[^\n]*uncaught error: stopping|"level":60[^\n]*uncaught error: stopping[^\n]*/, 'the error is logged at fatal')
  t.match(output, /stopping: command given back/, 'the command in hand went back to the queue')
  t.notMatch(output, /shutdown deadline reached/, 'within SHUTDOWN_TIMEOUT_MS')

  await h.startDispatcher()
  await h.until(() => h.apns.received(hung!).length === 2, 'the next dispatcher sends the given-back device')
})
