import t from 'tap'
import { authorization, buildApp, credentials } from '../../helper.js'
import { CONSOLE, SESSION_COOKIE, expectError, sessionCookieOf, sessionOf, signIn, whoAmI } from './fixtures.js'

// guarantee: console-session-cookie
t.test('sign-in with the admin credentials sets an HttpOnly, SameSite=Strict cookie with an expiry; Secure per CONSOLE_COOKIE_SECURE', async (t) => {
  const { app } = await buildApp(t)
  const before = Date.now()
  const response = await signIn(app)
  t.equal(response.statusCode, 200)
  t.equal(response.json().responseObject.username, credentials.username)
  const expiresAt = Date.parse(response.json().responseObject.expiresAt)
  t.ok(expiresAt >= before + 8 * 3600_000 && expiresAt <= Date.now() + 8 * 3600_000, 'expires 8 h after sign-in by default')
  const cookie = sessionCookieOf(response)
  t.ok(cookie, 'the session cookie is set')
  t.equal(cookie?.httpOnly, true, 'HttpOnly')
  t.equal(cookie?.sameSite, 'Strict', 'SameSite=Strict')
  t.equal(cookie?.path, '/', 'Path=/ (it must reach /admin/console and /console/api)')
  t.equal(cookie?.maxAge, 8 * 3600, 'Max-Age: CONSOLE_SESSION_TTL_S')
  t.equal(cookie?.expires?.getTime(), Math.floor(expiresAt / 1000) * 1000, 'Expires: the expiry the server enforces')
  t.equal(cookie?.secure, true, 'Secure by default, even on a loopback HOST (a TLS proxy may sit in front)')
  t.equal(response.headers['cache-control'], 'no-store', 'the session answer is not cached')
  t.notMatch(cookie?.value ?? '', new RegExp(credentials.password), 'the password is not in the cookie')
  t.equal((await whoAmI(app, cookie?.value ?? '')).json().responseObject.username, credentials.username, 'who am I: the admin')

  const plain = await buildApp(t, { CONSOLE_COOKIE_SECURE: 'false', CONSOLE_SESSION_TTL_S: '600' })
  const plainCookie = sessionCookieOf(await signIn(plain.app))
  t.notOk(plainCookie?.secure, 'CONSOLE_COOKIE_SECURE=false: not Secure')
  t.equal(plainCookie?.maxAge, 600, 'CONSOLE_SESSION_TTL_S=600: Max-Age=600')
})

t.test('wrong credentials are a 401 in the API\'s error body, with no cookie and no Basic challenge', async (t) => {
  const { app } = await buildApp(t)
  for (const body of [{ ...credentials, password: 'not-the-password' }, { ...credentials, username: 'root' }]) {
    const response = await signIn(app, body)
    expectError(t, response, 401, 'ERROR_UNAUTHORIZED', `wrong ${body.username === 'root' ? 'username' : 'password'}`)
    t.equal(sessionCookieOf(response), undefined, 'no cookie')
    t.equal(response.headers['www-authenticate'], undefined, 'no challenge: a browser would prompt over the console')
  }
})

// guarantee: console-session-failure-limit
t.test('wrong sign-ins and wrong Basic credentials count toward one limit per address', async (t) => {
  const { app } = await buildApp(t, { AUTH_FAILURES_PER_ADDRESS: '3' })
  const from = '198.51.100.20'
  for (let i = 1; i <= 2; i++) t.equal((await signIn(app, { ...credentials, password: 'guess-number-' + i }, { remoteAddress: from })).statusCode, 401, `wrong sign-in ${i}`)
  const wrongBasic = `Basic ${Buffer.from(`${credentials.username}:guess-number-3`).toString('base64')}`
  t.equal((await app.inject({ method: 'GET', url: '/admin/app/list', remoteAddress: from, headers: { authorization: wrongBasic } })).statusCode, 401, 'a wrong Basic guess')
  const refused = await signIn(app, credentials, { remoteAddress: from })
  expectError(t, refused, 429, 'ERROR_TOO_MANY_REQUESTS', 'the right password after three wrong guesses of either kind')
  t.ok(Number(refused.headers['retry-after']) >= 1, 'Retry-After')
  t.equal(sessionCookieOf(refused), undefined, 'no cookie')
  t.equal((await app.inject({ method: 'GET', url: '/admin/app/list', remoteAddress: from, headers: { authorization } })).statusCode, 429, 'Basic is refused too')
  t.equal((await signIn(app, credentials, { remoteAddress: '198.51.100.21' })).statusCode, 200, 'another address signs in')
})

