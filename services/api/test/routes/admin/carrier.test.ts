import t from 'tap'
import { buildApp, call } from '../../helper.js'
import { createApp } from './fixtures.js'

const setCarrier = (app: Parameters<typeof call>[0], appId: unknown, carrierDomain: unknown) =>
  call(app, 'PUT', '/admin/app/carrier', { requestObject: { appId, carrierDomain } })

t.test('create with a carrier domain: stored in lower case, shown by list and detail', async (t) => {
  const { app } = await buildApp(t)
  const created = await call(app, 'POST', '/admin/app/create', { requestObject: { appId: 5, appName: 'Carrier', carrierDomain: 'Carrier.Example' } })
  t.equal(created.statusCode, 200, created.body)
  const id = created.json().responseObject.id
  const plain = await createApp(t, app, 6)
  t.equal((await app.db.application.findUniqueOrThrow({ where: { id } })).carrierDomain, 'carrier.example')

  const list = (await call(app, 'GET', '/admin/app/list')).json().responseObject.applicationList
  t.same(list, [
    { id, appId: 5, appName: 'Carrier', ios: false, android: false, apns: false, fcm: false, carrierDomain: 'carrier.example' },
    { id: plain, appId: 6, appName: '6', ios: false, android: false, apns: false, fcm: false }
  ], 'only applications with a carrier domain show one')
  const detail = await call(app, 'POST', '/admin/app/detail', { requestObject: { id } })
  t.same(detail.json().responseObject.application, list[0])
})

// guarantee: carrier-domain-unique
t.test('create: a taken carrier domain is a 400 (any case), a taken appId keeps its own message', async (t) => {
  const { app } = await buildApp(t)
  t.equal((await call(app, 'POST', '/admin/app/create', { requestObject: { appId: 1, carrierDomain: 'carrier.example' } })).statusCode, 200)
  const taken = await call(app, 'POST', '/admin/app/create', { requestObject: { appId: 2, carrierDomain: 'CARRIER.example' } })
  t.equal(taken.statusCode, 400)
  t.same(taken.json(), {
    status: 'ERROR',
    responseObject: { code: 'ERROR_GENERIC', message: 'Carrier domain carrier.example is already used by the application with appId 1' }
  })
  const sameAppId = await call(app, 'POST', '/admin/app/create', { requestObject: { appId: 1, carrierDomain: 'other.example' } })
  t.equal(sameAppId.statusCode, 400)
  t.equal(sameAppId.json().responseObject.message, 'Application with appId 1 already exists')

  // Two creates racing for one domain: the unique index lets exactly one through, the other is a 400.
  const raced = await Promise.all([3, 4, 5].map((appId) =>
    call(app, 'POST', '/admin/app/create', { requestObject: { appId, carrierDomain: 'raced.example' } })))
  t.same(raced.map((r) => r.statusCode).sort(), [200, 400, 400])
  t.equal(await app.db.application.count(), 2)
})

t.test('PUT /admin/app/carrier: set, change, keep, clear', async (t) => {
  const { app } = await buildApp(t)
  const id = await createApp(t, app, 7)
  const stored = async () => (await app.db.application.findUniqueOrThrow({ where: { id } })).carrierDomain

  const set = await setCarrier(app, 7, 'Mobile.Carrier-1.example')
  t.equal(set.statusCode, 200, set.body)
  t.same(set.json(), { status: 'OK' })
  t.equal(await stored(), 'mobile.carrier-1.example')
  t.equal((await setCarrier(app, '7', 'mobile.carrier-1.example')).statusCode, 200, 'setting the same domain again')
  t.equal((await setCarrier(app, 7, 'localhost')).statusCode, 200, 'a single label is a DNS name too')
  t.equal(await stored(), 'localhost')
  const cleared = await setCarrier(app, 7, null)
  t.equal(cleared.statusCode, 200)
  t.equal(await stored(), null)
  const detail = await call(app, 'POST', '/admin/app/detail', { requestObject: { id } })
  t.notOk('carrierDomain' in detail.json().responseObject.application, 'no carrier domain shown once cleared')
})

// guarantee: carrier-domain-unique
t.test('PUT /admin/app/carrier: errors are 400s, never 500s', async (t) => {
  const { app } = await buildApp(t)
  await createApp(t, app, 1)
  await createApp(t, app, 2)
  t.equal((await setCarrier(app, 1, 'carrier.example')).statusCode, 200)

  const taken = await setCarrier(app, 2, 'Carrier.EXAMPLE')
  t.equal(taken.statusCode, 400)
  t.equal(taken.json().responseObject.message, 'Carrier domain carrier.example is already used by the application with appId 1')

  const unknown = await setCarrier(app, 99, 'free.example')
  t.equal(unknown.statusCode, 400)
  t.equal(unknown.json().responseObject.message, 'Application with appId 99 does not exist')

  const invalid = ['', 'carrier example', 'under_score.example', '-lead.example', 'trail-.example', 'a..b', 'dot.', '.dot',
    `${'x'.repeat(64)}.example`, `${'abc.'.repeat(63)}com`, 'ünï.example', 'user@carrier.example', 5, true]
  for (const carrierDomain of invalid) {
    const response = await setCarrier(app, 2, carrierDomain)
    t.equal(response.statusCode, 400, JSON.stringify(carrierDomain))
    t.match(response.json().responseObject.message, /^requestObject\.carrierDomain must be a DNS name such as carrier\.example/)
  }
  const missing = await call(app, 'PUT', '/admin/app/carrier', { requestObject: { appId: 2 } })
  t.equal(missing.statusCode, 400)
  t.equal(missing.json().responseObject.message, 'requestObject.carrierDomain is required')

  const badCreate = await call(app, 'POST', '/admin/app/create', { requestObject: { appId: 3, carrierDomain: 'not a domain' } })
  t.equal(badCreate.statusCode, 400)
  t.match(badCreate.json().responseObject.message, /^requestObject\.carrierDomain must be a DNS name/)
  t.equal(await app.db.application.count({ where: { carrierDomain: { not: null } } }), 1, 'nothing else changed')
})
