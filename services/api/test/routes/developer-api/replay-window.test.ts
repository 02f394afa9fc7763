import t from 'tap'
import { buildApp } from '../../helper.js'
import { CARRIER, KEY, SECRET, UNAUTHORIZED, insertDeveloper, signedHeaders, signedInject } from './signing-fixtures.js'

const ECHO = '/api/1.0/debug/echo'
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

// The api reads the real clock, so only clearly-inside and clearly-outside dates are tested here,
// a minute from either edge; the edges themselves, to the millisecond, are pinned with a fixed
// clock in packages/signing/test/verify-request.test.ts.
const MARGIN_MS = 60_000

// guarantee: replay-window
t.test('the date window: a minute inside either edge is accepted, a minute outside refused', async (t) => {
  const { app, config } = await buildApp(t)
  await insertDeveloper(app)
  const window = config.signedApi.windowSeconds * 1000
  t.equal(window, 300_000, 'the default window, 300 s')
  const cases: Array<[string, number, number]> = [
    ['now', 0, 200],
    ['a minute inside the past edge', -window + MARGIN_MS, 200],
    ['a minute inside the future edge', window - MARGIN_MS, 200],
    ['a minute too old', -window - MARGIN_MS, 401],
    ['a minute too far ahead', window + MARGIN_MS, 401],
    ['a day old', -86_400_000, 401]
  ]
  for (const [name, offset, status] of cases) {
    const response = await signedInject(app, { url: ECHO, date: new Date(Date.now() + offset) })
    t.equal(response.statusCode, status, name)
  }
})

// guarantee: replay-window
t.test('SIGNATURE_WINDOW_SECONDS sets the window', async (t) => {
  const { app } = await buildApp(t, { SIGNATURE_WINDOW_SECONDS: '900' })
  await insertDeveloper(app)
  const dated = async (offsetMs: number) => (await signedInject(app, { url: ECHO, date: new Date(Date.now() + offsetMs) })).statusCode
  t.equal(await dated(-600_000), 200, '10 minutes old: outside the default window, inside this one')
  t.equal(await dated(600_000), 200, '10 minutes ahead')
  t.equal(await dated(-960_000), 401, '16 minutes old')
  t.equal(await dated(960_000), 401, '16 minutes ahead')
})

// guarantee: replay-window, nonce-once-per-key
t.test('a replayed nonce is refused and the first request took effect once', async (t) => {
  const { app } = await buildApp(t)
  await insertDeveloper(app)
  const body = JSON.stringify({ content: 'only once' })
  const request = { method: 'POST', url: `/api/1.0/push/alice@${CARRIER}`, body, contentType: 'application/json', nonce: 'nonce-replayed-1' }
  const headers = signedHeaders(request)
  const send = () => app.inject({ method: 'POST', url: request.url, headers, payload: body })

  const first = await send()
  t.equal(first.statusCode, 200, first.body)
  const replay = await send()
  t.equal(replay.statusCode, 401, 'the identical request again')
  t.same(replay.json(), UNAUTHORIZED)
  t.equal(replay.headers['www-authenticate'], 'MAAIISDK10')
  t.equal(await app.db.inboxMessage.count(), 1, 'one message stored')

  // The same nonce with a different (valid) signature: still a replay.
  const again = await signedInject(app, { url: ECHO, nonce: 'nonce-replayed-1' })
  t.equal(again.statusCode, 401, 'a nonce is used once per key, whatever the request')
  // Nor under a later X-M-Date, whose nonce would outlive the first's: the nonce stays taken until
  // the first request's window is over, whatever the new request's would be.
  const later = await signedInject(app, { url: ECHO, nonce: 'nonce-replayed-1', date: new Date(Date.now() + 10_000) })
  t.equal(later.statusCode, 401, 'the nonce again, dated ten seconds later')

  const rows = await app.db.signedNonce.findMany()
  t.equal(rows.length, 1)
  t.equal(rows[0]?.developerKey, KEY)
  t.ok((rows[0]?.expiresAt.getTime() ?? 0) > Date.now(), 'kept until its window is over')
})

