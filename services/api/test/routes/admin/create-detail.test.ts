import t from 'tap'
import { buildApp, call } from '../../helper.js'
import { base64, createApp, ecKeyPem, serviceAccount } from './fixtures.js'

t.test('POST /admin/app/create: the seed example, then a duplicate', async (t) => {
  const { app } = await buildApp(t)
  const created = await call(app, 'POST', '/admin/app/create', { requestObject: { appId: 4 } })
  t.equal(created.statusCode, 200)
  const body = created.json()
  t.same(body.responseObject, { id: body.responseObject.id, appId: 4 }, 'Beacon\'s id (PowerAuth 1.0 reads it) and the appId (1.3 and later)')
  t.type(body.responseObject.id, 'number')
  t.type(body.responseObject.appId, 'number', 'a numeric appId is answered as a number (t.same above compares loosely)')
  t.equal(body.status, 'OK')
  const row = await app.db.application.findUniqueOrThrow({ where: { id: body.responseObject.id } })
  t.equal(row.appId, '4', 'stored as text')
  t.equal(row.name, '4', 'the name defaults to the appId')
  t.equal(row.credentialsVersion, 0)

  const duplicate = await call(app, 'POST', '/admin/app/create', { requestObject: { appId: '4', appName: 'again' } })
  t.equal(duplicate.statusCode, 400)
  t.same(duplicate.json(), { status: 'ERROR', responseObject: { code: 'ERROR_GENERIC', message: 'Application with appId 4 already exists' } })
  t.equal(await app.db.application.count(), 1)
})

t.test('create: a name, string appIds and the largest exact appId', async (t) => {
  const { app } = await buildApp(t)
  const named = await createApp(t, app, 10, 'Mobile Banking')
  const ids: number[] = []
  for (const appId of [Number.MAX_SAFE_INTEGER, '999999999999999']) {
    const response = await call(app, 'POST', '/admin/app/create', { requestObject: { appId } })
    t.equal(response.statusCode, 200, `appId ${appId}`)
    ids.push(response.json().responseObject.id)
  }
  const list = (await call(app, 'GET', '/admin/app/list')).json().responseObject.applicationList
  t.same(list, [
    { id: named, appId: 10, appName: 'Mobile Banking', ios: false, android: false, apns: false, fcm: false },
    { id: ids[0], appId: Number.MAX_SAFE_INTEGER, appName: String(Number.MAX_SAFE_INTEGER), ios: false, android: false, apns: false, fcm: false },
    { id: ids[1], appId: 999999999999999, appName: '999999999999999', ios: false, android: false, apns: false, fcm: false }
  ], 'BigInt appIds come back as exact JSON numbers')
})

// guarantee: app-id-allowed-characters
t.test('create: bad input is a 400 naming the field', async (t) => {
  const { app } = await buildApp(t)
  const cases: Array<[unknown, RegExp]> = [
    [{}, /requestObject\.appId is required/],
    [{ appId: '' }, /requestObject\.appId must be an application id: text of 1 to 255 characters, not only spaces, no control or invisible format characters, a number only in canonical form, or a non-negative integer/],
    // A 1.0 client reads ids into a Java Long: each of these would be its application 2.
    [{ appId: '02' }, /requestObject\.appId must be an application id/],
    [{ appId: '+2' }, /requestObject\.appId must be an application id/],
    [{ appId: ' 2' }, /requestObject\.appId must be an application id/],
    [{ appId: '2.0' }, /requestObject\.appId must be an application id/],
    // Look-alikes of another id in a list.
    [{ appId: 'mobile\u200bapp' }, /requestObject\.appId must be an application id/],
    [{ appId: '\u202emobile' }, /requestObject\.appId must be an application id/],
    [{ appId: '   ' }, /requestObject\.appId must be an application id/],
    [{ appId: 'a\tb' }, /requestObject\.appId must be an application id/],
    [{ appId: 'a\u0085b' }, /requestObject\.appId must be an application id/],
    // Half a surrogate pair: refused before the schema, in any field (json-body.ts).
    [{ appId: 'a\ud800b' }, /half of a UTF-16 surrogate pair alone/],
    [{ appId: 'x'.repeat(256) }, /requestObject\.appId must be an application id/],
    [{ appId: -1 }, /requestObject\.appId must be an application id/],
    [{ appId: 1.5 }, /requestObject\.appId must be an application id/],
    [{ appId: true }, /requestObject\.appId must be an application id/],
    [{ appId: null }, /^requestObject\.appId is required$/], // null is an absent field, as Jackson writes one
    [{ appId: Number.MAX_SAFE_INTEGER + 1 }, /requestObject\.appId must be an application id/],
    [{ appId: 1, appName: '' }, /requestObject\.appName must be a display name/],
    [{ appId: 1, appName: '   ' }, /requestObject\.appName must be a display name/],
    [{ appId: 1, appName: 'x'.repeat(256) }, /requestObject\.appName must be a display name/]
  ]
  for (const [requestObject, message] of cases) {
    const response = await call(app, 'POST', '/admin/app/create', { requestObject })
    t.equal(response.statusCode, 400, JSON.stringify(requestObject).slice(0, 60))
    t.equal(response.json().responseObject.code, 'ERROR_GENERIC')
    t.match(response.json().responseObject.message, message)
  }
  t.equal(await app.db.application.count(), 0, 'nothing was created')
})

