import t from 'tap'
import { buildApp, call } from '../../helper.js'
import { ONE, THREE, TWO, createCarriers, createDeveloper, developerCall } from './fixtures.js'

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/

t.test('create: key and secret are fresh and random, the secret is stored sealed', async (t) => {
  const { app } = await buildApp(t)
  await createCarriers(t, app)
  const created = await createDeveloper(t, app, { name: 'Acme', callbackUrl: 'https://acme.example/callback?x=1', applications: [1, '3'] })
  t.match(created, {
    id: Number, name: 'Acme', callbackUrl: 'https://acme.example/callback?x=1', enabled: true, applications: [ONE, THREE]
  })
  t.match(created.key, /^[A-Za-z0-9_-]{32}$/, '24 random bytes as base64url')
  t.match(created.secret, /^[A-Za-z0-9_-]{43}$/, '32 random bytes as base64url')
  t.match(created.timestampCreated, ISO)
  t.equal(created.timestampSecretRotated, created.timestampCreated)
  t.same(Object.keys(created).sort(), ['applications', 'callbackUrl', 'enabled', 'id', 'key', 'name', 'secret', 'timestampCreated', 'timestampSecretRotated'])

  const row = await app.db.developer.findUniqueOrThrow({ where: { id: created.id } })
  t.notOk(Buffer.from(row.secret).includes(created.secret), 'not stored in the clear')
  t.equal(app.secrets.open({ column: 'developer.secret', rowId: row.id }, row.secret).toString(), created.secret, 'sealed with the master key, bound to its row')

  const second = await createDeveloper(t, app, { name: 'Acme', carriers: ['CARRIER-TWO.example'] })
  t.not(second.key, created.key)
  t.not(second.secret, created.secret)
  t.same(second.applications, [TWO], 'granted by carrier domain, any case')
  t.equal(second.callbackUrl, null)

  const both = await createDeveloper(t, app, { name: 'Both', applications: [2, 1], carriers: ['carrier-one.example'], callbackUrl: null })
  t.same(both.applications, [ONE, TWO], 'appIds and carriers together, duplicates merged, ordered by appId')
  await app.db.application.create({ data: { appId: 'mobile-app', name: 'Mobile', carrierDomain: 'mobile.example' } })
  const text = await createDeveloper(t, app, { name: 'Text', applications: ['mobile-app', 3, '1'] })
  t.same(text.applications, [ONE, THREE, { appId: 'mobile-app', carrierDomain: 'mobile.example' }],
    'a text appId (PowerAuth 1.3+) granted and answered as text, after the numeric ones')
  const none = await createDeveloper(t, app, { name: 'Tester' })
  t.same(none.applications, [], 'no carrier yet: it can still test its signing on /debug/echo')
})

