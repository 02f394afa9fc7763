import { spawnService } from '@beacon/testkit'
import t from 'tap'
import { resultsOf, startHarness } from './harness.js'

t.test('bad configuration: every problem on stderr, exit code 1, nothing started', async (t) => {
  const dispatcher = spawnService('services/dispatcher/src/server.ts', {
    DATABASE_URL: '',
    MASTER_KEY: 'too-short',
    RETRY_MAX_ATTEMPTS: 'zero',
    APNS_ENDPOINT: 'ftp://apple',
    NATS_PREFIX: 'a.b',
    FCM_TOKEN_URIS: 'https://oauth2.googleapis.com/token,file:///etc/passwd',
    FCM_TOKEN_ALLOW_PRIVATE_NETWORKS: 'sometimes',
    SHUTDOWN_TIMEOUT_MS: 'soon'
  })
  t.equal(await dispatcher.exited, 1)
  const output = dispatcher.output()
  t.match(output, /invalid configuration:/)
  t.match(output, /DATABASE_URL is required/)
  t.match(output, /MASTER_KEY must be 32 random bytes encoded as base64/)
  t.match(output, /RETRY_MAX_ATTEMPTS must be an integer from 1 to 100, got "zero"/)
  t.match(output, /APNS_ENDPOINT must be an https:\/\/ URL/)
  t.match(output, /NATS_PREFIX must be letters, digits/)
  t.match(output, /FCM_TOKEN_URIS must be comma-separated absolute http\(s\) URLs/)
  t.match(output, /FCM_TOKEN_ALLOW_PRIVATE_NETWORKS must be true or false, got "sometimes"/)
  t.match(output, /SHUTDOWN_TIMEOUT_MS must be an integer from 100 to 600000, got "soon"/)
  t.notMatch(output, /too-short/, 'the rejected master key is not echoed')
})

// guarantee: dispatcher-sigterm, dispatcher-graceful-shutdown
t.test('SIGTERM with a command in hand and a slow provider: the answers that come within the stop are published and written, the unanswered device goes back, exit 0 before the deadline', async (t) => {
  const h = await startHarness(t)
  const [slow1, slow2, hung] = await h.addDevices('sigterm', 3, 'APNS')
  const ids = (await h.db.device.findMany({ orderBy: { id: 'asc' } })).map((d) => String(d.id))
  h.apns.script(slow1!, { kind: 'slow', delayMs: 300 })
  h.apns.script(slow2!, { kind: 'slow', delayMs: 300 })
  h.apns.script(hung!, [{ kind: 'slow', delayMs: 120_000 }, 'success'])
  const dispatcher = spawnService('services/dispatcher/src/server.ts', h.dispatcherEnv({ SHUTDOWN_TIMEOUT_MS: '3000', LOG_LEVEL: 'info' }))
  t.teardown(() => { dispatcher.stop('SIGKILL').catch(() => {}) })
  await dispatcher.waitForOutput(/dispatcher started/)
  const command = await h.storeMessage('sigterm')
  await h.transport.publishCommand(command)
  await h.until(() => h.apns.log.length === 3, 'three requests on the wire')
  t.equal(h.apns.counters.requests, 0, 'none answered yet when SIGTERM comes')

  t.equal(await dispatcher.stop('SIGTERM'), 0, 'exited 0: the stop ended by itself, not by the SHUTDOWN_TIMEOUT_MS last resort (exit 1)')
  t.notMatch(dispatcher.output(), /shutdown deadline reached/)
  t.match(dispatcher.output(), /stopping: command given back/, 'given back, not acknowledged')
  t.same(h.apns.counters.byStatus, { 200: 2 }, 'the mock answered the two slow requests during the stop')
  // The NATS publishes of the dying process are read here once they arrive.
  await h.until(() => h.events.length >= 2, 'the published answers')
  t.same(h.events.map((e) => (e.kind === 'device' ? [e.result.deviceId, e.result.status] : [e.kind])).sort(), [[ids[0], 'SENT'], [ids[1], 'SENT']],
    'exactly the answers the mock gave were published, no summary')
  const claims = await h.db.messageDelivery.findMany({ where: { messageId: command.messageId }, orderBy: { deviceId: 'asc' } })
  t.same(claims.map((c) => [String(c.deviceId), c.status]), [[ids[0], 'SENT'], [ids[1], 'SENT'], [ids[2], 'PENDING']], 'answers written on their claims; the unanswered one stays')

  await h.startDispatcher()
  await h.until(() => resultsOf(h.events, command.messageId).summary !== undefined, 'the summary from the next dispatcher')
  t.same([slow1, slow2, hung].map((token) => h.apns.received(token!).length), [1, 1, 2], 'only the unanswered device was sent again')
  t.match(resultsOf(h.events, command.messageId).summary, { ios: { sent: 3, total: 3 } })
  // The next dispatcher's summary comes after anything the first one published: one result per device in all.
  t.same(h.events.map((e) => (e.kind === 'device' ? [e.result.deviceId, e.result.status] : [e.kind])).sort(), [[ids[0], 'SENT'], [ids[1], 'SENT'], [ids[2], 'SENT'], ['summary']])
})

// guarantee: shutdown-exit-codes
t.test('a second signal while stopping: logged, exit code 1 at once, the stop left unfinished', async (t) => {
  const h = await startHarness(t)
  const [hung] = await h.addDevices('second-signal', 1, 'APNS')
  h.apns.script(hung!, { kind: 'slow', delayMs: 120_000 })
  const dispatcher = spawnService('services/dispatcher/src/server.ts', h.dispatcherEnv({ SHUTDOWN_TIMEOUT_MS: '60000', LOG_LEVEL: 'info' }))
  t.teardown(() => { dispatcher.stop('SIGKILL').catch(() => {}) })
  await dispatcher.waitForOutput(/dispatcher started/)
  await h.transport.publishCommand(await h.storeMessage('second-signal'))
  await h.until(() => h.apns.log.length === 1, 'the request on the wire')
  dispatcher.child.kill('SIGTERM')
  await dispatcher.waitForOutput(/stopping: finishing commands in hand/)
  dispatcher.child.kill('SIGTERM')
  // Without it the stop would wait for the hung request for most of its 60 s, then exit 0.
  t.equal(await dispatcher.exited, 1, 'exit code 1')
  t.match(dispatcher.output(), /"signal":"SIGTERM","msg":"second signal while stopping: exiting now"/)
  t.notMatch(dispatcher.output(), /stopping: command given back/, 'the stop did not finish')
})
