import { createHash } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { parseHttpDate } from '@beacon/signing'
import { checkDeveloperCallback, freePort, type CallbackReceiver } from '@beacon/testkit'
import t from 'tap'
import { callbacksSettled } from '../../../callbacks-settled.js'
import { buildApp, localCallbackEnv } from '../../../helper.js'
import { allocateDeveloperId, sealDeveloperSecret } from '../../../../src/domain/developers/developers.js'
import { callbackBody, createDeveloper, emitCallback, key, loggedRetries, receiver, secret } from './fixtures.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const nonceOf = (authorization: unknown) => /nonce="([^"]+)"/.exec(String(authorization))?.[1]

// guarantee: callback-signature
t.test('a callback arrives signed with the developer secret, to the exact path and query, with the exact body', async (t) => {
  const { app } = await buildApp(t, localCallbackEnv)
  const hooks: CallbackReceiver = await receiver(t)
  const developerId = await createDeveloper(app, hooks.url('/hooks/beacon?tenant=a%20b&x=1'))
  const body = callbackBody()
  await emitCallback(app, developerId, body)

  const [request] = await hooks.until((r) => r.length >= 1)
  t.ok(request?.verified, `verified (${request?.reason ?? ''})`)
  t.equal(request?.method, 'POST')
  t.equal(request?.url, '/hooks/beacon?tenant=a%20b&x=1', 'the URI signed and sent is the path and query')
  t.equal(request?.body, JSON.stringify(body), 'the body is exactly the emitted one')
  t.equal(request?.headers['content-type'], 'application/json')
  t.equal(request?.headers['content-md5'], createHash('md5').update(request?.body ?? '').digest('hex'))
  t.match(String(request?.headers.authorization), /^MAAIISDK10 key="dev-key-1", nonce="[^"]+", signature="[0-9a-f]{64}"$/)
  t.ok(request?.headers['x-m-date'], 'X-M-Date is sent')
  const asReceived = { method: 'POST', uri: request?.url ?? '', headers: request?.headers ?? {}, rawBody: request?.body }
  t.strictSame(checkDeveloperCallback(asReceived, () => 'another-secret'), { verified: false, reason: 'SIGNATURE_MISMATCH' }, 'another secret does not verify it')
})

// guarantee: callback-retry-schedule
t.test('retried after 500s and network errors with a fresh nonce and date and growing delays', async (t) => {
  const { app, config, logs } = await buildApp(t, { ...localCallbackEnv, CALLBACK_BASE_DELAY_MS: '400', CALLBACK_MAX_ATTEMPTS: '5' }, { captureLogs: true })
  const hooks = await receiver(t)
  hooks.failNext(2, 500)
  hooks.failNext(1, 'reset')
  const developerId = await createDeveloper(app, hooks.url('/cb'))
  const body = callbackBody()
  await emitCallback(app, developerId, body)

  await hooks.until((r) => r.length >= 4)
  t.equal((await callbacksSettled(app, config)).deliveries, 4, 'four attempts in all: none after the accepted one')
  const requests = hooks.received()
  t.same(requests.map((r) => r.status), [500, 500, 0, 200])
  t.ok(requests.every((r) => r.verified), 'every attempt is signed validly (the receiver refuses replayed nonces)')
  t.equal(new Set(requests.map((r) => nonceOf(r.headers.authorization))).size, 4, 'a fresh nonce per attempt')

  // The delays the api asked for (its log), not wall-clock gaps: each within 20 % under base·2^(attempt−1).
  const retries = loggedRetries(logs(), body.eventId)
  t.same(retries.map((r) => r.attempt), [1, 2, 3])
  retries.forEach(({ attempt, retryInMs }) => {
    const full = 400 * 2 ** (attempt - 1)
    t.ok(retryInMs <= full && retryInMs >= 0.8 * full, `retry ${attempt} after ${retryInMs} ms (${0.8 * full} to ${full})`)
  })
  requests.slice(1).forEach((request, i) => {
    const previous = requests[i]!
    const asked = retries[i]!.retryInMs
    // Causal bounds only: the retry is not sent before its delay (20 ms for timer granularity),
    // and its X-M-Date (whole seconds) is from after the previous attempt and before its arrival.
    t.ok(request.at.getTime() - previous.at.getTime() >= asked - 20, `attempt ${i + 2} came at least ${asked} ms after the previous one`)
    const date = parseHttpDate(String(request.headers['x-m-date'])).getTime()
    const earliest = Math.floor((previous.at.getTime() + asked - 20) / 1000) * 1000
    t.ok(date >= earliest && date <= request.at.getTime(), `X-M-Date of attempt ${i + 2} is its own (${request.headers['x-m-date']})`)
  })
})

