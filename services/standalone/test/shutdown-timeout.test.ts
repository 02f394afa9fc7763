import { rm } from 'node:fs/promises'
import { connect } from 'node:net'
import { createTestDatabase } from '@beacon/testkit'
import t from 'tap'
import { freePort, spawnStandalone, temporaryDataDir } from './helpers/standalone-process.js'

const SHUTDOWN_TIMEOUT_MS = 1000

// guarantee: standalone-shutdown-timeout
t.test('a shutdown held up past SHUTDOWN_TIMEOUT_MS (a request whose body never ends) exits 1, saying so', async (t) => {
  const dataDir = await temporaryDataDir()
  const database = await createTestDatabase()
  t.teardown(async () => {
    await rm(dataDir, { recursive: true, force: true })
    await database.drop()
  })
  const port = await freePort()
  const credentials = Buffer.from('operator:operator-password-123').toString('base64')
  const run = spawnStandalone({
    BEACON_DATA_DIR: dataDir,
    PORT: String(port),
    DATABASE_URL: database.url,
    AUTH_USERNAME: 'operator',
    AUTH_PASSWORD: 'operator-password-123',
    SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
    // The api's own cut-off of a slow request comes long after the shutdown limit.
    REQUEST_TIMEOUT_MS: '600000'
  })
  t.teardown(() => { run.child.kill('SIGKILL') })
  await run.waitForStdout(/Stop with Ctrl\+C/)

  // A request in progress keeps the api from closing: its headers are read (the server says
  // "100 Continue"), its body is promised and never sent.
  const socket = connect({ host: '127.0.0.1', port })
  t.teardown(() => socket.destroy())
  let received = ''
  const continued = new Promise<void>((resolve) => {
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString()
      if (received.includes('100 Continue')) resolve()
    })
  })
  socket.write(`POST /admin/app/create HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Basic ${credentials}\r\n` +
    'Content-Type: application/json\r\nContent-Length: 100\r\nExpect: 100-continue\r\n\r\n{"requestObject":')
  await continued

  run.child.kill('SIGTERM')
  t.equal(await run.exitCode, 1, 'exit code 1')
  t.match(run.stderr(), `Beacon did not stop within ${SHUTDOWN_TIMEOUT_MS} ms (SHUTDOWN_TIMEOUT_MS); exiting`)
  t.notMatch(run.stdout(), /Beacon stopped\./, 'not reported as a clean stop')
})
