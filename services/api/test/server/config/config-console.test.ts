import t from 'tap'
import { loadConfig } from '../../../src/config.js'
import { base, problemsOf } from './config-env.js'

// guarantee: console-cookie-secure-default
t.test('the console cookie is Secure unless CONSOLE_COOKIE_SECURE=false, whatever HOST says', async (t) => {
  t.equal(loadConfig({ ...base }).console.cookieSecure, true, 'plain HTTP on 127.0.0.1 (the default HOST): a TLS proxy may sit in front')
  t.equal(loadConfig({ ...base, HOST: 'localhost' }).console.cookieSecure, true, 'localhost too')
  t.equal(loadConfig({ ...base, HOST: '0.0.0.0' }).console.cookieSecure, true)
  t.equal(loadConfig({ ...base, CONSOLE_COOKIE_SECURE: 'false' }).console.cookieSecure, false, 'unless told')
})

t.test('CONSOLE_SESSION_TTL_S defaults to 8 h and takes 1 s to 7 days; bad values are named', async (t) => {
  t.equal(loadConfig({ ...base }).console.sessionTtlSeconds, 28_800)
  t.equal(loadConfig({ ...base, CONSOLE_SESSION_TTL_S: '900' }).console.sessionTtlSeconds, 900)
  for (const bad of ['0', '604801', '1.5', 'eight hours', '-60']) {
    t.same(problemsOf({ CONSOLE_SESSION_TTL_S: bad }), [`CONSOLE_SESSION_TTL_S must be an integer from 1 to 604800, got "${bad}"`], bad)
  }
  t.same(problemsOf({ CONSOLE_COOKIE_SECURE: 'sometimes' }), ['CONSOLE_COOKIE_SECURE must be true or false, got "sometimes"'])
  t.same(problemsOf({ CONSOLE_COOKIE_SECURE: 'maybe', CONSOLE_SESSION_TTL_S: '0' }).length, 2, 'both reported at once')
})

t.test('CONSOLE_SESSION_IDLE_S defaults to 30 minutes and takes 1 s to 7 days; bad values are named', async (t) => {
  t.equal(loadConfig({ ...base }).console.sessionIdleSeconds, 1800)
  t.equal(loadConfig({ ...base, CONSOLE_SESSION_IDLE_S: '60' }).console.sessionIdleSeconds, 60)
  for (const bad of ['0', '604801', 'half an hour']) {
    t.same(problemsOf({ CONSOLE_SESSION_IDLE_S: bad }), [`CONSOLE_SESSION_IDLE_S must be an integer from 1 to 604800, got "${bad}"`], bad)
  }
})