// guarantee: callback-max-attempts
t.test('given up after CALLBACK_MAX_ATTEMPTS, logged without secrets', async (t) => {
  const { app, config, logs } = await buildApp(t, { ...localCallbackEnv, CALLBACK_BASE_DELAY_MS: '50', CALLBACK_MAX_ATTEMPTS: '3' }, { captureLogs: true })
  const hooks = await receiver(t)
  hooks.failNext(10, 503)
  const developerId = await createDeveloper(app, hooks.url('/cb'))
  const body = callbackBody('push.failed')
  await emitCallback(app, developerId, body)

  t.equal((await callbacksSettled(app, config)).deliveries, 3, 'three attempts in all')
  t.same(hooks.received().map((r) => r.status), [503, 503, 503], 'no attempt after the last')
  await app.close()
  const giveUp = logs().split('\n').find((line) => line.includes('callback given up'))
  t.ok(giveUp, 'the drop is logged')
  t.match(JSON.parse(giveUp ?? '{}'), { level: 40, developerId, eventId: body.eventId, lastStatus: 503, attempts: 3 })
  const signatures = hooks.received().map((r) => /signature="([0-9a-f]+)"/.exec(String(r.headers.authorization))?.[1] ?? 'none')
  for (const needle of [secret, ...signatures]) t.notOk(logs().includes(needle), `not in the log: ${needle.slice(0, 12)}…`)
})

// guarantee: callback-no-loss
t.test('durable: queued while the receiver is down, delivered once by another instance after a restart', async (t) => {
  const port = await freePort()
  const first = await buildApp(t, { ...localCallbackEnv, CALLBACK_BASE_DELAY_MS: '1000' }, { captureLogs: true })
  const developerId = await createDeveloper(first.app, `http://127.0.0.1:${port}/cb`)
  const body = callbackBody()
  await emitCallback(first.app, developerId, body)
  const deadline = Date.now() + 10_000
  while (!first.logs().includes('callback attempt failed; retried') && Date.now() < deadline) await sleep(20)
  t.match(first.logs(), /"lastError":"ECONNREFUSED"/, 'the first attempt found nobody listening')
  await first.app.close()

  const second = await buildApp(t, {
    ...localCallbackEnv,
    DATABASE_URL: first.databaseUrl,
    NATS_PREFIX: first.config.nats.prefix,
    MASTER_KEY: first.config.masterKey.toString('base64'),
    CALLBACK_BASE_DELAY_MS: '100'
  })
  const hooks = await receiver(t, undefined, port)
  await hooks.until((r) => r.length >= 1)
  await callbacksSettled(second.app, second.config)
  const received = hooks.received()
  t.same(received.map((r) => [r.verified, r.status]), [[true, 200]], 'delivered once')
  t.equal(received[0]?.body, JSON.stringify(body))
})

// guarantee: callback-signature
t.test('a rotated secret signs the later attempts', async (t) => {
  const { app, config } = await buildApp(t, { ...localCallbackEnv, CALLBACK_BASE_DELAY_MS: '1000' })
  let current = secret
  const hooks = await receiver(t, (k) => (k === key ? current : undefined))
  hooks.failNext(1, 500)
  const developerId = await createDeveloper(app, hooks.url('/cb'))
  await emitCallback(app, developerId, callbackBody())
  await hooks.until((r) => r.length >= 1)
  current = 'rotated-secret-9876543210'
  await app.db.developer.update({ where: { id: developerId }, data: { secret: sealDeveloperSecret(app.secrets, developerId, current), secretRotatedAt: new Date() } })

  await hooks.until((r) => r.length >= 2)
  await callbacksSettled(app, config)
  const requests = hooks.received()
  t.same(requests.map((r) => [r.verified, r.status]), [[true, 500], [true, 200]], 'the retry verifies with the new secret')
  const asReceived = { method: 'POST', uri: requests[1]?.url ?? '', headers: requests[1]?.headers ?? {}, rawBody: requests[1]?.body }
  t.strictSame(checkDeveloperCallback(asReceived, () => secret), { verified: false, reason: 'SIGNATURE_MISMATCH' }, 'not signed with the old one')
})

