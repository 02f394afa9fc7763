import { randomBytes } from 'node:crypto'
import t from 'tap'
import { SessionTokens } from '../../../src/domain/console/session-token.js'
import { buildApp } from '../../helper.js'
import { sessionCookieOf, sessionOf, whoAmI } from './fixtures.js'

// Renewing re-signs and re-sends the cookie; a console making a request per click would otherwise
// get a new Set-Cookie on every answer. A quarter of the idle timeout when that is shorter than a
// minute, so that a short timeout still renews well before a session in use would lapse.
// guarantee: console-session-renewal-rate
t.test('a session is renewed at most once a minute, or every quarter of a CONSOLE_SESSION_IDLE_S under 4 minutes', async (t) => {
  for (const [idleS, everyMs] of [[1800, 60_000], [604_800, 60_000], [240, 60_000], [120, 30_000], [2, 500]] as const) {
    let now = 1_000_000
    const tokens = new SessionTokens(randomBytes(32), 86_400_000 * 7, idleS * 1000, () => now)
    let { claims } = tokens.issue('admin')
    for (const round of [1, 2]) {
      now += everyMs - 1
      t.equal(tokens.due(claims), false, `idle ${idleS} s, round ${round}: not due ${everyMs - 1} ms after the last use signed`)
      now += 1
      t.equal(tokens.due(claims), true, `idle ${idleS} s, round ${round}: due at ${everyMs} ms`)
      claims = tokens.renew(claims).claims
    }
  }
})

t.test('a request right after sign-in renews nothing (the default idle timeout: not due within a minute)', async (t) => {
  const { app } = await buildApp(t)
  const cookie = await sessionOf(t, app)
  const answer = await whoAmI(app, cookie)
  t.equal(answer.statusCode, 200)
  t.equal(sessionCookieOf(answer), undefined, 'no new cookie')
})
