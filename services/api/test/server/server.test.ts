import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
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

// guarantee: secrets-from-files
t.test('secrets from files (DATABASE_URL_FILE, MASTER_KEY_FILE, AUTH_PASSWORD_FILE, as Docker and Kubernetes mount them): the api uses them', async (t) => {
  const database = await createTestDatabase()
  t.teardown(() => database.drop())
  const dir = await mkdtemp(join(tmpdir(), 'beacon-api-secrets-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const password = 'password-from-a-mounted-file'
  // With the newline `echo` and `kubectl create secret --from-file` leave.
  await writeFile(join(dir, 'database-url'), `${database.url}\n`)
  await writeFile(join(dir, 'master-key'), `${randomBytes(32).toString('base64')}\n`)
  await writeFile(join(dir, 'auth-password'), `${password}\n`)
  const port = await freePort()
  const api = spawnService('services/api/src/server.ts', {
    DATABASE_URL: '',
    DATABASE_URL_FILE: join(dir, 'database-url'),
    MASTER_KEY: '',
    MASTER_KEY_FILE: join(dir, 'master-key'),
    AUTH_USERNAME: 'admin',
    AUTH_PASSWORD: '',
    AUTH_PASSWORD_FILE: join(dir, 'auth-password'),
    PORT: String(port),
    NATS_URL: testNatsUrl,
    NATS_PREFIX: natsTestPrefix(),
    LOG_LEVEL: 'info'
  })
  t.teardown(() => api.stop('SIGKILL'))
  await api.waitForOutput(/Server listening/)
  const status = (secret: string) => fetch(`http://127.0.0.1:${port}/push/service/status`, {
    headers: { authorization: `Basic ${Buffer.from(`admin:${secret}`).toString('base64')}` }
  }).then((answer) => answer.status)
  t.equal(await status(password), 200, 'the password in the file is the admin password (its newline not part of it)')
  t.equal(await status(`${password}\n`), 401, 'the newline is not part of it')
  t.equal(await api.stop('SIGTERM'), 0)
  t.notMatch(api.output(), password, 'the secret is never logged')
})

t.test('a secret given both ways, or in a file that cannot be read: refused at start, the path named, the secret never printed', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'beacon-api-secrets-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  await writeFile(join(dir, 'auth-password'), 'password-from-a-mounted-file')
  const api = spawnService('services/api/src/server.ts', {
    DATABASE_URL: '',
    DATABASE_URL_FILE: join(dir, 'no-such-file'),
    MASTER_KEY: randomBytes(32).toString('base64'),
    AUTH_USERNAME: 'admin',
    AUTH_PASSWORD: 'password-from-the-environment',
    AUTH_PASSWORD_FILE: join(dir, 'auth-password')
  })
  t.equal(await api.exited, 1)
  const output = api.output()
  t.match(output, 'DATABASE_URL_FILE names no existing file (ENOENT)')
  t.match(output, 'AUTH_PASSWORD and AUTH_PASSWORD_FILE are both set: set only one of them')
  t.notMatch(output, /password-from/, 'neither secret printed')
})
