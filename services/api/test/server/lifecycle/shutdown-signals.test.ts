import { createTestDatabase, freePort, natsTestPrefix, spawnService, startSilentNetwork, testNatsUrl } from '@beacon/testkit'
import t, { type Test } from 'tap'
import { base } from '../config/config-env.js'

// The close's two ways out that are not a clean exit (README, "Stopping: signals and uncaught
// errors"): past SHUTDOWN_TIMEOUT_MS, and a second signal. NATS answering nothing (a partition,
// through the test kit's relay) holds the api's drain for its own bound, 2 s: long enough for both.

/** A running api whose NATS connection goes through a relay the test can silence. */
async function apiBehindRelay (t: Test, shutdownTimeoutMs: number) {
  const database = await createTestDatabase()
  t.teardown(() => database.drop())
  const target = new URL(testNatsUrl)
  const nats = await startSilentNetwork(target.hostname, Number(target.port || 4222))
  t.teardown(() => nats.close())
  const port = await freePort()
  const api = spawnService('services/api/src/server.ts', {
    ...base,
    DATABASE_URL: database.url,
    PORT: String(port),
    NATS_URL: nats.urlFor(testNatsUrl),
    NATS_PREFIX: natsTestPrefix(),
    SHUTDOWN_TIMEOUT_MS: String(shutdownTimeoutMs),
    LOG_LEVEL: 'info'
  })
  t.teardown(() => { if (api.child.exitCode === null) api.child.kill('SIGKILL') })
  await api.waitForOutput(/Server listening/)
  t.equal((await fetch(`http://127.0.0.1:${port}/push/service/status`)).status, 401, 'serving')
  nats.silence()
  return api
}

// guarantee: shutdown-exit-codes
t.test('a close past SHUTDOWN_TIMEOUT_MS: logged, exit code 1, whatever it was still waiting for', async (t) => {
  const api = await apiBehindRelay(t, 300)
  api.child.kill('SIGTERM')
  t.equal(await api.exited, 1, 'exit code 1')
  const output = api.output()
  t.match(output, /"msg":"shutting down"/)
  t.match(output, /"timeoutMs":300,"msg":"shutdown deadline reached: exiting"/)
  t.notMatch(output, /"msg":"closed"/, 'the close did not finish')
})

// guarantee: shutdown-exit-codes
t.test('a second signal while closing: logged, exit code 1 at once, the close left unfinished', async (t) => {
  const api = await apiBehindRelay(t, 30_000)
  api.child.kill('SIGTERM')
  await api.waitForOutput(/"msg":"shutting down"/)
  api.child.kill('SIGTERM')
  // Without it the close would end once the drain's bound passed: "closed", exit code 0.
  t.equal(await api.exited, 1, 'exit code 1')
  const output = api.output()
  t.match(output, /"signal":"SIGTERM","msg":"second signal while shutting down: exiting now"/)
  t.notMatch(output, /"msg":"closed"/, 'the close did not finish')
})

// guarantee: sighup-without-tls-stops
t.test('without TLS, SIGHUP closes the api as SIGTERM does: logged, closed, exit code 0', async (t) => {
  const database = await createTestDatabase()
  t.teardown(() => database.drop())
  const port = await freePort()
  const api = spawnService('services/api/src/server.ts', {
    ...base, DATABASE_URL: database.url, PORT: String(port), NATS_URL: testNatsUrl, NATS_PREFIX: natsTestPrefix(), LOG_LEVEL: 'info'
  })
  t.teardown(() => { if (api.child.exitCode === null) api.child.kill('SIGKILL') })
  await api.waitForOutput(/Server listening/)
  api.child.kill('SIGHUP')
  // Node's own default would end it at once, by the signal: no close, nothing logged.
  t.equal(await api.exited, 0, 'exit code 0')
  t.match(api.output(), /"signal":"SIGHUP","msg":"shutting down"/)
  t.match(api.output(), /"msg":"closed"/, 'the graceful close ran to its end')
})
