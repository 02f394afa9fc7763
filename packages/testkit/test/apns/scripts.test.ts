import t from 'tap'
import { signJwt } from '../../src/jwt.js'
import { alert, apnsMock, apnsProvider, bundle, deviceToken, rawApns } from '../helpers/apns.js'

t.test('scripted failures come back as Apple words them', async (t) => {
  const { mock, key } = await apnsMock(t)
  const provider = apnsProvider(t, mock, key)
  const [gone, bad, busy, broken, down] = [deviceToken(), deviceToken(), deviceToken(), deviceToken(), deviceToken()]
  mock.script(gone, 'unregistered')
  mock.script(bad, 'bad-token')
  mock.script(busy, { kind: 'rate-limited', retryAfterSeconds: 7 })
  mock.script(broken, 'server-error')
  mock.script(down, 'unavailable')
  const before = Date.now()
  const { sent, failed } = await provider.send(alert(), [gone, bad, busy, down])
  t.same(sent, [])
  const byDevice = new Map(failed.map((failure) => [failure.device, failure]))
  t.match(byDevice.get(gone), { status: 410, response: { reason: 'Unregistered' } })
  const timestamp = Number(byDevice.get(gone)?.response?.timestamp)
  t.ok(timestamp >= before && timestamp <= Date.now(), 'Unregistered carries a millisecond timestamp')
  t.match(byDevice.get(bad), { status: 400, response: { reason: 'BadDeviceToken' } })
  t.match(byDevice.get(busy), { status: 429, response: { reason: 'TooManyRequests' } })
  t.match(byDevice.get(down), { status: 503, response: { reason: 'ServiceUnavailable' } })
  // node-apn reports a 500 InternalServerError as an error and drops its session.
  const { failed: [internal] } = await provider.send(alert(), broken)
  t.match(internal, { device: broken, status: 500 })
  t.match(internal?.error?.message, /Error 500/)

  const send = rawApns(t, mock)
  const jwt = signJwt({ alg: 'ES256', kid: key.keyId }, { iss: key.teamId, iat: Math.floor(Date.now() / 1000) }, key.privateKeyPem)
  const rateLimited = await send({ ':path': `/3/device/${busy}`, 'apns-topic': bundle, authorization: `bearer ${jwt}` }, '{"aps":{}}')
  t.equal(rateLimited.status, 429)
  t.equal(rateLimited.headers['retry-after'], '7', 'Retry-After in seconds')
  t.same(JSON.parse(rateLimited.body), { reason: 'TooManyRequests' })
  const internalRaw = await send({ ':path': `/3/device/${broken}`, 'apns-topic': bundle, authorization: `bearer ${jwt}` }, '{"aps":{}}')
  t.same({ status: internalRaw.status, body: JSON.parse(internalRaw.body) }, { status: 500, body: { reason: 'InternalServerError' } })
  t.same(mock.counters.byStatus, { 400: 1, 410: 1, 429: 2, 500: 2, 503: 1 })
})

t.test('a sequence plays in order and its last answer stays', async (t) => {
  const { mock, key } = await apnsMock(t)
  const provider = apnsProvider(t, mock, key)
  const token = deviceToken()
  mock.script(token, [{ kind: 'rate-limited' }, 'unavailable', 'success'])
  const statuses: Array<number | undefined> = []
  for (let attempt = 0; attempt < 4; attempt++) {
    const { failed } = await provider.send(alert(), token)
    statuses.push(failed[0]?.status ?? 200)
  }
  t.same(statuses, [429, 503, 200, 200])
  t.same(mock.received(token).map((entry) => entry.status), [429, 503, 200, 200], 'the log agrees, in order')
  t.same(mock.received(deviceToken()), [], 'nothing for a token never sent to')
})

t.test('slow answers wait, then succeed, and hold no other token up', async (t) => {
  const { mock, key } = await apnsMock(t)
  const provider = apnsProvider(t, mock, key)
  const [slow, quick] = [deviceToken(), deviceToken()]
  const delayMs = 1000
  mock.script(slow, { kind: 'slow', delayMs })
  const answered: string[] = []
  const started = Date.now()
  // Sent together, the slow one first: the quick one is answered while the slow one waits.
  const [slowResult, quickResult] = await Promise.all([
    provider.send(alert(), slow).then((result) => { answered.push('slow'); return result }),
    provider.send(alert(), quick).then((result) => { answered.push('quick'); return result })
  ])
  t.same(answered, ['quick', 'slow'], 'other tokens are not held up')
  t.same(quickResult.sent.map((sent) => sent.device), [quick])
  t.ok(Date.now() - started >= delayMs, 'the slow token took its time')
  t.same(slowResult.sent.map((sent) => sent.device), [slow])
})

