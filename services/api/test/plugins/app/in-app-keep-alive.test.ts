import { randomBytes } from 'node:crypto'
import t from 'tap'
import WebSocket from 'ws'
import { loadConfig } from '../../../src/config.js'
import { buildApp } from '../../helper.js'
import { CARRIER, connect, listen, setupDeveloper, tokenFor, until } from '../../routes/in-app/helper.js'

// guarantee: socket-ping-30s
t.test('keep-alive: the server pings every 30 s by default', async (t) => {
  const config = loadConfig({
    DATABASE_URL: 'postgres://127.0.0.1/unused',
    MASTER_KEY: randomBytes(32).toString('base64'),
    AUTH_USERNAME: 'admin',
    AUTH_PASSWORD: 'test-password-1234'
  })
  t.equal(config.signedApi.inAppPingIntervalMs, 30_000)
})

// guarantee: socket-ping-30s
t.test('keep-alive: the server pings on its own each interval and closes a socket that did not answer the previous ping', async (t) => {
  // 2.5 s, not 30: the rounds are what is tested, the period's default is the test above. Not
  // shorter: a pause of the test process longer than the period (a busy machine) would leave the
  // answering socket's pong unread for a round, and the server would rightly terminate it.
  const { app } = await buildApp(t, { INAPP_PING_INTERVAL_MS: '2500' })
  await setupDeveloper(app)
  const base = await listen(app)
  const token = await tokenFor(app, `alice@${CARRIER}`)
  const lively = await connect(t, base, token)
  let livelyPings = 0
  lively.socket.on('ping', () => { livelyPings++ })
  let livelyClosed = false
  lively.socket.on('close', () => { livelyClosed = true })

  // A client that never answers pings (ws answers them unless told not to).
  const silent = new WebSocket(`${base}/api/1.0/im/connect?token=${encodeURIComponent(token)}`, { autoPong: false })
  t.teardown(() => silent.terminate())
  const silentEvents: string[] = []
  silent.on('ping', () => silentEvents.push('ping'))
  silent.on('close', (code) => silentEvents.push(`close ${code}`))
  await new Promise((resolve, reject) => { silent.once('open', resolve); silent.once('error', reject) })

  // Nothing in the test pings: the server's own rounds do. Once closed the silent socket can have
  // no further event, so its list is complete.
  await until(() => silent.readyState === WebSocket.CLOSED, 'the server to close the silent socket', 15_000)
    .catch((error: Error) => { throw new Error(`${error.message}; the silent socket saw ${JSON.stringify(silentEvents)}`) })
  t.same(silentEvents, ['ping', 'close 1006'], 'pinged once, unanswered, then terminated at the next round')
  const pingsBefore = livelyPings
  await until(() => livelyPings >= pingsBefore + 2, 'two more rounds', 15_000)
  t.ok(pingsBefore >= 1, `the answering socket was pinged too (${pingsBefore} times before)`)
  t.notOk(livelyClosed, 'the answering socket stays open')
  t.equal(lively.socket.readyState, WebSocket.OPEN)
})
