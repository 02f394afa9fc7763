import t from 'tap'
import { buildApp, localCallbackEnv } from '../../helper.js'
import { CARRIER, connect, listen, pushTo, setupDeveloper, tokenFor, until, upgradeStatus } from './helper.js'

const env = { ...localCallbackEnv, INAPP_ACK_TIMEOUT_MS: '60000' }
const alice = `alice@${CARRIER}`

// The in-app channel takes its token in the query (browsers cannot set WebSocket headers).
// guarantee: connect-access-line
t.test('the connect route writes no access line (its URL carries the token); the token never reaches the log', async (t) => {
  const built = await buildApp(t, env, { captureLogs: true })
  const { applicationId, developerId } = await setupDeveloper(built.app)
  const token = await tokenFor(built.app, alice)
  const base = await listen(built.app)
  const client = await connect(t, base, token)
  await pushTo(built.app, alice, { content: 'hi' })
  await client.until(1)
  client.socket.close()
  await client.closed
  // Refused before the upgrade: a forged token (its refusal is a warning), an expired one, a plain GET.
  const http = base.replace(/^ws/, 'http')
  const expired = built.app.inApp.tokens.issue({ applicationId, userId: 'alice', developerId, tokenEpoch: 0 }, new Date(Date.now() - 3_600_000)).token
  const forged = `${token.slice(0, -2)}${token.endsWith('xx') ? 'yy' : 'xx'}`
  t.equal((await upgradeStatus(base, forged)).status, 401)
  t.equal((await upgradeStatus(base, expired)).status, 401)
  t.equal((await fetch(`${http}/api/1.0/im/connect?token=${token}`)).status, 426)
  // A token of a developer disabled since: refused, with a warning naming the developer.
  await built.app.db.developer.update({ where: { id: developerId }, data: { enabled: false } })
  t.equal((await upgradeStatus(base, token)).status, 401)
  // Control: another route's access line, written after all of the above (and redacted).
  t.equal((await fetch(`${http}/no/such/route?token=${token}`)).status, 404)
  await until(() => built.logs().includes('"url":"/no/such/route?token=[redacted]"'), 'the control\'s access line')

  const lines = built.logs().split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as { level: number, msg: string, req?: { url: string } })
  t.same(lines.filter((line) => JSON.stringify(line).includes('/im/connect')), [], 'no line names the connect route')
  t.same(lines.filter((line) => line.msg === 'in-app connection refused').map((line) => line.level), [40], 'the forged token was warned about')
  t.same(lines.filter((line) => line.msg.startsWith('in-app connection refused: the token\'s developer')).map((line) => [line.level, (line as { developerId?: number }).developerId]),
    [[40, developerId]], 'the disabled developer\'s token was warned about, by developer id')
  for (const secret of [token, forged, expired].map((value) => value.split('.')[1] ?? value)) t.notOk(built.logs().includes(secret), 'no token in the log')
})
