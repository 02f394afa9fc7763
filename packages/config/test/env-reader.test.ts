import t from 'tap'
import { ConfigError, EnvReader, readCommon } from '../src/index.js'

// guarantee: config-every-problem-at-once
t.test('every problem is reported at once, each naming its variable', async (t) => {
  const read = new EnvReader({ PORT: 'eighty', DEBUG: 'maybe', LEVEL: 'loud', NATS_PREFIX: 'a.b', DATABASE_URL: 'mysql://x' })
  read.integer('PORT', 8080, 0, 65535)
  read.boolean('DEBUG', false)
  read.oneOf('LEVEL', ['info', 'debug'], 'info')
  read.string('SECRET', { required: true })
  readCommon(read)
  const error = t.throws(() => read.done()) as ConfigError
  t.type(error, ConfigError)
  t.same(error.problems, [
    'PORT must be an integer from 0 to 65535, got "eighty"',
    'DEBUG must be true or false, got "maybe"',
    'LEVEL must be one of info, debug, got "loud"',
    'SECRET is required',
    'DATABASE_URL must be a postgresql:// connection string',
    'NATS_PREFIX must be letters, digits, _ and - (at most 64), got "a.b"'
  ])
  t.match(error.message, /invalid configuration:\n {2}- PORT/)
})

t.test('defaults apply to absent or blank values; given values are parsed', async (t) => {
  const read = new EnvReader({ PORT: ' 9090 ', DEBUG: '1', EMPTY: '  ', DATABASE_URL: 'postgresql://h/db' })
  t.equal(read.integer('PORT', 8080, 0, 65535), 9090)
  t.equal(read.boolean('DEBUG', false), true)
  t.equal(read.integer('EMPTY', 7, 0, 10), 7)
  t.same(readCommon(read), {
    logLevel: 'info',
    databaseUrl: 'postgresql://h/db',
    databasePoolSize: 10,
    databaseGroupSpacingMs: 10,
    databaseConnectTimeoutMs: 10_000,
    databaseQueryTimeoutMs: 60_000,
    nats: { url: 'nats://127.0.0.1:4222', prefix: 'beacon', pingIntervalMs: 10_000 }
  })
  t.doesNotThrow(() => read.done())
})

t.test('the database and NATS limits: 0 turns the database ones off, a value out of range is refused naming its range', async (t) => {
  const off = new EnvReader({ DATABASE_URL: 'postgresql://h/db', DATABASE_CONNECT_TIMEOUT_MS: '0', DATABASE_QUERY_TIMEOUT_MS: '0' })
  t.match(readCommon(off), { databaseConnectTimeoutMs: 0, databaseQueryTimeoutMs: 0 })
  t.doesNotThrow(() => off.done())
  const wrong = new EnvReader({ DATABASE_URL: 'postgresql://h/db', DATABASE_CONNECT_TIMEOUT_MS: '-1', DATABASE_QUERY_TIMEOUT_MS: '1h', NATS_PING_INTERVAL_MS: '999' })
  readCommon(wrong)
  t.same(wrong.problems, [
    'DATABASE_CONNECT_TIMEOUT_MS must be an integer from 0 to 600000, got "-1"',
    'DATABASE_QUERY_TIMEOUT_MS must be an integer from 0 to 3600000, got "1h"',
    'NATS_PING_INTERVAL_MS must be an integer from 1000 to 600000, got "999"'
  ], 'a ping interval under a second is refused: a late answer would make it reconnect for nothing')
})

t.test('parsed() reports the rule, never the rejected value', async (t) => {
  const read = new EnvReader({ KEY: 'not-a-key' })
  const value = read.parsed('KEY', (text) => { if (text.length !== 44) throw new Error('bad'); return text }, '44 characters', 'fallback')
  t.equal(value, 'fallback')
  t.same(read.problems, ['KEY must be 44 characters'])
})

t.test('DATABASE_POOL_SIZE: 1 to 500; 0 (a pool that never connects) or above 500 is refused by name', async (t) => {
  const url = { DATABASE_URL: 'postgresql://h/db' }
  for (const size of [1, 500]) {
    const read = new EnvReader({ ...url, DATABASE_POOL_SIZE: String(size) })
    t.equal(readCommon(read).databasePoolSize, size)
    t.same(read.problems, [], `${size} accepted`)
  }
  for (const bad of ['0', '501', '-4', '2.5']) {
    const read = new EnvReader({ ...url, DATABASE_POOL_SIZE: bad })
    readCommon(read)
    t.same(read.problems, [`DATABASE_POOL_SIZE must be an integer from 1 to 500, got "${bad}"`], `${bad} refused`)
  }
})

// Separate installations on one NATS server tell their subjects and streams apart by it: a dot
// would split a subject's tokens, a space or wildcard would make it no subject at all.
// guarantee: nats-prefix-pattern
t.test('NATS_PREFIX: letters, digits, _ and -, at most 64; anything else is refused naming the rule', async (t) => {
  const prefixOf = (value: string) => {
    const read = new EnvReader({ DATABASE_URL: 'postgresql://h/db', NATS_PREFIX: value })
    return { prefix: readCommon(read).nats.prefix, problems: read.problems }
  }
  const longest = 'Ab9_-'.repeat(12) + 'Zz0_'
  for (const value of ['beacon', 'A-z_09', longest]) t.same(prefixOf(value), { prefix: value, problems: [] }, `${value.length} characters taken`)
  for (const value of [longest + 'x', 'a.b', 'a b', 'a*', 'a>', 'é']) {
    t.same(prefixOf(value).problems, [`NATS_PREFIX must be letters, digits, _ and - (at most 64), got "${value}"`], `${JSON.stringify(value)} refused`)
  }
})
