import { randomBytes } from 'node:crypto'
import { createTestDatabase, natsTestPrefix, spawnService, testNatsUrl } from '@beacon/testkit'
import t from 'tap'

t.test('bad configuration: every problem on stderr, exit code 1, nothing started', async (t) => {
  const dispatcher = spawnService('services/dispatcher/src/server.ts', {
    DATABASE_URL: '',
    MASTER_KEY: 'too-short',
    RETRY_MAX_ATTEMPTS: 'zero',
    APNS_ENDPOINT: 'ftp://apple',
    NATS_PREFIX: 'a.b',
    FCM_TOKEN_URIS: 'https://oauth2.googleapis.com/token,file:///etc/passwd',
    FCM_TOKEN_ALLOW_PRIVATE_NETWORKS: 'sometimes',
    SHUTDOWN_TIMEOUT_MS: 'soon'
  })
  t.equal(await dispatcher.exited, 1)
  const output = dispatcher.output()
  t.match(output, /invalid configuration:/)
  t.match(output, /DATABASE_URL is required/)
  t.match(output, /MASTER_KEY must be 32 random bytes encoded as base64/)
  t.match(output, /RETRY_MAX_ATTEMPTS must be an integer from 1 to 100, got "zero"/)
  t.match(output, /APNS_ENDPOINT must be an https:\/\/ URL/)
  t.match(output, /NATS_PREFIX must be letters, digits/)
  t.match(output, /FCM_TOKEN_URIS must be comma-separated absolute http\(s\) URLs/)
  t.match(output, /FCM_TOKEN_ALLOW_PRIVATE_NETWORKS must be true or false, got "sometimes"/)
  t.match(output, /SHUTDOWN_TIMEOUT_MS must be an integer from 100 to 600000, got "soon"/)
  t.notMatch(output, /too-short/, 'the rejected master key is not echoed')
})

t.test('SIGTERM: stops taking commands, closes providers and exits 0', async (t) => {
  const database = await createTestDatabase()
  t.teardown(() => database.drop())
  const dispatcher = spawnService('services/dispatcher/src/server.ts', {
    DATABASE_URL: database.url, MASTER_KEY: randomBytes(32).toString('base64'), NATS_URL: testNatsUrl, NATS_PREFIX: natsTestPrefix(), LOG_LEVEL: 'info'
  })
  await dispatcher.waitForOutput(/dispatcher started/)
  t.equal(await dispatcher.stop('SIGTERM'), 0)
  t.match(dispatcher.output(), /stopping: finishing commands in hand/)
})