t.test('concurrent copies of one request: exactly one is accepted', async (t) => {
  const { app } = await buildApp(t)
  await insertDeveloper(app)
  const headers = signedHeaders({ url: ECHO, nonce: 'raced' })
  const responses = await Promise.all(Array.from({ length: 8 }, () => app.inject({ method: 'GET', url: ECHO, headers })))
  t.same(responses.map((r) => r.statusCode).sort(), [200, 401, 401, 401, 401, 401, 401, 401])
})

// guarantee: nonce-once-per-key
t.test('nonces are per key: the same nonce under another key is accepted', async (t) => {
  const { app } = await buildApp(t)
  await insertDeveloper(app)
  await insertDeveloper(app, { key: 'second-key', secret: 'second-secret' })
  t.equal((await signedInject(app, { url: ECHO, nonce: 'shared' })).statusCode, 200)
  const other = await signedInject(app, { url: ECHO, nonce: 'shared', key: 'second-key', secret: 'second-secret' })
  t.equal(other.statusCode, 200, other.body)
  t.equal(other.json().developerKey, 'second-key')
  t.equal((await signedInject(app, { url: ECHO, nonce: 'shared', key: 'second-key', secret: 'second-secret' })).statusCode, 401)
})

// guarantee: nonce-once-per-key
t.test('a replay is refused by another api instance sharing the database', async (t) => {
  const a = await buildApp(t)
  // The same master key too: b must open the secret a sealed.
  const b = await buildApp(t, { DATABASE_URL: a.databaseUrl, NATS_PREFIX: a.config.nats.prefix, MASTER_KEY: a.config.masterKey.toString('base64') })
  await insertDeveloper(a.app)
  const headers = signedHeaders({ url: ECHO, nonce: 'cross-instance' })
  t.equal((await a.app.inject({ method: 'GET', url: ECHO, headers })).statusCode, 200, 'accepted by a')
  t.equal((await b.app.inject({ method: 'GET', url: ECHO, headers })).statusCode, 401, 'refused by b')
  t.equal((await a.app.inject({ method: 'GET', url: ECHO, headers })).statusCode, 401, 'and by a')
  const fresh = await b.app.inject({ method: 'GET', url: ECHO, headers: signedHeaders({ url: ECHO, secret: SECRET }) })
  t.equal(fresh.statusCode, 200, 'b accepts a fresh nonce')
})

// guarantee: replay-window, nonce-once-per-key
t.test('a nonce is kept until the window over its date ends: a replay late in the window is still refused', async (t) => {
  const { app, config } = await buildApp(t)
  await insertDeveloper(app)
  const window = config.signedApi.windowSeconds * 1000
  // Signed four minutes ago, whole seconds as X-M-Date carries them: inside the window for one
  // more minute, so a copy sent now must still find its nonce taken.
  const date = new Date(Math.floor((Date.now() - window + MARGIN_MS) / 1000) * 1000)
  const headers = signedHeaders({ url: ECHO, date, nonce: 'late-in-window' })
  t.equal((await app.inject({ method: 'GET', url: ECHO, headers })).statusCode, 200, 'accepted, a minute before its window ends')
  t.equal((await app.inject({ method: 'GET', url: ECHO, headers })).statusCode, 401, 'its replay, still inside the window, refused')
  const rows = await app.db.signedNonce.findMany()
  // The window counts from the date, not from when the request came, plus the second the window
  // check gains by truncating the clock: a nonce that expired any sooner could be replayed while
  // its date is still accepted.
  t.equal(rows[0]?.expiresAt.getTime(), date.getTime() + window + 1000, 'kept until the date plus the window and one second')
})

// guarantee: nonce-once-per-key
t.test('a key is matched exactly: the same request with its key in another case is no new key with fresh nonces', async (t) => {
  const { app } = await buildApp(t)
  await insertDeveloper(app)
  const headers = signedHeaders({ url: ECHO, nonce: 'key-case' })
  t.equal((await app.inject({ method: 'GET', url: ECHO, headers })).statusCode, 200)
  // The key is not part of the string to sign: a key matched in any case would let anyone who saw
  // the request replay it under the key spelled otherwise, its nonce unused under that spelling.
  const respelled = { ...headers, authorization: headers.authorization!.replace(`key="${KEY}"`, `key="${KEY.toUpperCase()}"`) }
  t.not(respelled.authorization, headers.authorization)
  const replay = await app.inject({ method: 'GET', url: ECHO, headers: respelled })
  t.equal(replay.statusCode, 401, 'the replay under the key in upper case is refused')
  t.same(replay.json(), UNAUTHORIZED)
  t.equal((await signedInject(app, { url: ECHO, key: KEY.toUpperCase() })).statusCode, 401, 'and so is a fresh request under it: no such key')
})