t.test('POST /admin/app/detail: the seed example', async (t) => {
  const { app } = await buildApp(t)
  const id = await createApp(t, app, 1, 'app1')
  await call(app, 'PUT', '/admin/app/ios/update', {
    requestObject: { id, bundle: 'some.bundle.id', keyId: 'KEYID123456', teamId: 'TEAMID123456', privateKeyBase64: base64(ecKeyPem()) }
  })
  await call(app, 'PUT', '/admin/app/android/update', {
    requestObject: { id, projectId: 'PROJECTID123', privateKeyBase64: base64(JSON.stringify(serviceAccount())) }
  })
  const response = await call(app, 'POST', '/admin/app/detail', { requestObject: { id, includeIos: true, includeAndroid: true } })
  t.equal(response.statusCode, 200)
  t.same(response.json(), {
    status: 'OK',
    responseObject: {
      application: { id, appId: 1, appName: 'app1', ios: true, android: true, apns: true, fcm: true },
      iosBundle: 'some.bundle.id',
      iosKeyId: 'KEYID123456',
      iosTeamId: 'TEAMID123456',
      iosEnvironment: null,
      androidProjectId: 'PROJECTID123'
    }
  })
})

t.test('detail: each provider only when asked for', async (t) => {
  const { app } = await buildApp(t)
  const id = await createApp(t, app, 2, 'app2')
  await call(app, 'PUT', '/admin/app/ios/update', {
    requestObject: { id: String(id), bundle: 'b.c', keyId: 'K1', teamId: 'T1', environment: 'production', privateKeyBase64: base64(ecKeyPem()) }
  })
  const application = { id, appId: 2, appName: 'app2', ios: true, android: false, apns: true, fcm: false }
  const detail = async (flags: object) => (await call(app, 'POST', '/admin/app/detail', { requestObject: { id, ...flags } })).json()

  t.same(await detail({}), { status: 'OK', responseObject: { application } }, 'no includes: the application alone')
  t.same(await detail({ includeIos: false, includeAndroid: false }), { status: 'OK', responseObject: { application } })
  t.same(await detail({ includeIos: true }), {
    status: 'OK',
    responseObject: { application, iosBundle: 'b.c', iosKeyId: 'K1', iosTeamId: 'T1', iosEnvironment: 'production' }
  })
  t.same(await detail({ includeAndroid: true }), { status: 'OK', responseObject: { application, androidProjectId: null } },
    'an unconfigured provider asked for shows null')
})

t.test('detail: unknown, malformed and out-of-range ids are 400s', async (t) => {
  const { app } = await buildApp(t)
  await createApp(t, app, 1)
  const cases: Array<[unknown, string | RegExp]> = [
    [{ id: 999 }, 'Application with id 999 does not exist'],
    [{ id: '999' }, 'Application with id 999 does not exist'],
    [{ id: 2147483648 }, 'Application with id 2147483648 does not exist'],
    [{ id: Number.MAX_SAFE_INTEGER }, 'Application with id 9007199254740991 does not exist'],
    [{ id: '999999999999999' }, 'Application with id 999999999999999 does not exist'],
    [{ id: 'one' }, /requestObject\.id must be a non-negative integer/],
    [{ id: 1, includeIos: 'yes' }, /requestObject\.includeIos/],
    [{ appId: 'nope' }, 'Application with appId nope does not exist'],
    [{ id: 1, appId: 1 }, 'requestObject must name the application by appId or by id, not both'],
    [{}, 'requestObject.appId is required (or, as PowerAuth 1.0 sends it, requestObject.id)']
  ]
  for (const [requestObject, message] of cases) {
    const response = await call(app, 'POST', '/admin/app/detail', { requestObject })
    t.equal(response.statusCode, 400, JSON.stringify(requestObject))
    t.equal(response.json().responseObject.code, 'ERROR_GENERIC')
    t.match(response.json().responseObject.message, message)
  }
  const noBody = await call(app, 'POST', '/admin/app/detail', {})
  t.equal(noBody.statusCode, 400)
  t.equal(noBody.json().responseObject.message, 'requestObject is required')
})
