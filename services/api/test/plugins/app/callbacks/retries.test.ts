import t from 'tap'
import { callbacksSettled } from '../../../callbacks-settled.js'
import { buildApp, localCallbackEnv } from '../../../helper.js'
import { sealDeveloperSecret } from '../../../../src/domain/developers/developers.js'
import { callbackBody, createDeveloper, emitCallback, loggedRetries, receiver, startScriptedServer } from './fixtures.js'

// guarantee: callback-redirects-not-followed
t.test('a redirect is a failed attempt: retried at the callback URL, the Location never receives anything', async (t) => {
  const { app, config, logs } = await buildApp(t, { ...localCallbackEnv, CALLBACK_BASE_DELAY_MS: '50', CALLBACK_MAX_ATTEMPTS: '5' }, { captureLogs: true })
  const elsewhere = await receiver(t)
  // 302 turns a followed POST into a GET, 307 and 308 keep it a POST: each would reach `elsewhere`.
  const redirects = [302, 307, 308]
  const developerServer = await startScriptedServer(t, (_request, index) => index < redirects.length
    ? { status: redirects[index]!, headers: { location: elsewhere.url('/moved') } }
    : { status: 204 })
  const developerId = await createDeveloper(app, developerServer.url('/cb'))
  const body = callbackBody()
  await emitCallback(app, developerId, body)

  t.equal((await callbacksSettled(app, config)).deliveries, 4, 'four attempts, the last accepted')
  t.same(developerServer.requests(), Array.from({ length: 4 }, () => ({ method: 'POST', url: '/cb' })), 'every attempt went to the callback URL')
  t.same(loggedRetries(logs(), body.eventId).map((r) => [r.attempt, r.lastStatus]), [[1, 302], [2, 307], [3, 308]], 'each redirect failed its attempt')
  t.same(elsewhere.received(), [], 'the redirect target got nothing')
  t.equal(elsewhere.connections(), 0, 'not even a connection')
})

t.test('an attempt succeeds on a 2xx answer only: a 300 is a failed attempt, a 299 an accepted one', async (t) => {
  const { app, config, logs } = await buildApp(t, { ...localCallbackEnv, CALLBACK_BASE_DELAY_MS: '50', CALLBACK_MAX_ATTEMPTS: '5' }, { captureLogs: true })
  const developerServer = await startScriptedServer(t, (_request, index) => ({ status: index === 0 ? 300 : 299 }))
  const developerId = await createDeveloper(app, developerServer.url('/cb'))
  const body = callbackBody()
  await emitCallback(app, developerId, body)

  t.equal((await callbacksSettled(app, config)).deliveries, 2, 'two attempts: none after the 299')
  t.same(loggedRetries(logs(), body.eventId).map((r) => [r.attempt, r.lastStatus]), [[1, 300]], 'the 300 failed its attempt')
  t.match(await app.db.callbackDelivery.findFirst({ where: { developerId } }), { status: 'DELIVERED', attempts: 2, lastStatus: 299 })
})