t.test('answerDelayMs: every answer waits that long first (a provider\'s round trip), a scripted delay on top', async (t) => {
  const { mock, key } = await apnsMock(t, { answerDelayMs: 300 })
  const provider = apnsProvider(t, mock, key)
  const [plain, slow, gone] = [deviceToken(), deviceToken(), deviceToken()]
  mock.script(slow, { kind: 'slow', delayMs: 300 })
  mock.script(gone, 'unregistered')
  const timed = async (token: string) => {
    const started = Date.now()
    const result = await provider.send(alert(), token)
    return { ms: Date.now() - started, sent: result.sent.length, status: result.failed[0]?.status }
  }
  const [a, b, c] = await Promise.all([timed(plain), timed(slow), timed(gone)])
  t.ok(a.ms >= 300 && a.sent === 1, `a success after the delay (${a.ms} ms)`)
  t.ok(b.ms >= 600 && b.sent === 1, `a scripted delay on top (${b.ms} ms)`)
  t.ok(c.ms >= 300 && c.status === 410, `a refusal after the delay too (${c.ms} ms)`)
})

t.test('a drop ends the connection; the client reconnects for the next answer', async (t) => {
  const { mock, key } = await apnsMock(t)
  // A request timeout beyond the test's own: only the dropped connection can end the request.
  const provider = apnsProvider(t, mock, key, { requestTimeout: 600_000 })
  const token = deviceToken()
  mock.script(token, ['drop', 'success'])
  const dropped = await provider.send(alert(), token)
  t.equal(dropped.failed.length, 1, 'noticed at once, not by a timeout')
  t.equal(dropped.failed[0]?.status, undefined, 'a transport failure has no status')
  t.ok(dropped.failed[0]?.error instanceof Error)
  t.equal(mock.counters.dropped, 1)
  const again = await provider.send(alert(), token)
  t.same(again.sent.map((sent) => sent.device), [token])
  t.same(mock.received(token).map((entry) => entry.status), ['dropped', 200])
})

t.test('reset forgets scripts, log and counters; close ends sessions', async (t) => {
  const { mock, key } = await apnsMock(t)
  const provider = apnsProvider(t, mock, key)
  const token = deviceToken()
  mock.script(token, 'unregistered')
  t.equal((await provider.send(alert(), token)).failed[0]?.status, 410)
  mock.reset()
  t.same(mock.log, [])
  t.equal(mock.counters.requests, 0)
  t.equal((await provider.send(alert(), token)).sent.length, 1, 'the script is gone, the key stays')
  await mock.close()
  const after = await provider.send(alert(), token)
  t.ok(after.failed[0]?.error instanceof Error, 'nothing answers once closed')
})

t.test('record: false keeps counters only', async (t) => {
  const { mock, key } = await apnsMock(t, { record: false })
  const provider = apnsProvider(t, mock, key)
  const { sent } = await provider.send(alert(), [deviceToken(), deviceToken(), deviceToken()])
  t.equal(sent.length, 3)
  t.equal(mock.log.length, 0)
  t.same(mock.counters.byStatus, { 200: 3 })
})

t.test('a refusal in words the test chooses comes back as the reason', async (t) => {
  const { mock, key } = await apnsMock(t)
  const provider = apnsProvider(t, mock, key)
  const device = deviceToken()
  mock.script(device, { kind: 'refused', status: 400, text: '<script>alert(1)</script>' })
  const { failed: [failure] } = await provider.send(alert(), device)
  t.match(failure, { device, status: 400, response: { reason: '<script>alert(1)</script>' } })
})

t.test('hang takes the request and never answers; the session still answers pings', async (t) => {
  const { mock, key } = await apnsMock(t)
  const provider = apnsProvider(t, mock, key, { requestTimeout: 200 })
  const [hanging, fine] = [deviceToken(), deviceToken()]
  mock.script(hanging, 'hang')
  const result = await provider.send(alert(), hanging)
  t.equal(result.failed[0]?.status, undefined, 'ended by the client\'s timeout, without a status')
  t.same(mock.received(hanging).map((entry) => entry.status), ['hung'])
  t.equal(mock.counters.hung, 1)
  t.equal((await provider.send(alert(), fine)).sent.length, 1, 'the same connection serves the next request')
  t.equal(mock.connections, 1)
})

t.test('freezeConnections: open connections answer nothing, pings included; new ones are served', async (t) => {
  const { mock, key } = await apnsMock(t)
  const provider = apnsProvider(t, mock, key, { requestTimeout: 200 })
  t.equal((await provider.send(alert(), deviceToken())).sent.length, 1)
  const session = (provider as unknown as { client: { session: import('node:http2').ClientHttp2Session } }).client.session
  t.ok(await new Promise<boolean>((resolve) => session.ping((error) => resolve(error === null))), 'pings are answered before')
  mock.freezeConnections()
  const unanswered = deviceToken()
  t.equal((await provider.send(alert(), unanswered)).failed.length, 1)
  t.same(mock.received(unanswered), [], 'the frozen connection read nothing')
  let acknowledged = false
  session.ping(() => { acknowledged = true })
  // A fresh connection is served while the frozen one stays silent.
  const other = apnsProvider(t, mock, key)
  t.equal((await other.send(alert(), deviceToken())).sent.length, 1)
  t.equal(mock.connections, 2)
  t.equal(acknowledged, false, 'the ping on the frozen connection is still unanswered after the new connection\'s whole exchange')
})
