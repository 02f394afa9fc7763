import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { ConfigError, loadConfig } from '../src/config.js'

// guarantee: secrets-from-files
t.test('MASTER_KEY_FILE and DATABASE_URL_FILE: the dispatcher uses the files\' contents', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'beacon-dispatcher-secrets-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const key = randomBytes(32)
  await writeFile(join(dir, 'master-key'), `${key.toString('base64')}\n`)
  await writeFile(join(dir, 'database-url'), 'postgresql://beacon:from-a-file@db:5432/beacon\n')
  const config = loadConfig({ MASTER_KEY_FILE: join(dir, 'master-key'), DATABASE_URL_FILE: join(dir, 'database-url') })
  t.same(config.masterKey, key, 'the key the file holds')
  t.equal(config.databaseUrl, 'postgresql://beacon:from-a-file@db:5432/beacon')

  await writeFile(join(dir, 'bad-key'), 'not-a-master-key\n')
  const error = t.throws(() => loadConfig({ MASTER_KEY_FILE: join(dir, 'bad-key'), DATABASE_URL: 'postgresql://db/beacon', DATABASE_URL_FILE: join(dir, 'database-url') })) as ConfigError
  t.same(error.problems, [
    'DATABASE_URL and DATABASE_URL_FILE are both set: set only one of them',
    'MASTER_KEY must be 32 random bytes encoded as base64 (openssl rand -base64 32)'
  ])
  t.notMatch(error.message, /not-a-master-key|from-a-file/, 'no secret in the message')
})

t.test('DISPATCHER_CONCURRENCY and DISPATCHER_CHUNK_CONCURRENCY: defaults, the one lowering the other, and a chunk limit above the whole refused', async (t) => {
  const base = { MASTER_KEY: randomBytes(32).toString('base64'), DATABASE_URL: 'postgresql://db/beacon' }
  const pick = (config: { concurrency: number, chunkConcurrency: number }) => ({ concurrency: config.concurrency, chunkConcurrency: config.chunkConcurrency })
  t.same(pick(loadConfig(base)), { concurrency: 128, chunkConcurrency: 16 }, 'many single messages, chunks as before')
  t.same(pick(loadConfig({ ...base, DISPATCHER_CONCURRENCY: '4' })), { concurrency: 4, chunkConcurrency: 4 }, 'a smaller whole lowers the unset chunk limit')
  t.same(pick(loadConfig({ ...base, DISPATCHER_CONCURRENCY: '64', DISPATCHER_CHUNK_CONCURRENCY: '64' })), { concurrency: 64, chunkConcurrency: 64 })
  const error = t.throws(() => loadConfig({ ...base, DISPATCHER_CONCURRENCY: '8', DISPATCHER_CHUNK_CONCURRENCY: '32' })) as ConfigError
  t.same(error.problems, ['DISPATCHER_CHUNK_CONCURRENCY must not exceed DISPATCHER_CONCURRENCY'])
  const zero = t.throws(() => loadConfig({ ...base, DISPATCHER_CONCURRENCY: '8', DISPATCHER_CHUNK_CONCURRENCY: '0' })) as ConfigError
  t.same(zero.problems, ['DISPATCHER_CHUNK_CONCURRENCY must be an integer from 1 to 1000, got "0"'], 'zero named as the bad value, and nothing else')
  const word = t.throws(() => loadConfig({ ...base, DISPATCHER_CONCURRENCY: 'many', DISPATCHER_CHUNK_CONCURRENCY: '200' })) as ConfigError
  t.same(word.problems, ['DISPATCHER_CONCURRENCY must be an integer from 1 to 1000, got "many"'], 'no comparison with a value that did not read')
})

t.test('DISPATCHER_CHUNKS_SENDING: 2 by default, lowered (when unset) to a smaller chunk limit, refused above it', async (t) => {
  const base = { MASTER_KEY: randomBytes(32).toString('base64'), DATABASE_URL: 'postgresql://db/beacon' }
  const pick = (config: { chunkConcurrency: number, chunksSending: number }) => ({ chunkConcurrency: config.chunkConcurrency, chunksSending: config.chunksSending })
  t.same(pick(loadConfig(base)), { chunkConcurrency: 16, chunksSending: 2 })
  t.same(pick(loadConfig({ ...base, DISPATCHER_CHUNK_CONCURRENCY: '1' })), { chunkConcurrency: 1, chunksSending: 1 }, 'a smaller chunk limit lowers the unset one')
  t.same(pick(loadConfig({ ...base, DISPATCHER_CHUNKS_SENDING: '16' })), { chunkConcurrency: 16, chunksSending: 16 }, 'every chunk in hand sending, as before')
  const above = t.throws(() => loadConfig({ ...base, DISPATCHER_CHUNK_CONCURRENCY: '8', DISPATCHER_CHUNKS_SENDING: '9' })) as ConfigError
  t.same(above.problems, ['DISPATCHER_CHUNKS_SENDING must not exceed DISPATCHER_CHUNK_CONCURRENCY'])
  const zero = t.throws(() => loadConfig({ ...base, DISPATCHER_CHUNKS_SENDING: '0' })) as ConfigError
  t.same(zero.problems, ['DISPATCHER_CHUNKS_SENDING must be an integer from 1 to 1000, got "0"'], 'only the bad value named')
})