// guarantee: console-session-bad-request
t.test('a sign-in that is not JSON, lacks a field, has an extra one or is too large is refused, with no cookie', async (t) => {
  const { app } = await buildApp(t)
  const cases: Array<[string, unknown, RegExp]> = [
    ['not JSON', '{"username": "admin", ', /not valid JSON/],
    ['no password', { username: credentials.username }, /password/],
    ['no username', { password: credentials.password }, /username/],
    ['an empty username', { ...credentials, username: '' }, /username/],
    ['a number for a password', { ...credentials, password: 1234 }, /password/],
    ['an unknown field', { ...credentials, remember: true }, /remember|additional/],
    ['an overlong password', { ...credentials, password: 'x'.repeat(1025) }, /password/],
    ['an array', [credentials], /./]
  ]
  for (const [what, body, message] of cases) {
    const response = await signIn(app, body)
    expectError(t, response, 400, 'ERROR_GENERIC', what)
    t.match(response.json().responseObject.message, message, `${what}: the message says what is wrong`)
    t.equal(sessionCookieOf(response), undefined, `${what}: no cookie`)
  }
  const huge = await signIn(app, { ...credentials, padding: 'x'.repeat(10_000) })
  expectError(t, huge, 413, 'ERROR_REQUEST', 'a body over 8 KiB')
  t.equal(sessionCookieOf(huge), undefined, 'no cookie')
})

// guarantee: console-session-csrf-header
t.test('sign-in, who am I and logout without the X-Beacon-Console header are a 403, the credentials or cookie notwithstanding', async (t) => {
  const { app } = await buildApp(t)
  const signInWithout = await signIn(app, credentials, { headers: {} })
  expectError(t, signInWithout, 403, 'ERROR_FORBIDDEN', 'sign-in without the header')
  t.equal(sessionCookieOf(signInWithout), undefined, 'no cookie')
  expectError(t, await signIn(app, credentials, { headers: { 'x-beacon-console': 'yes' } }), 403, 'ERROR_FORBIDDEN', 'the header with another value')
  const cookie = await sessionOf(t, app)
  expectError(t, await whoAmI(app, cookie, {}), 403, 'ERROR_FORBIDDEN', 'who am I with the cookie, without the header')
  const logout = await app.inject({ method: 'DELETE', url: '/console/api/session', headers: { cookie: `${SESSION_COOKIE}=${cookie}` } })
  expectError(t, logout, 403, 'ERROR_FORBIDDEN', 'logout without the header')
  t.equal((await whoAmI(app, cookie)).statusCode, 200, 'so the session was not ended')
  expectError(t, await app.inject({ method: 'GET', url: '/console/api/session', headers: CONSOLE }), 401, 'ERROR_UNAUTHORIZED', 'who am I without a cookie')
})

// guarantee: console-session-logout
t.test('logout clears the cookie, and the logged-out value replayed is refused, by another instance too', async (t) => {
  const { app, databaseUrl, config } = await buildApp(t)
  // A second api on the same database, with the same MASTER_KEY and credentials (a second replica).
  const replica = await buildApp(t, { DATABASE_URL: databaseUrl, MASTER_KEY: config.masterKey.toString('base64') })
  const cookie = await sessionOf(t, app)
  t.equal((await whoAmI(replica.app, cookie)).statusCode, 200, 'the replica takes the session')
  const other = await sessionOf(t, app)
  const logout = await app.inject({ method: 'DELETE', url: '/console/api/session', headers: { ...CONSOLE, cookie: `${SESSION_COOKIE}=${cookie}` } })
  t.equal(logout.statusCode, 200)
  t.same(logout.json(), { status: 'OK' })
  const cleared = sessionCookieOf(logout)
  t.equal(cleared?.value, '', 'the cookie is emptied')
  t.ok((cleared?.expires?.getTime() ?? Infinity) < Date.now() || cleared?.maxAge === 0, 'and expired')
  const replayed = await whoAmI(app, cookie)
  expectError(t, replayed, 401, 'ERROR_UNAUTHORIZED', 'the logged-out value replayed')
  expectError(t, await whoAmI(replica.app, cookie), 401, 'ERROR_UNAUTHORIZED', 'the logged-out value replayed to the replica')
  t.equal((await whoAmI(app, other)).statusCode, 200, 'another session goes on')
  expectError(t, await app.inject({ method: 'DELETE', url: '/console/api/session', headers: { ...CONSOLE, cookie: `${SESSION_COOKIE}=${cookie}` } }),
    401, 'ERROR_UNAUTHORIZED', 'logging out again')
})

