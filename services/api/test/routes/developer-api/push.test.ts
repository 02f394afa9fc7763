import t from 'tap'
import { parseUserAddress } from '../../../src/domain/developer-api/push-address.js'
import { buildApp } from '../../helper.js'
import { CARRIER, pushTo, setupDeveloper, signedPost } from '../in-app/helper.js'
import { insertDeveloper } from './signing-fixtures.js'

const env = { INAPP_ACK_TIMEOUT_MS: '60000', INAPP_MESSAGE_TTL_SECONDS: '3600' }

// guarantee: carrier-case-insensitive
t.test('push stores the in-app message with its application and answers its id', async (t) => {
  const { app } = await buildApp(t, env)
  const { applicationId, developerId } = await setupDeveloper(app)
  const before = Date.now()
  const response = await signedPost(app, `/api/1.0/push/alice@${CARRIER}`, {
    content: 'x'.repeat(150), push: { content: 'You have a message' }, sender: 'bob@carrier.example'
  })
  const after = Date.now()
  t.equal(response.statusCode, 200, response.body)
  const { requestId } = response.json()
  t.match(requestId, /^[0-9a-f-]{36}$/)
  const stored = await app.db.inboxMessage.findUniqueOrThrow({ where: { id: requestId }, include: { applications: true } })
  t.match(stored, { userId: 'alice', type: 'TEXT', subject: 'bob@carrier.example', body: 'x'.repeat(150), summary: 'x'.repeat(100) })
  t.match(stored, { developerId, sender: 'bob@carrier.example', pushContent: 'You have a message' })
  t.match(stored, { acknowledgedAt: null, pushMessageId: null, expiredAt: null })
  t.same(stored.applications.map((a) => a.applicationId), [applicationId])
  // Stamped at some instant of the request: between the clock read before it and after it.
  const stampedAt = (at: Date | null, offsetMs: number) => {
    const stamp = (at?.getTime() ?? 0) - offsetMs
    return { ok: stamp >= before && stamp <= after, text: `${stamp - before} ms into a request of ${after - before} ms` }
  }
  const due = stampedAt(stored.pushDueAt, 60_000)
  t.ok(due.ok, `push due the ack timeout after the request (${due.text})`)
  const expiry = stampedAt(stored.expiresAt, 3_600_000)
  t.ok(expiry.ok, `expires the TTL after the request (${expiry.text})`)
})

t.test('a sender on the developer\'s own carrier is kept in the carrier\'s spelling', async (t) => {
  const { app } = await buildApp(t, env)
  await setupDeveloper(app)
  const requestId = await pushTo(app, `alice@${CARRIER}`, { content: 'hi', sender: `Support@${CARRIER.toUpperCase()}` })
  const stored = await app.db.inboxMessage.findUniqueOrThrow({ where: { id: requestId } })
  t.match(stored, { sender: `Support@${CARRIER}`, subject: `Support@${CARRIER}` })
})

// guarantee: username-url-encoded, signed-push-content, signed-push-fallback-text, carrier-case-insensitive
t.test('appMessage.content (M800 SDK form), a URL-encoded address, no push: no fallback scheduled', async (t) => {
  const { app } = await buildApp(t, env)
  const { applicationId } = await setupDeveloper(app)
  const requestId = await pushTo(app, `+85291234567%40${CARRIER.toUpperCase()}`, { appMessage: { content: 'hello' } })
  const stored = await app.db.inboxMessage.findUniqueOrThrow({ where: { id: requestId }, include: { applications: true } })
  t.match(stored, { userId: '+85291234567', body: 'hello', subject: '', sender: null, pushContent: null, pushDueAt: null })
  t.same(stored.applications.map((a) => a.applicationId), [applicationId], 'the carrier in upper case: the application of carrier.example')
})

