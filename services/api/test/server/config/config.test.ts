import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createTestCertificateAuthority } from '@beacon/testkit'
import { pino } from 'pino'
import t from 'tap'
import { loadConfig } from '../../../src/config.js'
import { base, problemsOf } from './config-env.js'
import { hasExpired } from '../../../src/tls/credentials.js'
import { logCertificate } from '../../../src/tls/reload.js'

// guarantee: auth-disabled-loopback-only, config-every-problem-at-once
t.test('AUTH_DISABLED=true only on a loopback HOST', async (t) => {
  const open = { AUTH_DISABLED: 'true', AUTH_USERNAME: '', AUTH_PASSWORD: '' }
  for (const host of ['0.0.0.0', '::', '10.1.2.3', '192.168.0.10', 'beacon.example.com', '128.0.0.1']) {
    t.same(problemsOf({ ...open, HOST: host }), [
      `AUTH_DISABLED=true is only allowed when the api listens on a loopback address (HOST 127.0.0.1, ::1 or localhost), not HOST=${host}`
    ], `refused on ${host}`)
  }
  for (const host of ['127.0.0.1', '::1', 'localhost', 'LOCALHOST', '127.45.6.7', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1']) {
    t.same(problemsOf({ ...open, HOST: host }), [], `accepted on ${host}`)
  }
  t.equal(loadConfig({ ...base, ...open }).auth, null, 'accepted with the default HOST (127.0.0.1)')
  t.same(problemsOf({ HOST: '0.0.0.0' }), [], 'with authentication any HOST is fine')

  const problems = problemsOf({ ...open, HOST: '0.0.0.0', PORT: 'x', LOG_LEVEL: 'loud' })
  t.equal(problems.length, 3, 'listed with the other problems')
  t.match(problems.join('\n'), /AUTH_DISABLED=true is only allowed[^\n]*HOST=0\.0\.0\.0/)
})

// guarantee: tls-files-checked
// Below a second a mobile client's round trip would cost it its socket, and every round also
// re-checks the open sockets' developers in the database; above 5 minutes a developer revoked
// while NATS was away keeps its sockets too long.
t.test('INAPP_PING_INTERVAL_MS: 30 s by default, 1 s to 5 minutes', async (t) => {
  t.equal(loadConfig(base).signedApi.inAppPingIntervalMs, 30_000)
  t.equal(loadConfig({ ...base, INAPP_PING_INTERVAL_MS: '1000' }).signedApi.inAppPingIntervalMs, 1000)
  t.equal(loadConfig({ ...base, INAPP_PING_INTERVAL_MS: '300000' }).signedApi.inAppPingIntervalMs, 300_000)
  for (const value of ['999', '300001', '100', 'soon']) t.equal(problemsOf({ INAPP_PING_INTERVAL_MS: value }).length, 1, `${value} refused`)
  t.match(problemsOf({ INAPP_PING_INTERVAL_MS: '100' })[0], /INAPP_PING_INTERVAL_MS/)
})

t.test('RESULTS_BATCH_SPACING_MS: 50 ms by default, 0 to 1000', async (t) => {
  t.equal(loadConfig(base).resultsBatchSpacingMs, 50)
  t.equal(loadConfig({ ...base, RESULTS_BATCH_SPACING_MS: '0' }).resultsBatchSpacingMs, 0)
  t.equal(loadConfig({ ...base, RESULTS_BATCH_SPACING_MS: '1000' }).resultsBatchSpacingMs, 1000)
  for (const value of ['-1', '1001', '2.5', 'soon']) t.match(problemsOf({ RESULTS_BATCH_SPACING_MS: value }), [/RESULTS_BATCH_SPACING_MS/], `${value} refused`)
})

t.test('RETENTION_DAYS: 0 (keep for ever) by default, up to 36500; its sweep every 10 minutes by default, 1 s to a day', async (t) => {
  t.same(loadConfig(base).retention, { days: 0, sweepIntervalMs: 600_000 })
  t.same(loadConfig({ ...base, RETENTION_DAYS: '90', RETENTION_SWEEP_INTERVAL_MS: '1000' }).retention, { days: 90, sweepIntervalMs: 1000 })
  for (const value of ['-1', '36501', '1.5', '30d']) t.match(problemsOf({ RETENTION_DAYS: value }), [/RETENTION_DAYS/], `${value} refused`)
  for (const value of ['999', '86400001', 'hourly']) t.match(problemsOf({ RETENTION_SWEEP_INTERVAL_MS: value }), [/RETENTION_SWEEP_INTERVAL_MS/], `${value} refused`)
})

// The limits as README's table gives them: a default looser than documented, or a bound that lets
// a limit be switched off (REQUEST_TIMEOUT_MS=0 is no timeout at all; a buffer below the largest
// frame closes every socket), gives clients more than the operator allowed.
t.test('the limits on clients: README\'s defaults and bounds', async (t) => {
  const limits = loadConfig(base).limits
  const table: Array<[string, number, number, number, () => number]> = [
    ['AUTH_FAILURES_PER_ADDRESS', 20, 1, 100_000, () => limits.authFailures.max],
    ['AUTH_FAILURE_WINDOW_SECONDS', 60, 1, 86_400, () => limits.authFailures.windowMs / 1000],
    ['SIGNED_REQUESTS_PER_MINUTE', 12_000, 1, 10_000_000, () => limits.signedRequestsPerMinute],
    ['SIGNED_BODY_LIMIT_BYTES', 65_536, 1024, 5 * 1024 * 1024, () => limits.signedBodyLimitBytes],
    ['INAPP_TOKENS_PER_MINUTE', 6000, 1, 10_000_000, () => limits.inAppTokensPerMinute],
    ['INAPP_CONNECTS_PER_MINUTE', 600, 1, 10_000_000, () => limits.inAppConnectsPerMinute],
    ['INAPP_CONNECTS_PER_TOKEN_PER_MINUTE', 20, 1, 10_000, () => limits.inAppConnectsPerTokenPerMinute],
    ['INAPP_SOCKETS_PER_USER', 8, 1, 1000, () => limits.inAppSocketsPerUser],
    ['INAPP_SOCKETS_PER_TOKEN', 4, 1, 1000, () => limits.inAppSocketsPerToken],
    ['INAPP_SOCKETS_PER_DEVELOPER', 1000, 1, 1_000_000, () => limits.inAppSocketsPerDeveloper],
    ['INAPP_SOCKETS_MAX', 2000, 1, 1_000_000, () => limits.inAppSocketsMax],
    ['INAPP_MAX_BUFFERED_BYTES', 65_536, 32 * 1024, 256 * 1024 * 1024, () => limits.inAppMaxBufferedBytes],
    ['INAPP_ACKS_PER_MINUTE', 3000, 1, 1_000_000, () => limits.inAppAcksPerMinute],
    ['REQUEST_TIMEOUT_MS', 30_000, 1000, 3_600_000, () => limits.requestTimeoutMs]
  ]
  for (const [name, byDefault, min, max, value] of table) {
    t.equal(value(), byDefault, `${name}: ${byDefault} by default`)
    for (const accepted of [min, max]) t.same(problemsOf({ [name]: String(accepted) }), [], `${name}=${accepted} accepted`)
    for (const refused of [min - 1, max + 1, 0]) {
      if (refused !== min) t.match(problemsOf({ [name]: String(refused) }), [new RegExp(`^${name} `)], `${name}=${refused} refused`)
    }
  }
  t.same(loadConfig({ ...base, AUTH_FAILURE_WINDOW_SECONDS: '3600' }).limits.authFailures, { max: 20, windowMs: 3_600_000 }, 'the window in milliseconds')
  t.match(loadConfig({ ...base, INAPP_SOCKETS_PER_USER: '5', INAPP_SOCKETS_PER_TOKEN: '3', INAPP_CONNECTS_PER_MINUTE: '7', INAPP_CONNECTS_PER_TOKEN_PER_MINUTE: '2' }).limits,
    { inAppSocketsPerUser: 5, inAppSocketsPerToken: 3, inAppConnectsPerMinute: 7, inAppConnectsPerTokenPerMinute: 2 }, 'each read from its own name')
})

t.test('CALLBACK_CONCURRENCY (64) and CALLBACK_DEVELOPER_CONCURRENCY (16): a developer\'s share is no more than the whole', async (t) => {
  t.match(loadConfig(base).signedApi, { callbackConcurrency: 64, callbackDeveloperConcurrency: 16 })
  t.match(loadConfig({ ...base, CALLBACK_CONCURRENCY: '8', CALLBACK_DEVELOPER_CONCURRENCY: '8' }).signedApi, { callbackConcurrency: 8, callbackDeveloperConcurrency: 8 })
  t.same(problemsOf({ CALLBACK_CONCURRENCY: '8' }), ['CALLBACK_DEVELOPER_CONCURRENCY (16) must not exceed CALLBACK_CONCURRENCY (8)'])
  for (const value of ['0', '1001', '2.5', 'many']) t.match(problemsOf({ CALLBACK_CONCURRENCY: value, CALLBACK_DEVELOPER_CONCURRENCY: '1' }), [/CALLBACK_CONCURRENCY/], `${value} refused`)
})

t.test('TLS_CERT_FILE and TLS_KEY_FILE: both or neither, readable, a PEM pair', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'beacon-tls-config-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const authority = await createTestCertificateAuthority()
  const [first, second] = await Promise.all([authority.issue(), authority.issue()])
  const file = async (name: string, content: string) => {
    await writeFile(join(dir, name), content, { mode: 0o600 })
    return join(dir, name)
  }
  const cert = await file('cert.pem', first.chain)
  const key = await file('key.pem', first.key)
  const otherKey = await file('other-key.pem', second.key)
  const marker = 'NOT-A-KEY-BUT-SECRET-LOOKING-0123456789'
  const garbageKey = await file('garbage-key.pem', `-----BEGIN PRIVATE KEY-----\n${marker}\n-----END PRIVATE KEY-----\n`)
  const intermediateFirst = await file('wrong-order.pem', first.chain.slice(first.chain.indexOf('-----END CERTIFICATE-----') + 26) + first.chain)

  const config = loadConfig({ ...base, TLS_CERT_FILE: cert, TLS_KEY_FILE: key })
  t.same(config.tls?.files, { certFile: cert, keyFile: key })
  t.match(config.tls?.credentials.summary, { subject: 'CN=localhost, O=Beacon test', issuer: 'CN=Beacon Test Intermediate' })
  t.equal(loadConfig(base).tls, null, 'neither: plain HTTP')

  t.same(problemsOf({ TLS_CERT_FILE: cert }), ['TLS_CERT_FILE and TLS_KEY_FILE are set together or not at all: TLS_CERT_FILE is set, TLS_KEY_FILE is not'])
  t.same(problemsOf({ TLS_KEY_FILE: key }), ['TLS_CERT_FILE and TLS_KEY_FILE are set together or not at all: TLS_KEY_FILE is set, TLS_CERT_FILE is not'])
  t.same(problemsOf({ TLS_CERT_FILE: join(dir, 'missing.pem'), TLS_KEY_FILE: key }), ['TLS_CERT_FILE names no existing file (ENOENT); the value is not shown, as it may be the secret itself'])
  t.same(problemsOf({ TLS_CERT_FILE: cert, TLS_KEY_FILE: dir }), [`TLS_KEY_FILE names ${dir}, which cannot be read (EISDIR)`])
  // The key itself pasted where its path goes: not echoed (the file names nothing).
  const pem = first.key
  const [problem] = problemsOf({ TLS_CERT_FILE: cert, TLS_KEY_FILE: pem })
  t.match(problem, /^TLS_KEY_FILE names no existing file \(E[A-Z]+\); the value is not shown/)
  t.notOk(problem?.includes(pem.split('\n')[1]!), 'the key is not in the problem')
  t.same(problemsOf({ TLS_CERT_FILE: key, TLS_KEY_FILE: key }), [`TLS_CERT_FILE (${key}) holds no PEM certificate`], 'a key where the certificate belongs')
  t.same(problemsOf({ TLS_CERT_FILE: cert, TLS_KEY_FILE: garbageKey }), [`TLS_KEY_FILE (${garbageKey}) holds no usable PEM private key (it must not be encrypted)`])
  t.same(problemsOf({ TLS_CERT_FILE: cert, TLS_KEY_FILE: otherKey }), [
    `TLS_KEY_FILE (${otherKey}) is not the private key of the first certificate in TLS_CERT_FILE (${cert}); ` +
    'that file must start with the server\'s own certificate, followed by its intermediates'
  ], 'a mismatched pair')
  const wrongOrder = problemsOf({ TLS_CERT_FILE: intermediateFirst, TLS_KEY_FILE: key })
  t.match(wrongOrder, [/is not the private key of the first certificate/], 'a chain in the wrong order')
  t.equal(wrongOrder.length, 1, 'and nothing else')

  const problems = problemsOf({ TLS_CERT_FILE: cert, TLS_KEY_FILE: garbageKey, PORT: '-1' })
  t.equal(problems.length, 2, 'listed with the other problems')
  t.notMatch(problems.join('\n'), marker, 'no file content in the messages')
})

