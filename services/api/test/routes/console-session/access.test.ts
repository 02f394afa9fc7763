import { randomBytes } from 'node:crypto'
import t from 'tap'
import { authorization, buildApp, credentials } from '../../helper.js'
import { CONSOLE, SESSION_COOKIE, expectError, readWithSession, sessionCookieOf, sessionOf, signIn, whoAmI } from './fixtures.js'

// A valid request of each console read, on an application 2, a developer and a message that exist.
const READS: Array<[string, Record<string, unknown>]> = [
  ['device/search', { appId: 2, userId: 'alice' }],
  ['message/list', { appId: 2 }],
  ['message/outcomes', { appId: 2, messageId: '00000000-0000-4000-8000-000000000000' }],
  ['callback/list', { developerId: 1 }],
  ['campaign/progress', { campaignId: '1' }]
]

// guarantee: console-session-reads
t.test('the session cookie with the console header reads /admin/console/*; without the header it is a 403', async (t) => {
  const { app } = await buildApp(t)
  const application = await app.db.application.create({ data: { appId: '2', name: 'app2' } })
  await app.db.message.create({
    data: { id: READS[2]![1].messageId as string, applicationId: application.id, userId: 'alice', personal: false, silent: false, priority: 'HIGH', body: {} }
  })
  await app.db.developer.create({ data: { id: 1, key: 'k', name: 'Dev', secret: new Uint8Array(32) } })
  await app.db.campaign.create({ data: { id: 1, applicationId: application.id, message: { title: 'Hi', body: 'There' } } })
  const cookie = await sessionOf(t, app)
  for (const [path, requestObject] of READS) {
    const read = await readWithSession(app, path, requestObject, cookie)
    t.equal(read.statusCode, 200, `${path} with the session: ${read.body.slice(0, 200)}`)
    const withoutHeader = await readWithSession(app, path, requestObject, cookie, {})
    expectError(t, withoutHeader, 403, 'ERROR_FORBIDDEN', `${path} with the cookie, without the header`)
    const withoutCookie = await readWithSession(app, path, requestObject, undefined)
    expectError(t, withoutCookie, 401, 'ERROR_UNAUTHORIZED', `${path} with the header, without the cookie`)
    t.equal(withoutCookie.headers['www-authenticate'], undefined, `${path}: the console's refusal carries no Basic challenge`)
  }
})

// guarantee: console-session-admin-api
t.test('the session cookie with its header opens the admin API the console drives; the signed API keeps its signatures', async (t) => {
  const { app } = await buildApp(t)
  const cookie = await sessionOf(t, app)
  const session = { ...CONSOLE, cookie: `${SESSION_COOKIE}=${cookie}` }
  const routes: Array<['GET' | 'POST', string, unknown?]> = [
    ['GET', '/admin/app/list'], ['GET', '/push/service/status'], ['GET', '/admin/developer/list'],
    ['POST', '/admin/app/create', { requestObject: { appId: 'console-made' } }], ['GET', '/push/campaign/list?all=true']
  ]
  for (const [method, url, body] of routes) {
    const json = body === undefined ? {} : { 'content-type': 'application/json' }
    const payload = body === undefined ? {} : { payload: JSON.stringify(body) }
    const opened = await app.inject({ method, url, headers: { ...session, ...json }, ...payload })
    t.equal(opened.statusCode, 200, `${method} ${url} with the session: ${opened.body.slice(0, 200)}`)
    // Without the header, the cookie alone is what another site's form would send: refused.
    const forged = await app.inject({ method, url, headers: { cookie: session.cookie, ...json }, ...payload })
    expectError(t, forged, 403, 'ERROR_FORBIDDEN', `${method} ${url} with the cookie, without the header`)
  }
  t.equal(await app.db.application.count({ where: { appId: 'console-made' } }), 1, 'created once: the refused request changed nothing')
  // The signed API's routes are no console's: the cookie is nothing to them.
  const signed = await app.inject({ method: 'POST', url: '/api/1.0/push/alice@carrier.example', headers: { ...session, 'content-type': 'application/json' }, payload: '{}' })
  t.equal(signed.statusCode, 401, 'the signed API asks for its signature')
  t.equal(signed.headers['www-authenticate'], 'MAAIISDK10')
})