// guarantee: callback-url-checked, developer-unknown-refs-400
t.test('create: bad input is a clear 400 and creates nothing', async (t) => {
  const { app } = await buildApp(t)
  await createCarriers(t, app)
  const cases: Array<[Record<string, unknown>, string | RegExp]> = [
    [{}, 'requestObject.name is required'],
    [{ name: '  ' }, /^requestObject\.name must be a display name/],
    [{ name: 'x'.repeat(256) }, /^requestObject\.name must be a display name/],
    [{ name: 'a', callbackUrl: '/relative' }, 'requestObject.callbackUrl must be an absolute http(s) URL'],
    [{ name: 'a', callbackUrl: 'ftp://acme.example/cb' }, 'requestObject.callbackUrl must be an absolute http(s) URL'],
    [{ name: 'a', callbackUrl: 'javascript:alert(1)' }, 'requestObject.callbackUrl must be an absolute http(s) URL'],
    [{ name: 'a', callbackUrl: 'https://user:pw@acme.example/cb' }, 'requestObject.callbackUrl must not contain a user name or password'],
    [{ name: 'a', callbackUrl: 'https://:pw@acme.example/cb' }, 'requestObject.callbackUrl must not contain a user name or password'],
    [{ name: 'a', callbackUrl: 'https://user@acme.example/cb' }, 'requestObject.callbackUrl must not contain a user name or password'],
    [{ name: 'a', callbackUrl: `https://acme.example/${'x'.repeat(2048)}` }, /^requestObject\.callbackUrl must be an absolute http\(s\) URL/],
    [{ name: 'a', callbackUrl: 5 }, /^requestObject\.callbackUrl must be/],
    [{ name: 'a', applications: [99] }, 'Application with appId 99 does not exist'],
    [{ name: 'a', applications: [1, 98, '99'] }, 'Applications with appId 98, 99 do not exist'],
    [{ name: 'a', applications: ['one'] }, 'Application with appId one does not exist'],
    [{ name: 'a', applications: [' '] }, /^requestObject\.applications\.0 must be an application id/],
    [{ name: 'a', applications: 1 }, /^requestObject\.applications must be a list/],
    [{ name: 'a', carriers: ['nowhere.example'] }, 'No application has the carrier domain nowhere.example'],
    [{ name: 'a', carriers: ['not a domain'] }, /^requestObject\.carriers\.0 must be a DNS name/]
  ]
  for (const [requestObject, message] of cases) {
    const response = await developerCall(app, 'POST', 'create', requestObject)
    t.equal(response.statusCode, 400, JSON.stringify(requestObject).slice(0, 80))
    t.same(Object.keys(response.json().responseObject), ['code', 'message'])
    t.match(response.json().responseObject.message, message)
  }
  t.equal(await app.db.developer.count(), 0)
})

t.test('list and detail: every field but the secret', async (t) => {
  const { app } = await buildApp(t)
  await createCarriers(t, app)
  const { secret: firstSecret, ...first } = await createDeveloper(t, app, { name: 'First', applications: [1] })
  const { secret: secondSecret, ...second } = await createDeveloper(t, app, { name: 'Second', callbackUrl: 'https://second.example/cb' })

  const list = await developerCall(app, 'GET', 'list')
  t.equal(list.statusCode, 200)
  t.same(list.json(), { status: 'OK', responseObject: { developerList: [first, second] } })
  const detail = await developerCall(app, 'POST', 'detail', { id: String(second.id) })
  t.same(detail.json(), { status: 'OK', responseObject: second })
  for (const body of [list.body, detail.body]) {
    t.notOk(body.includes(firstSecret) || body.includes(secondSecret) || body.includes('"secret"'), 'no secret shown')
  }
})

// guarantee: developer-unknown-refs-400
t.test('detail: unknown and malformed ids', async (t) => {
  const { app } = await buildApp(t)
  const cases: Array<[unknown, string | RegExp]> = [
    [{ id: 999 }, 'Developer with id 999 does not exist'],
    [{ id: 2147483648 }, 'Developer with id 2147483648 does not exist'],
    [{ id: '999999999999999' }, 'Developer with id 999999999999999 does not exist'],
    [{ id: -1 }, /^requestObject\.id must be a non-negative integer/],
    [{}, 'requestObject.id is required']
  ]
  for (const [requestObject, message] of cases) {
    for (const action of ['detail', 'rotate', 'disable', 'enable']) {
      const response = await developerCall(app, 'POST', action, requestObject)
      t.equal(response.statusCode, 400, `${action} ${JSON.stringify(requestObject)}`)
      t.match(response.json().responseObject.message, message)
    }
  }
})

t.test('the developer endpoints need the admin credentials', async (t) => {
  const { app } = await buildApp(t)
  for (const [method, url] of [['GET', 'list'], ['POST', 'create'], ['POST', 'detail'], ['PUT', 'update'], ['POST', 'rotate'], ['POST', 'disable'], ['POST', 'enable']] as const) {
    const response = await app.inject({ method, url: `/admin/developer/${url}`, payload: { requestObject: { name: 'x', id: 1 } } })
    t.equal(response.statusCode, 401, `${method} ${url}`)
  }
  t.equal(await app.db.developer.count(), 0)
  t.equal((await call(app, 'GET', '/admin/developer/list')).statusCode, 200)
})