t.test('the log names the certificate in use, and warns once it has expired', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'beacon-tls-config-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const issued = await (await createTestCertificateAuthority()).issue()
  await writeFile(join(dir, 'cert.pem'), issued.chain)
  await writeFile(join(dir, 'key.pem'), issued.key)
  const summary = loadConfig({ ...base, TLS_CERT_FILE: join(dir, 'cert.pem'), TLS_KEY_FILE: join(dir, 'key.pem') }).tls!.credentials.summary
  const validTo = new Date(summary.validTo)
  t.notOk(hasExpired(summary, new Date(validTo.getTime() - 1000)))
  t.ok(hasExpired(summary, validTo))

  let lines = ''
  const log = pino({ level: 'info' }, { write: (line: string) => { lines += line } })
  logCertificate(log, summary, 'serving TLS with this certificate')
  t.match(JSON.parse(lines), { level: 30, certificate: { serialNumber: summary.serialNumber, validTo: summary.validTo }, msg: 'serving TLS with this certificate' })
  t.notMatch(lines, issued.key.split('\n')[1] ?? 'unreachable', 'no key material')
  lines = ''
  logCertificate(log, { ...summary, validTo: 'Jan  1 00:00:00 2020 GMT' }, 'serving TLS with this certificate')
  t.match(JSON.parse(lines), { level: 40, msg: 'serving TLS with this certificate; it has EXPIRED, clients will refuse it' })
})