for (const change of ['disabled', 'deleted', 'left without a callback URL'] as const) {
  // guarantee: callback-developer-disabled, callback-recorded
  t.test(`a developer ${change} between two attempts gets no further attempt`, async (t) => {
    const { app, config, logs } = await buildApp(t, { ...localCallbackEnv, CALLBACK_BASE_DELAY_MS: '50', CALLBACK_MAX_ATTEMPTS: '5' }, { captureLogs: true })
    let developerId = 0
    // The first attempt is answered (500) only once the developer has changed: the retry, whenever
    // it comes, finds the change.
    const developerServer = await startScriptedServer(t, async (_request, index) => {
      if (index === 0) {
        if (change === 'disabled') await app.db.developer.update({ where: { id: developerId }, data: { enabled: false } })
        else if (change === 'deleted') await app.db.developer.delete({ where: { id: developerId } })
        else await app.db.developer.update({ where: { id: developerId }, data: { callbackUrl: null } })
      }
      return { status: 500 }
    })
    developerId = await createDeveloper(app, developerServer.url('/cb'))
    const body = callbackBody()
    await emitCallback(app, developerId, body)

    const settled = await callbacksSettled(app, config)
    t.same(developerServer.requests().map((r) => r.url), ['/cb'], 'the first attempt only')
    t.equal(settled.deliveries, 2, 'the second delivery was taken and dropped')
    t.same(loggedRetries(logs(), body.eventId).map((r) => [r.attempt, r.lastStatus]), [[1, 500]])
    const dropped = logs().split('\n').filter((line) => line.includes('callback dropped')).map((line) => JSON.parse(line) as Record<string, unknown>)
    t.match(dropped, [{ level: 30, developerId, eventId: body.eventId }])
    t.equal(dropped.length, 1, 'dropped once, logged at info')
    // The record says why (a deleted developer's records go with it).
    if (change !== 'deleted') {
      t.match(await app.db.callbackDelivery.findFirst({ where: { developerId } }),
        { status: 'FAILED', attempts: 1, lastError: change === 'disabled' ? 'DeveloperDisabled' : 'NoCallbackUrl' }, 'recorded as dropped, with why')
    }
  })
}

// guarantee: callback-max-delay
t.test('the delay between attempts is capped at CALLBACK_MAX_DELAY_MS (the delays the api queues its retries with)', async (t) => {
  const { app, config, logs } = await buildApp(t, {
    ...localCallbackEnv, CALLBACK_BASE_DELAY_MS: '100', CALLBACK_MAX_DELAY_MS: '150', CALLBACK_MAX_ATTEMPTS: '5'
  }, { captureLogs: true })
  const hooks = await receiver(t)
  hooks.failNext(10, 503)
  const developerId = await createDeveloper(app, hooks.url('/cb'))
  const body = callbackBody()
  await emitCallback(app, developerId, body)

  t.equal((await callbacksSettled(app, config)).deliveries, 5)
  const delays = loggedRetries(logs(), body.eventId).map((r) => r.retryInMs)
  t.equal(delays.length, 4, 'a retry after each of the first four attempts')
  t.ok(delays[0]! >= 80 && delays[0]! <= 100, `the first is the base less jitter: ${delays[0]} ms`)
  // Uncapped they would be 200, 400 and 800 ms (less jitter): 160 ms at least.
  for (const [i, delay] of delays.slice(1).entries()) t.ok(delay >= 120 && delay <= 150, `retry ${i + 2} after ${delay} ms: capped at 150 less jitter`)
})

// guarantee: callback-unexpected-failure-given-up
t.test('an attempt that fails inside the api (a secret that does not open) counts like any other: retried, then given up and recorded', async (t) => {
  const { app, config, logs } = await buildApp(t, { ...localCallbackEnv, CALLBACK_BASE_DELAY_MS: '50', CALLBACK_MAX_ATTEMPTS: '2' }, { captureLogs: true })
  const hooks = await receiver(t)
  const developerId = await createDeveloper(app, hooks.url('/cb'))
  // Sealed for another developer's row: it does not open for this one (DB_SECRET_UNREADABLE).
  await app.db.developer.update({ where: { id: developerId }, data: { secret: sealDeveloperSecret(app.secrets, developerId + 1, 'another-secret-0123456789') } })
  const bodies = [callbackBody(), callbackBody(), callbackBody()]
  for (const body of bodies) await emitCallback(app, developerId, body)

  const settled = await callbacksSettled(app, config)
  t.equal(settled.deliveries, 6, 'two attempts each, then nothing left in the stream')
  t.same(hooks.received(), [], 'nothing was sent')
  const records = await app.db.callbackDelivery.findMany({ where: { developerId } })
  t.same(records.map((r) => [r.status, r.attempts, r.lastError]), bodies.map(() => ['FAILED', 2, 'InternalError']), 'each recorded given up')
  t.equal(logs().split('\n').filter((line) => line.includes('callback given up')).length, 3)
})