t.test('FCM_ENDPOINT: https only (the sender speaks HTTP/2 over TLS, as Google serves FCM)', async (t) => {
  const base = { MASTER_KEY: randomBytes(32).toString('base64'), DATABASE_URL: 'postgresql://db/beacon' }
  t.equal(loadConfig({ ...base, FCM_ENDPOINT: 'https://localhost:8443' }).fcm.endpoint?.href, 'https://localhost:8443/')
  t.equal(loadConfig(base).fcm.endpoint, null, "unset: Google's")
  const error = t.throws(() => loadConfig({ ...base, FCM_ENDPOINT: 'http://localhost:8080' })) as ConfigError
  t.match(error.problems, [/^FCM_ENDPOINT must be an https:\/\/ URL/])
})

t.test('DATABASE_URL\'s schema parameter is checked with the other settings, the URL never echoed', async (t) => {
  const key = randomBytes(32).toString('base64')
  t.equal(loadConfig({ MASTER_KEY: key, DATABASE_URL: 'postgresql://db/beacon?schema=beacon_app' }).databaseUrl, 'postgresql://db/beacon?schema=beacon_app')
  const error = t.throws(() => loadConfig({ MASTER_KEY: key, DATABASE_URL: 'postgresql://beacon:hunter2@db/beacon?schema=1x' })) as ConfigError
  t.same(error.problems, ['DATABASE_URL\'s schema parameter must be a schema name: a letter or _, then letters, digits or _ (at most 63), not starting with pg_'])
  t.notMatch(error.message, /hunter2/)
})

t.test('FCM_TOKEN_ALLOW_PRIVATE_NETWORKS: off unless set, so that a service account\'s token_uri cannot reach inside the network', async (t) => {
  const base = { MASTER_KEY: randomBytes(32).toString('base64'), DATABASE_URL: 'postgresql://db/beacon' }
  t.equal(loadConfig(base).fcm.tokenEndpoints.allowPrivateNetworks, false)
  t.equal(loadConfig({ ...base, FCM_TOKEN_ALLOW_PRIVATE_NETWORKS: 'true' }).fcm.tokenEndpoints.allowPrivateNetworks, true)
})

t.test('the retry policy: RETRY_BASE_DELAY_MS not above RETRY_MAX_DELAY_MS, at least one attempt', async (t) => {
  const base = { MASTER_KEY: randomBytes(32).toString('base64'), DATABASE_URL: 'postgresql://db/beacon' }
  t.match(loadConfig({ ...base, RETRY_BASE_DELAY_MS: '5000', RETRY_MAX_DELAY_MS: '5000' }).retry, { baseDelayMs: 5000, maxDelayMs: 5000 })
  const above = t.throws(() => loadConfig({ ...base, RETRY_BASE_DELAY_MS: '5001', RETRY_MAX_DELAY_MS: '5000' })) as ConfigError
  t.same(above.problems, ['RETRY_BASE_DELAY_MS must not exceed RETRY_MAX_DELAY_MS'])
  const none = t.throws(() => loadConfig({ ...base, RETRY_MAX_ATTEMPTS: '0' })) as ConfigError
  t.same(none.problems, ['RETRY_MAX_ATTEMPTS must be an integer from 1 to 100, got "0"'], 'no attempt at all: refused')
})

t.test('METRICS_PORT: unset, no listener; set, a real port (0, a random one no probe could find, refused)', async (t) => {
  const base = { MASTER_KEY: randomBytes(32).toString('base64'), DATABASE_URL: 'postgresql://db/beacon' }
  t.equal(loadConfig(base).metrics, null)
  t.same(loadConfig({ ...base, METRICS_PORT: '9464' }).metrics, { port: 9464, host: '0.0.0.0' })
  const zero = t.throws(() => loadConfig({ ...base, METRICS_PORT: '0' })) as ConfigError
  t.same(zero.problems, ['METRICS_PORT must be an integer from 1 to 65535, got "0"'])
})