t.test('DATABASE_URL\'s schema parameter is checked with the other settings, the URL never echoed', async (t) => {
  t.same(problemsOf({ DATABASE_URL: 'postgresql://beacon:hunter2@db:5432/beacon?schema=beacon_app' }), [])
  const problems = problemsOf({ DATABASE_URL: 'postgresql://beacon:hunter2@db:5432/beacon?schema=app;drop', PORT: 'x' })
  t.equal(problems.length, 2, 'listed with the other problems')
  t.ok(problems.includes('DATABASE_URL\'s schema parameter must be a schema name: a letter or _, then letters, digits or _ (at most 63), not starting with pg_'))
  t.notMatch(problems.join('\n'), /hunter2/)
})

// guarantee: auth-password-length
t.test('AUTH_PASSWORD: at least 12 characters, and a refused one is never echoed', async (t) => {
  t.same(problemsOf({ AUTH_PASSWORD: 'twelve-chars' }), [], '12 accepted')
  for (const password of ['eleven-char', 'Sh0rtPass']) {
    const problems = problemsOf({ AUTH_PASSWORD: password })
    t.same(problems, ['AUTH_PASSWORD must be at least 12 characters'], `${password.length} refused`)
    t.notMatch(problems.join('\n'), password, 'the password is not in the message')
  }
})