t.test('expired nonces are purged, live ones kept', async (t) => {
  // A one-second window: the purge runs every second.
  const { app } = await buildApp(t, { SIGNATURE_WINDOW_SECONDS: '1' })
  const hourAgo = new Date(Date.now() - 3_600_000)
  await app.db.signedNonce.createMany({
    data: [
      { developerKey: KEY, nonce: 'old-1', expiresAt: hourAgo },
      { developerKey: 'k2', nonce: 'old-2', expiresAt: hourAgo },
      { developerKey: KEY, nonce: 'live', expiresAt: new Date(Date.now() + 3_600_000) }
    ]
  })
  const deadline = Date.now() + 10_000
  while (await app.db.signedNonce.count() > 1 && Date.now() < deadline) await sleep(200)
  t.same((await app.db.signedNonce.findMany()).map((row) => row.nonce), ['live'])
})

// guarantee: nonce-once-per-key
t.test('the purge spares a nonce expired less than a minute ago, and one about to expire', async (t) => {
  // A one-second window: the purge runs every second.
  const { app } = await buildApp(t, { SIGNATURE_WINDOW_SECONDS: '1' })
  const now = Date.now()
  await app.db.signedNonce.createMany({
    data: [
      { developerKey: KEY, nonce: 'expired-an-hour-ago', expiresAt: new Date(now - 3_600_000) },
      // Expired by this instance's clock, not yet by that of an instance whose clock runs behind,
      // which could still accept its replay: kept for a minute after it expired.
      { developerKey: KEY, nonce: 'expired-just-now', expiresAt: new Date(now - 30_000) },
      { developerKey: KEY, nonce: 'expires-soon', expiresAt: new Date(now + 30_000) }
    ]
  })
  const deadline = Date.now() + 10_000
  while (await app.db.signedNonce.count({ where: { nonce: 'expired-an-hour-ago' } }) > 0 && Date.now() < deadline) await sleep(200)
  t.same((await app.db.signedNonce.findMany({ orderBy: { nonce: 'asc' } })).map((row) => row.nonce), ['expired-just-now', 'expires-soon'],
    'the purge ran, and left both')
})

t.test('an expired nonce left in the table does not block a new request', async (t) => {
  const { app } = await buildApp(t)
  await insertDeveloper(app)
  await app.db.signedNonce.create({ data: { developerKey: KEY, nonce: 'reused-later', expiresAt: new Date(Date.now() - 1000) } })
  t.equal((await signedInject(app, { url: ECHO, nonce: 'reused-later' })).statusCode, 200)
  t.equal((await signedInject(app, { url: ECHO, nonce: 'reused-later' })).statusCode, 401, 'but only once more')
})

t.test('a nonce of the longest form (128 characters) is claimed whole: its replay is refused, one differing in its last character is not', async (t) => {
  const { app } = await buildApp(t)
  await insertDeveloper(app)
  // The nonce is the replay store's key as sent, whatever its length: no prefix or digest of it.
  const nonce = `${'n'.repeat(127)}a`
  const headers = signedHeaders({ url: ECHO, nonce })
  t.equal((await app.inject({ method: 'GET', url: ECHO, headers })).statusCode, 200, 'the first use')
  const replay = await app.inject({ method: 'GET', url: ECHO, headers })
  t.equal(replay.statusCode, 401, 'the identical request again')
  t.same(replay.json(), UNAUTHORIZED)
  t.equal((await signedInject(app, { url: ECHO, nonce: `${'n'.repeat(127)}b` })).statusCode, 200, 'another nonce with the same first 127 characters')
  t.same((await app.db.signedNonce.findMany({ orderBy: { nonce: 'asc' } })).map((row) => row.nonce), [nonce, `${'n'.repeat(127)}b`], 'both stored whole')
})