t.test('Basic credentials, when sent, decide alone: a session beside them is not looked at', async (t) => {
  const { app } = await buildApp(t)
  const cookie = await sessionOf(t, app)
  const wrong = `Basic ${Buffer.from(`${credentials.username}:not-the-password`).toString('base64')}`
  // A wrong password is a wrong password, whatever cookie came with it: it is refused and counted
  // as a guess, never waved through by the session.
  const guessed = await app.inject({ method: 'GET', url: '/admin/app/list', headers: { ...CONSOLE, cookie: `${SESSION_COOKIE}=${cookie}`, authorization: wrong } })
  expectError(t, guessed, 401, 'ERROR_UNAUTHORIZED', 'wrong Basic credentials beside a valid session')
  t.match(guessed.headers['www-authenticate'], /^Basic /, 'answered by Basic, with its challenge')
  const basic = await app.inject({ method: 'GET', url: '/admin/app/list', headers: { ...CONSOLE, cookie: `${SESSION_COOKIE}=forged`, authorization } })
  t.equal(basic.statusCode, 200, 'the right Basic credentials beside a forged cookie')
})

t.test('a tampered cookie is a 401, and the answer clears it', async (t) => {
  const { app } = await buildApp(t)
  const cookie = await sessionOf(t, app)
  const [claims, signature] = cookie.split('.') as [string, string]
  const decoded = JSON.parse(Buffer.from(claims, 'base64url').toString('utf8'))
  const longer = Buffer.from(JSON.stringify({ ...decoded, expiresAt: decoded.expiresAt + 86_400_000 })).toString('base64url')
  const flipped = signature.slice(0, -1) + (signature.endsWith('A') ? 'B' : 'A')
  for (const [what, value] of [
    ['a longer expiry with the old signature', `${longer}.${signature}`],
    ['a changed signature', `${claims}.${flipped}`],
    ['no signature', claims],
    ['garbage', 'not-a-session'],
    ['another key\'s signature', `${claims}.${randomBytes(32).toString('base64').replace(/=+$/, '')}`]
  ] as const) {
    const response = await readWithSession(app, 'message/list', { appId: 2 }, value)
    expectError(t, response, 401, 'ERROR_UNAUTHORIZED', what)
    t.equal(sessionCookieOf(response)?.value, '', `${what}: the cookie is cleared`)
  }
  t.equal((await whoAmI(app, cookie)).statusCode, 200, 'the genuine cookie still works')
})

// guarantee: console-session-expiry
t.test('a session past CONSOLE_SESSION_TTL_S is refused by the server, whatever the browser still sends', async (t) => {
  const { app } = await buildApp(t, { CONSOLE_SESSION_TTL_S: '1' })
  const cookie = await sessionOf(t, app)
  t.equal((await whoAmI(app, cookie)).statusCode, 200, 'fresh')
  await new Promise((resolve) => setTimeout(resolve, 1100))
  expectError(t, await whoAmI(app, cookie), 401, 'ERROR_UNAUTHORIZED', 'who am I after the expiry')
  expectError(t, await readWithSession(app, 'message/list', { appId: 2 }, cookie), 401, 'ERROR_UNAUTHORIZED', 'a console read after the expiry')
})

// guarantee: console-session-idle
t.test('a session unused for CONSOLE_SESSION_IDLE_S is refused; one in use is renewed, its expiry unchanged', async (t) => {
  const { app } = await buildApp(t, { CONSOLE_SESSION_IDLE_S: '2' })
  const signedIn = await sessionOf(t, app)
  const expiresAt = (await whoAmI(app, signedIn)).json().responseObject.expiresAt
  // In use: a request every 0.6 s for 3 s, past the idle timeout, each renewed cookie taken up as a browser does.
  let cookie = signedIn
  for (let i = 1; i <= 5; i++) {
    await new Promise((resolve) => setTimeout(resolve, 600))
    const answer = await whoAmI(app, cookie)
    t.equal(answer.statusCode, 200, `in use, ${(i * 0.6).toFixed(1)} s after sign-in`)
    t.equal(answer.json().responseObject.expiresAt, expiresAt, 'renewing does not move the expiry')
    cookie = sessionCookieOf(answer)?.value ?? cookie
  }
  t.not(cookie, signedIn, 'the cookie was renewed while in use')
  expectError(t, await whoAmI(app, signedIn), 401, 'ERROR_UNAUTHORIZED', 'the value as signed in, never renewed: idle for 3 s')
  await new Promise((resolve) => setTimeout(resolve, 2100))
  expectError(t, await readWithSession(app, 'message/list', { appId: 2 }, cookie), 401, 'ERROR_UNAUTHORIZED', 'the renewed value, then idle for 2 s')
})