t.test('SIGNATURE_WINDOW_SECONDS: 300 by default, 1 s to a day; a longer one (a replay accepted for days) refused', async (t) => {
  t.equal(loadConfig(base).signedApi.windowSeconds, 300)
  t.equal(loadConfig({ ...base, SIGNATURE_WINDOW_SECONDS: '86400' }).signedApi.windowSeconds, 86_400)
  for (const value of ['0', '86401', '3000000', '1.5']) {
    t.same(problemsOf({ SIGNATURE_WINDOW_SECONDS: value }), [`SIGNATURE_WINDOW_SECONDS must be an integer from 1 to 86400, got "${value}"`], `${value} refused`)
  }
})

t.test('CALLBACK_MAX_ATTEMPTS: 8 by default, 1 to 100; 0 (no callback ever attempted) refused', async (t) => {
  t.equal(loadConfig(base).signedApi.callbackMaxAttempts, 8)
  t.equal(loadConfig({ ...base, CALLBACK_MAX_ATTEMPTS: '1' }).signedApi.callbackMaxAttempts, 1)
  for (const value of ['0', '101', 'many']) {
    t.same(problemsOf({ CALLBACK_MAX_ATTEMPTS: value }), [`CALLBACK_MAX_ATTEMPTS must be an integer from 1 to 100, got "${value}"`], `${value} refused`)
  }
})