// guarantee: sender-carrier-checked, carrier-forbidden-alike
// guarantee: signed-push-content, signed-push-fallback-text
t.test('every bad request is a clear 4xx in the signed API error body, and stores nothing', async (t) => {
  const { app } = await buildApp(t, env)
  await setupDeveloper(app)
  await app.db.application.create({ data: { appId: '2', name: 'other', carrierDomain: 'other.example' } })
  const ok = { content: 'hi' }
  const cases: Array<[string, unknown, number, RegExp]> = [
    ['alice', ok, 400, /username@carrier/],
    ['alice@', ok, 400, /username@carrier/],
    [`@${CARRIER}`, ok, 400, /username@carrier/],
    [`al@ice@${CARRIER}`, ok, 400, /username@carrier/],
    [`al%20ice@${CARRIER}`, ok, 400, /username@carrier/],
    ['alice@bad_domain!', ok, 400, /username@carrier/],
    // An unknown carrier and another tenant's read the same: no developer learns which exist.
    ['alice@unknown.example', ok, 403, /^this developer may not address the carrier unknown\.example$/],
    ['alice@other.example', ok, 403, /^this developer may not address the carrier other\.example$/],
    [`alice@${CARRIER}`, {}, 400, /exactly one of content or appMessage\.content/],
    [`alice@${CARRIER}`, { content: 'a', appMessage: { content: 'b' } }, 400, /exactly one of content or appMessage\.content/],
    [`alice@${CARRIER}`, { content: '' }, 400, /content/],
    [`alice@${CARRIER}`, { content: 'x'.repeat(4097) }, 400, /content/],
    [`alice@${CARRIER}`, { content: 7 }, 400, /content/],
    [`alice@${CARRIER}`, { appMessage: {} }, 400, /appMessage\.content/],
    [`alice@${CARRIER}`, { content: 'a', push: { content: '' } }, 400, /push\.content/],
    [`alice@${CARRIER}`, { content: 'a', push: { content: 'x'.repeat(2049) } }, 400, /push\.content/],
    [`alice@${CARRIER}`, { content: 'a', sender: 'bob' }, 400, /sender/],
    // The sender becomes the push title: only an address on one of the developer's own carriers.
    [`alice@${CARRIER}`, { content: 'a', sender: 'security@yourbank.example' }, 400, /^sender must be username@carrier on a carrier this developer may address$/],
    [`alice@${CARRIER}`, { content: 'a', sender: 'security@other.example' }, 400, /^sender must be username@carrier on a carrier this developer may address$/]
  ]
  for (const [address, body, status, message] of cases) {
    const response = await signedPost(app, `/api/1.0/push/${address}`, body)
    t.equal(response.statusCode, status, `${address} ${JSON.stringify(body).slice(0, 60)}: ${response.body}`)
    t.equal(response.json().error?.status, status)
    t.equal(response.json().error?.code, status * 100)
    t.match(response.json().error?.message, message)
  }
  const forbidden = async (carrier: string) => {
    const response = await signedPost(app, `/api/1.0/push/alice@${carrier}`, ok)
    return { status: response.statusCode, headers: response.headers['content-type'], body: response.body.replaceAll(carrier, '<carrier>') }
  }
  t.strictSame(await forbidden('other.example'), await forbidden('unknown.example'), "another tenant's carrier and no carrier read the same, byte for byte but the name")
  t.equal(await app.db.inboxMessage.count(), 0, 'nothing stored')
})

// guarantee: carrier-forbidden-alike
t.test('a carrier granted to another developer is refused (403): each developer addresses only its own grants', async (t) => {
  const { app } = await buildApp(t, env)
  await setupDeveloper(app)
  // The case above has other.example granted to no one; here it is another developer's, so only
  // the signing developer's own grants can tell it apart from a carrier it may address.
  await insertDeveloper(app, { key: 'second-developer', secret: 'second-developer-secret', appId: '2', carrier: 'other.example' })
  const pushed = await signedPost(app, '/api/1.0/push/alice@other.example', { content: 'hi' })
  t.equal(pushed.statusCode, 403, pushed.body)
  t.match(pushed.json().error?.message, /^this developer may not address the carrier other\.example$/)
  const token = await signedPost(app, '/api/1.0/im/token', { user: 'alice@other.example' })
  t.equal(token.statusCode, 403, token.body)
  t.equal(await app.db.inboxMessage.count(), 0, 'nothing stored')
})

t.test('an unsigned push is refused with 401', async (t) => {
  const { app } = await buildApp(t, env)
  await setupDeveloper(app)
  const response = await app.inject({ method: 'POST', url: `/api/1.0/push/alice@${CARRIER}`, payload: { content: 'hi' } })
  t.equal(response.statusCode, 401)
  t.equal(await app.db.inboxMessage.count(), 0)
})

t.test('im/token: a token for an addressable user; the same checks as push', async (t) => {
  const { app } = await buildApp(t, env)
  const { applicationId, developerId } = await setupDeveloper(app)
  await app.db.application.create({ data: { appId: '2', name: 'other', carrierDomain: 'other.example' } })
  const before = Date.now()
  const response = await signedPost(app, '/api/1.0/im/token', { user: `alice@${CARRIER}` })
  const after = Date.now()
  t.equal(response.statusCode, 200, response.body)
  const { token, expiresAt } = response.json()
  // Issued at some instant of the request, in whole seconds (the token carries epoch seconds).
  const issuedAt = Date.parse(expiresAt) - 300_000
  const second = (ms: number) => Math.floor(ms / 1000) * 1000
  t.ok(issuedAt >= second(before) && issuedAt <= second(after),
    `expires INAPP_TOKEN_TTL_SECONDS (300) after the request (issued ${issuedAt - before} ms into a request of ${after - before} ms)`)
  const verified = app.inApp.tokens.verify(token)
  t.same(verified, { ok: true, grant: { applicationId, userId: 'alice', developerId, tokenEpoch: 0 } }, 'the token names the developer and its token epoch')

  for (const [user, status] of [['alice', 400], ['alice@unknown.example', 403], ['alice@other.example', 403], [7, 400],
    // A lone surrogate (JSON's "\ud83d") would be stored as U+FFFD, merging users.
    [`alice\ud83d@${CARRIER}`, 400]] as const) {
    const refused = await signedPost(app, '/api/1.0/im/token', { user })
    t.equal(refused.statusCode, status, `${user}: ${refused.body}`)
    t.equal(refused.json().error?.code, status * 100)
  }
})