// guarantee: callback-event-once
t.test('the same eventId emitted twice is delivered once', async (t) => {
  const { app, config } = await buildApp(t, localCallbackEnv)
  const hooks = await receiver(t)
  const developerId = await createDeveloper(app, hooks.url('/cb'))
  const body = callbackBody()
  await emitCallback(app, developerId, body)
  await emitCallback(app, developerId, { ...body, timestamp: new Date(Date.now() + 1000).toISOString() })
  const settled = await callbacksSettled(app, config)
  t.same([settled.stored, settled.deliveries], [1, 1], 'one callback queued, one attempt')
  t.same(hooks.received().map((r) => r.body), [JSON.stringify(body)], 'the first one, once')
})

t.test('a disabled developer or one without a callback URL gets nothing', async (t) => {
  const { app, config, logs } = await buildApp(t, localCallbackEnv, { captureLogs: true })
  const hooks = await receiver(t)
  const disabled = await createDeveloper(app, hooks.url('/cb'), { enabled: false })
  const otherId = await allocateDeveloperId(app.db)
  const other = await app.db.developer.create({ data: { id: otherId, key: 'no-url', name: 'No URL', secret: sealDeveloperSecret(app.secrets, otherId, secret) } })
  await emitCallback(app, disabled, callbackBody())
  await emitCallback(app, other.id, callbackBody())
  await emitCallback(app, 999_999, callbackBody())
  t.equal((await callbacksSettled(app, config)).deliveries, 3, 'each taken once')
  t.equal(logs().split('callback dropped').length - 1, 3, 'each is dropped and logged')
  t.same(hooks.received(), [])
  t.equal(hooks.connections(), 0, 'nothing even connected')
})

t.test('an attempt that gets no answer within CALLBACK_TIMEOUT_MS is retried', async (t) => {
  const { app, config, logs } = await buildApp(t, { ...localCallbackEnv, CALLBACK_TIMEOUT_MS: '300', CALLBACK_BASE_DELAY_MS: '50' }, { captureLogs: true })
  const hooks = await receiver(t)
  hooks.failNext(1, 'hang')
  const developerId = await createDeveloper(app, hooks.url('/cb'))
  const body = callbackBody()
  await emitCallback(app, developerId, body)
  await hooks.until((r) => r.length >= 2, 5000)
  await callbacksSettled(app, config)
  t.same(hooks.received().map((r) => r.status), [0, 200], 'the first got no answer, the retry was accepted')
  // What ended the first attempt is in the log: its own timeout (the receiver never answered it).
  // (The gap between the two arrivals is not asserted: the timeout starts before the request is sent.)
  t.same(loggedRetries(logs(), body.eventId).map((r) => [r.attempt, r.lastError]), [[1, 'TimeoutError']])
})

t.test('an answer\'s body is not read: a large one is cut off, and its connection is not left open', async (t) => {
  const { app, config } = await buildApp(t, localCallbackEnv)
  let connections = 0
  const large = Buffer.alloc(4 * 1024 * 1024, 'x')
  const server = createServer((request, response) => {
    request.resume()
    request.on('end', () => response.writeHead(200, { 'content-length': String(large.length) }).end(large))
  })
  server.on('connection', () => { connections++ })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()) }))
  const developerId = await createDeveloper(app, `http://127.0.0.1:${(server.address() as AddressInfo).port}/cb`)
  for (let i = 0; i < 3; i++) {
    await emitCallback(app, developerId, callbackBody())
    await callbacksSettled(app, config)
  }
  t.same((await app.db.callbackDelivery.findMany({ where: { developerId } })).map((r) => r.status), ['DELIVERED', 'DELIVERED', 'DELIVERED'])
  await sleep(200)
  // Left unread, each answer would stall its connection, held open until collected.
  const open = await new Promise<number>((resolve, reject) => { server.getConnections((error, count) => { if (error) reject(error); else resolve(count) }) })
  t.ok(open <= 1, `${open} of ${connections} connections still open`)
})