t.test('INAPP_MAX_BUFFERED_BYTES: 64 KiB by default, not below 32 KiB (the largest frame must fit, or every socket sent one is closed)', async (t) => {
  t.equal(loadConfig(base).limits.inAppMaxBufferedBytes, 65_536)
  t.equal(loadConfig({ ...base, INAPP_MAX_BUFFERED_BYTES: '32768' }).limits.inAppMaxBufferedBytes, 32_768)
  for (const value of ['32767', '1024', '268435457']) {
    t.same(problemsOf({ INAPP_MAX_BUFFERED_BYTES: value }), [`INAPP_MAX_BUFFERED_BYTES must be an integer from 32768 to 268435456, got "${value}"`], `${value} refused`)
  }
})

// guarantee: powerauth-url-credentials-refused
t.test('POWERAUTH_SERVICE_URL: an http(s) URL; a refused one is never echoed, as it may hold a password', async (t) => {
  t.same(problemsOf({ POWERAUTH_SERVICE_URL: 'https://powerauth.example/powerauth-push-server' }), [])
  // fetch would refuse it at every call, quoting the URL, password included, in the error it logs.
  for (const value of ['https://operator:s3cret-pw@powerauth.example/powerauth-push-server', 'https://s3cret-user@powerauth.example']) {
    const problems = problemsOf({ POWERAUTH_SERVICE_URL: value })
    t.same(problems, ['POWERAUTH_SERVICE_URL must not carry a user or password (the value is not shown): give them in POWERAUTH_USERNAME and POWERAUTH_PASSWORD'], 'credentials in the URL refused')
    t.notOk(problems.join('\n').includes('s3cret'), 'the value is not in the message')
  }
  for (const value of ['ftp://operator:s3cret-pw@powerauth.example', 'powerauth.example:s3cret-pw', 'https://operator:s3cret pw@powerauth.example']) {
    const problems = problemsOf({ POWERAUTH_SERVICE_URL: value })
    t.match(problems, [/^POWERAUTH_SERVICE_URL must be an http\(s\) URL/], value)
    t.notOk(problems.join('\n').includes('s3cret'), 'the value is not in the message')
  }
})
