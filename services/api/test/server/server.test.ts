import { randomBytes } from 'node:crypto'
import { createTestDatabase, freePort, natsTestPrefix, spawnService, testNatsUrl } from '@beacon/testkit'
import t from 'tap'

t.test('bad configuration: every problem on stderr, exit code 1', async (t) => {
  const api = spawnService('services/api/src/server.ts', {
    DATABASE_URL: 'mysql://nope', MASTER_KEY: '', AUTH_USERNAME: 'admin', AUTH_PASSWORD: 'short', PORT: '99999', POWERAUTH_SERVICE_URL: 'not a url'
  })
  t.equal(await api.exited, 1)
  const output = api.output()
  t.match(output, /DATABASE_URL must be a postgresql:\/\/ connection string/)
  t.match(output, /MASTER_KEY is required/)
  t.match(output, /AUTH_PASSWORD must be at least 12 characters/)
  t.match(output, /PORT must be an integer from 0 to 65535, got "99999"/)
  t.match(output, /POWERAUTH_SERVICE_URL must be an http\(s\) URL/)
})

t.test('SIGTERM: stops listening, drains NATS, closes the pool and exits 0', async (t) => {
  const database = await createTestDatabase()
  t.teardown(() => database.drop())
  const port = await freePort()
  const api = spawnService('services/api/src/server.ts', {
    DATABASE_URL: database.url,
    MASTER_KEY: randomBytes(32).toString('base64'),
    AUTH_USERNAME: 'admin',
    AUTH_PASSWORD: 'long-enough-password',
    PORT: String(port),
    NATS_URL: testNatsUrl,
    NATS_PREFIX: natsTestPrefix(),
    LOG_LEVEL: 'info'
  })
  await api.waitForOutput(/Server listening/)
  t.equal((await fetch(`http://127.0.0.1:${port}/push/service/status`)).status, 401, 'serving')
  t.equal(await api.stop('SIGTERM'), 0)
  t.match(api.output(), /"msg":"shutting down"/)
  await t.rejects(fetch(`http://127.0.0.1:${port}/push/service/status`), 'no longer listening')
})