// The routes refuse a lone surrogate before the parser sees it (the im/token case above); the
// parser's own check is what stands when a new caller reaches it directly: stored as U+FFFD,
// two distinct addresses would become one user.
t.test('parseUserAddress: a lone surrogate in the username is no address; a paired one is', async (t) => {
  t.equal(parseUserAddress(`alice\ud83d@${CARRIER}`), null, 'a lone high surrogate')
  t.equal(parseUserAddress(`alice\ude00@${CARRIER}`), null, 'a lone low surrogate')
  t.same(parseUserAddress(`alice\ud83d\ude00@${CARRIER}`), { username: 'alice\ud83d\ude00', carrier: CARRIER }, 'the control: a whole emoji')
})

// User ids are 1 to 255 characters (PowerAuth's column), counted as the schema's maxLength and the
// address pattern count them: in code points. A username of 255 characters outside the BMP is 510
// UTF-16 units, and 3,060 characters percent-encoded in the path.
// guarantee: username-length-in-characters
t.test('a username of 255 characters outside the BMP is an address, in the path and in a body; of 256 it is not', async (t) => {
  const { app } = await buildApp(t, env)
  await setupDeveloper(app)
  const longest = '\u{1F600}'.repeat(255)
  const requestId = await pushTo(app, `${encodeURIComponent(longest)}@${CARRIER}`, { content: 'hi', sender: `${longest}@${CARRIER}` })
  const stored = await app.db.inboxMessage.findUniqueOrThrow({ where: { id: requestId } })
  t.equal(stored.userId, longest, 'stored as the user id')
  t.equal(stored.sender, `${longest}@${CARRIER}`, 'and as the sender')
  t.equal((await signedPost(app, '/api/1.0/im/token', { user: `${longest}@${CARRIER}` })).statusCode, 200, 'a token for that user')
  t.not(parseUserAddress(`${longest}@${CARRIER}`), null)

  const over = `${longest}\u{1F600}`
  t.equal(parseUserAddress(`${over}@${CARRIER}`), null)
  for (const response of [
    await signedPost(app, `/api/1.0/push/${encodeURIComponent(over)}@${CARRIER}`, { content: 'hi' }),
    await signedPost(app, '/api/1.0/im/token', { user: `${over}@${CARRIER}` })
  ]) {
    t.equal(response.statusCode, 400, response.body)
    t.equal(response.json().error?.code, 40000)
  }
})

// The store's answer lost on the way back (the connection broke after the commit), or the
// statement lost before it ran: the push answers the one message stored, which a developer's
// retry after a 503 would have sent twice. The statement is failed once, after or instead of running.
// guarantee: signed-push-store-answer-lost
t.test('a push whose store answer was lost answers the message it stored, stored once', async (t) => {
  for (const lost of ['after the commit', 'before it ran'] as const) {
    const { app } = await buildApp(t, env)
    await setupDeveloper(app)
    const pool = app.db.pool
    const query = pool.query.bind(pool) as (...args: unknown[]) => Promise<unknown>
    let failures = 0
    ;(pool as unknown as { query: unknown }).query = async (...args: unknown[]) => {
      if (failures === 0 && (args[0] as { name?: string } | undefined)?.name === 'beacon-store-in-app-message') {
        failures++
        if (lost === 'after the commit') await query(...args)
        throw new Error('Connection terminated unexpectedly')
      }
      return await query(...args)
    }
    const response = await signedPost(app, `/api/1.0/push/alice@${CARRIER}`, { content: `hello ${lost}`, push: { content: 'You have a message' } })
    ;(pool as unknown as { query: unknown }).query = query
    t.equal(failures, 1, `${lost}: the store failed once`)
    t.equal(response.statusCode, 200, `${lost}: answered OK`)
    const stored = await app.db.inboxMessage.findMany({ where: { userId: 'alice' } })
    t.equal(stored.length, 1, `${lost}: stored once`)
    t.equal(response.json().requestId, stored[0]?.id, `${lost}: the answer names the message stored`)
    t.equal(stored[0]?.body, `hello ${lost}`)
  }
})