// guarantee: console-session-logout
t.test('a revocation outlives its session\'s expiry by an hour: an instance whose clock runs behind still refuses the cookie', async (t) => {
  const { app } = await buildApp(t)
  await app.db.consoleSessionRevocation.createMany({
    data: [{ sid: 'expired-minutes-ago', expiresAt: new Date(Date.now() - 10 * 60_000) }, { sid: 'expired-hours-ago', expiresAt: new Date(Date.now() - 2 * 3600_000) }]
  })
  const cookie = await sessionOf(t, app)
  const logout = await app.inject({ method: 'DELETE', url: '/console/api/session', headers: { ...CONSOLE, cookie: `${SESSION_COOKIE}=${cookie}` } })
  t.equal(logout.statusCode, 200)
  const left = (await app.db.consoleSessionRevocation.findMany({ select: { sid: true } })).map((row) => row.sid)
  t.ok(left.includes('expired-minutes-ago'), 'one expired minutes ago is kept')
  t.notOk(left.includes('expired-hours-ago'), 'one expired hours ago is gone with this logout')
  t.equal(left.length, 2, 'beside this logout\'s own')
})

t.test('a logged-out cookie stays refused until its own expiry, not only for an hour after the logout', async (t) => {
  const { app } = await buildApp(t)
  const cookie = await sessionOf(t, app)
  const logout = (value: string) => app.inject({ method: 'DELETE', url: '/console/api/session', headers: { ...CONSOLE, cookie: `${SESSION_COOKIE}=${value}` } })
  t.equal((await logout(cookie)).statusCode, 200, 'logged out, 8 h before the session\'s expiry')
  // An hour and a minute later (the revocation moved back in time), another logout purges the
  // revocations it no longer needs: not this one, whose cookie still has hours to live.
  await app.db.pool.query('UPDATE console_session_revocation SET expires_at = expires_at - interval \'61 minutes\'')
  t.equal((await logout(await sessionOf(t, app))).statusCode, 200, 'another session logs out')
  expectError(t, await whoAmI(app, cookie), 401, 'ERROR_UNAUTHORIZED', 'the first logged-out value replayed')
})

t.test('logging out with a renewed cookie ends the session: the values it had before are refused too', async (t) => {
  // Renewed after 0.5 s of use (a quarter of the idle timeout).
  const { app } = await buildApp(t, { CONSOLE_SESSION_IDLE_S: '2' })
  const signedIn = await sessionOf(t, app)
  await new Promise((resolve) => setTimeout(resolve, 600))
  const renewed = sessionCookieOf(await whoAmI(app, signedIn))?.value
  if (renewed === undefined) throw new Error('the cookie was not renewed')
  t.not(renewed, signedIn, 'renewed in use')
  const logout = await app.inject({ method: 'DELETE', url: '/console/api/session', headers: { ...CONSOLE, cookie: `${SESSION_COOKIE}=${renewed}` } })
  t.equal(logout.statusCode, 200, 'logged out with the renewed value')
  // A copy of the value from before the renewal (a stolen one, say) is the same session: logged out.
  expectError(t, await whoAmI(app, signedIn), 401, 'ERROR_UNAUTHORIZED', 'the value from before the renewal, still within its idle time')
})

// guarantee: console-sign-in-auth-disabled
t.test('with AUTH_DISABLED there is no sign-in (400): the console reads need none', async (t) => {
  const { app } = await buildApp(t, { AUTH_DISABLED: 'true', AUTH_USERNAME: '', AUTH_PASSWORD: '' })
  const response = await signIn(app, { username: 'anyone', password: 'anything-at-all' })
  expectError(t, response, 400, 'ERROR_GENERIC', 'sign-in')
  t.match(response.json().responseObject.message, /AUTH_DISABLED/)
  t.equal(sessionCookieOf(response), undefined, 'no cookie')
})
