import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createTestDatabase, faultPreloadPath, freePort, natsTestPrefix, spawnService, testNatsUrl } from '@beacon/testkit'
import t from 'tap'
import { base } from '../config/config-env.js'

/** Log lines of the process (pino's JSON), in order; anything else it printed is skipped. */
const logLines = (output: string) => output.split('\n').flatMap((line) => {
  try { return [JSON.parse(line) as { level: number, msg: string, err?: { message: string } }] } catch { return [] }
})

for (const fault of ['exception', 'rejection'] as const) {
  // guarantee: api-uncaught-error-closes
  t.test(`an uncaught ${fault} in the running api: logged, the server closes gracefully, exit code 1`, async (t) => {
    const database = await createTestDatabase()
    t.teardown(() => database.drop())
    const dir = await mkdtemp(join(tmpdir(), 'beacon-api-fault-'))
    t.teardown(() => rm(dir, { recursive: true, force: true }))
    const trigger = join(dir, 'fail-now')
    const port = await freePort()
    // The fault comes from a preload of the test's, not from a hook in the api's code.
    const api = spawnService('services/api/src/server.ts', {
      ...base,
      DATABASE_URL: database.url,
      PORT: String(port),
      NATS_URL: testNatsUrl,
      NATS_PREFIX: natsTestPrefix(),
      LOG_LEVEL: 'info',
      BEACON_TEST_FAULT_TRIGGER: trigger,
      BEACON_TEST_FAULT: fault
    }, { nodeArgs: [`--import=${faultPreloadPath}`] })
    t.teardown(() => { if (api.child.exitCode === null) api.child.kill('SIGKILL') })
    await api.waitForOutput(/Server listening/)
    t.equal((await fetch(`http://127.0.0.1:${port}/push/service/status`)).status, 401, 'serving before the fault')

    await writeFile(trigger, '')
    t.equal(await api.exited, 1, 'exit code 1: it ended because of an error')
    const lines = logLines(api.output())
    const fatal = lines.findIndex((line) => line.msg === 'uncaught error: shutting down')
    t.ok(fatal >= 0, 'the error is logged')
    t.equal(lines[fatal]?.level, 60, 'at level fatal')
    t.match(lines[fatal]?.err?.message, /fault from the test preload/, 'with the error itself')
    const closed = lines.findIndex((line) => line.msg === 'closed')
    t.ok(closed > fatal, 'then the server closed (listener, NATS, database pool) before the exit')
    t.notOk(lines.some((line) => line.msg === 'shutdown deadline reached: exiting'), 'within SHUTDOWN_TIMEOUT_MS')
    await t.rejects(fetch(`http://127.0.0.1:${port}/push/service/status`), 'no longer listening')
  })
}