t.test('the console page\'s own polls (X-Beacon-Console-Poll: 1) are not use: polled, a session still ends idle', async (t) => {
  const { app } = await buildApp(t, { CONSOLE_SESSION_IDLE_S: '2' })
  const cookie = await sessionOf(t, app)
  const poll = { ...CONSOLE, 'x-beacon-console-poll': '1' }
  for (let i = 1; i <= 3; i++) {
    await new Promise((resolve) => setTimeout(resolve, 600))
    const answer = await whoAmI(app, cookie, poll)
    t.equal(answer.statusCode, 200, `a poll ${(i * 0.6).toFixed(1)} s after sign-in is answered`)
    t.equal(sessionCookieOf(answer), undefined, 'and renews nothing')
  }
  await new Promise((resolve) => setTimeout(resolve, 600))
  expectError(t, await whoAmI(app, cookie, poll), 401, 'ERROR_UNAUTHORIZED', 'polled all along, the session ended 2 s after its last use')
})

// guarantee: console-session-credentials-change
t.test('changing AUTH_PASSWORD ends every session: an api with another password refuses the old cookie', async (t) => {
  const masterKey = randomBytes(32).toString('base64')
  const before = await buildApp(t, { MASTER_KEY: masterKey })
  const cookie = await sessionOf(t, before.app)
  const sameCredentials = await buildApp(t, { MASTER_KEY: masterKey })
  t.equal((await whoAmI(sameCredentials.app, cookie)).statusCode, 200, 'another api with the same MASTER_KEY and credentials takes it (no server-side store)')
  const newPassword = await buildApp(t, { MASTER_KEY: masterKey, AUTH_PASSWORD: 'a-new-password-5678' })
  expectError(t, await whoAmI(newPassword.app, cookie), 401, 'ERROR_UNAUTHORIZED', 'the old cookie after the password changed')
  expectError(t, await readWithSession(newPassword.app, 'message/list', { appId: 2 }, cookie), 401, 'ERROR_UNAUTHORIZED', 'a console read with it')
  t.equal((await signIn(newPassword.app, { ...credentials, password: 'a-new-password-5678' })).statusCode, 200, 'the new password signs in')
})

t.test('changing AUTH_USERNAME or MASTER_KEY ends every session too: the old cookie is refused', async (t) => {
  const masterKey = randomBytes(32).toString('base64')
  const before = await buildApp(t, { MASTER_KEY: masterKey })
  const cookie = await sessionOf(t, before.app)
  // The cookie's key comes from MASTER_KEY and both credentials (session-token.ts): a change of any
  // one of them is what ends the sessions signed before, e.g. after a leak.
  const changes: Array<[string, Record<string, string>]> = [
    ['another AUTH_USERNAME', { MASTER_KEY: masterKey, AUTH_USERNAME: 'another-admin' }],
    ['another MASTER_KEY', { MASTER_KEY: randomBytes(32).toString('base64') }],
    // The same characters split otherwise between the two are other credentials.
    ['the same characters split otherwise between username and password', {
      MASTER_KEY: masterKey, AUTH_USERNAME: credentials.username + credentials.password.slice(0, 1), AUTH_PASSWORD: credentials.password.slice(1)
    }]
  ]
  for (const [what, env] of changes) {
    const changed = await buildApp(t, env)
    expectError(t, await whoAmI(changed.app, cookie), 401, 'ERROR_UNAUTHORIZED', `the old cookie after ${what}`)
  }
})

// guarantee: console-session-secrets-not-logged
t.test('neither the password, the cookie nor its key reach the log', async (t) => {
  const { app, config, logs } = await buildApp(t, {}, { captureLogs: true })
  const cookie = await sessionOf(t, app)
  await signIn(app, { ...credentials, password: 'a-wrong-guess-4321' })
  await readWithSession(app, 'message/list', { appId: 2 }, cookie)
  await readWithSession(app, 'message/list', { appId: 2 }, `${cookie}x`)
  await app.inject({ method: 'DELETE', url: '/console/api/session', headers: { ...CONSOLE, cookie: `${SESSION_COOKIE}=${cookie}` } })
  const { sessionKey } = await import('../../../src/domain/console/session-token.js')
  const key = sessionKey(config.masterKey, credentials)
  const text = logs()
  t.match(text, /console sign-in/, 'the sign-in is logged')
  t.match(text, /wrong admin credentials/, 'and the wrong one')
  for (const [what, secret] of [
    ['the password', credentials.password], ['the wrong guess', 'a-wrong-guess-4321'], ['the cookie', cookie],
    ['the cookie\'s signature', cookie.split('.')[1] ?? 'missing'], ['the key (hex)', key.toString('hex')],
    ['the key (base64)', key.toString('base64')], ['MASTER_KEY', config.masterKey.toString('base64')]
  ] as Array<[string, string]>) t.notOk(text.includes(secret), `${what} is not in the log`)
})
